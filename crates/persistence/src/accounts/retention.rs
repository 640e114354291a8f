//! Retention: accounts nobody has used for longer than the configured period are erased
//! (see [`super::erasure`]). An account is inactive when it was created, last signed in,
//! last recorded learning and was last enrolled before the cutoff. Admins' accounts are never erased by
//! retention (that could leave the platform without one); erased accounts are not listed
//! again. [`due`] is the report of what a run would erase; [`run`] reports, then erases.

use chrono::{DateTime, Utc};
use help_lms_domain::values::{Role, UserStatus};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::erasure::{self, Erasure};
use crate::Db;
use crate::error::StoreError;
use crate::raw::all;

/// An account a run would erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub user_id: Uuid,
    pub role: String,
    pub institution_id: Option<Uuid>,
    /// The latest of its creation, its last sign-in and its last recorded learning.
    pub last_active_at: DateTime<Utc>,
}

/// The accounts inactive since before `cutoff`, oldest activity first.
pub async fn due<C: ConnectionTrait>(c: &C, cutoff: DateTime<Utc>) -> Result<Vec<Due>, StoreError> {
    let rows = all(
        c,
        "SELECT u.id, u.role, u.institution_id, u.created_at, u.last_login_at, \
             (SELECT MAX(e.last_activity_at) FROM enrolments e WHERE e.user_id = u.id) \
             AS last_learning FROM users u \
             WHERE u.status <> ? AND u.role <> ? AND u.created_at < ? \
             AND (u.last_login_at IS NULL OR u.last_login_at < ?) \
             AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = u.id \
             AND (e.last_activity_at >= ? OR e.enrolled_at >= ?))",
        vec![
            Value::from(UserStatus::Erased.as_str()),
            Value::from(Role::Admin.as_str()),
            cutoff.into(),
            cutoff.into(),
            cutoff.into(),
            cutoff.into(),
        ],
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let created: DateTime<Utc> = r.try_get("", "created_at")?;
        let login: Option<DateTime<Utc>> = r.try_get("", "last_login_at")?;
        let learning: Option<DateTime<Utc>> = r.try_get("", "last_learning")?;
        out.push(Due {
            user_id: r.try_get("", "id")?,
            role: r.try_get("", "role")?,
            institution_id: r.try_get("", "institution_id")?,
            last_active_at: [Some(created), login, learning]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(created),
        });
    }
    out.sort_by_key(|d| (d.last_active_at, d.user_id));
    Ok(out)
}

/// Erases every account [`due`] lists, each in its own transaction (one failing leaves the
/// others erased, and the next run takes it again); `report` is called with the list
/// first. Says each erasure, in the order of the report.
pub async fn run(
    db: &Db,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
    report: impl FnOnce(&[Due]),
) -> Result<Vec<(Due, Result<Erasure, StoreError>)>, StoreError> {
    let list = due(&db.conn, cutoff).await?;
    report(&list);
    let mut done = Vec::with_capacity(list.len());
    for d in list {
        let e = erasure::erase(db, d.user_id, now).await;
        done.push((d, e));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use help_lms_domain::values::Language;
    use sea_orm::{ConnectionTrait, Value};
    use uuid::Uuid;

    use crate::raw::sql;
    use crate::test_support::{TestDb, learner, tiny_course};

    async fn set(t: &TestDb, column: &str, id: Uuid, at: chrono::DateTime<Utc>) {
        t.db.conn
            .execute_raw(sql(
                t.db.conn.get_database_backend(),
                &format!("UPDATE users SET {column} = ? WHERE id = ?"),
                vec![at.into(), Value::from(id)],
            ))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn only_accounts_unused_since_the_cutoff_are_reported_then_erased() {
        let t = TestDb::new().await;
        let now = Utc::now();
        let long_ago = now - Duration::days(400);
        let cutoff = now - Duration::days(365);
        let course = tiny_course(&t.db).await;
        let idle = learner(&t.db, "idle@x.example").await;
        let signed_in = learner(&t.db, "recent-login@x.example").await;
        let enrolled = learner(&t.db, "recently-enrolled@x.example").await;
        let new = learner(&t.db, "new@x.example").await;
        let admin = learner(&t.db, "admin@x.example").await;
        for id in [idle, signed_in, enrolled, admin] {
            set(&t, "created_at", id, long_ago).await;
        }
        set(&t, "last_login_at", idle, long_ago).await;
        set(&t, "last_login_at", signed_in, now - Duration::days(3)).await;
        crate::enrolments::self_enrol(
            &t.db,
            enrolled,
            course.course_id,
            course.version_id,
            Language::En,
        )
        .await
        .unwrap();
        t.db.conn
            .execute_raw(sql(
                t.db.conn.get_database_backend(),
                "UPDATE users SET role = 'admin' WHERE id = ?",
                vec![Value::from(admin)],
            ))
            .await
            .unwrap();

        let due = super::due(&t.db.conn, cutoff).await.unwrap();
        assert_eq!(
            due.iter().map(|d| d.user_id).collect::<Vec<_>>(),
            [idle],
            "{new} is new, {signed_in} signed in, {enrolled} was enrolled, {admin} is an admin"
        );
        assert_eq!(due[0].last_active_at.timestamp(), long_ago.timestamp());

        let mut reported = Vec::new();
        let done = super::run(&t.db, cutoff, now, |d| reported = d.to_vec())
            .await
            .unwrap();
        assert_eq!(reported, due, "reported before erasing");
        assert_eq!(done.len(), 1);
        assert!(done[0].1.as_ref().is_ok_and(|e| !e.already));
        let user = crate::accounts::find(&t.db.conn, idle)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.name, "");
        assert_eq!(user.email.as_str(), super::erasure::erased_address(idle));
        assert!(super::due(&t.db.conn, cutoff).await.unwrap().is_empty());
    }
}
