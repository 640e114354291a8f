//! The right to erasure (GDPR article 17), and retention: an account's identifying data is
//! removed in one transaction, while what the statistics count stays exactly as it was.
//!
//! Removed: the name and address (the account keeps its id, role, institution, country,
//! profession and language, which the enrolments already copy for reporting), the password,
//! every session and account token, the free text of quiz answers, the reasons staff wrote
//! for their extra attempts and for revoking their certificates, the name on certificates
//! (which then verify as `erased`), the address and name on cohort invitations, mail queued or
//! sent to the address, the login throttle of the address, stored idempotency answers that
//! name the account, and everything the learning record store holds about the person (see
//! [`crate::xapi::erasure`]). Kept: enrolments, progress, attempts' scores and certificates'
//! dates and scores, which carry no name, so completions by course, country, profession,
//! institution, language and month are counted as before.

use chrono::{DateTime, Utc};
use help_lms_domain::values::UserStatus;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Db;
use crate::entities::{attempts as at, enrolments as en, users};
use crate::error::StoreError;
use crate::raw::exec;
use crate::xapi::erasure::Erased;

/// What an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub user_id: Uuid,
    pub erased_at: DateTime<Utc>,
    /// The account had been erased before: nothing changed now.
    pub already: bool,
    pub certificates: u64,
    pub attempts: u64,
    /// Extra attempts whose reason (staff's free text about the person) was removed.
    pub grants: u64,
    pub sessions: u64,
    pub tokens: u64,
    pub invitations: u64,
    pub mail: u64,
    pub idempotency: u64,
    pub learning_records: Erased,
}

/// The address an erased account holds instead of its own: unique, and never deliverable
/// (`.invalid` is reserved for that, RFC 2606).
pub fn erased_address(user_id: Uuid) -> String {
    format!("erased-{user_id}@erased.invalid")
}

/// Erases `user_id`'s identifying data (see the module); `NotFound` when there is no such
/// account. Erasing an erased account again changes nothing.
pub async fn erase(db: &Db, user_id: Uuid, now: DateTime<Utc>) -> Result<Erasure, StoreError> {
    let txn = db.begin_write().await?;
    let user = users::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if user.status == UserStatus::Erased.as_str() {
        return Ok(Erasure {
            user_id,
            erased_at: user.erased_at.unwrap_or(user.updated_at),
            already: true,
            certificates: 0,
            attempts: 0,
            grants: 0,
            sessions: 0,
            tokens: 0,
            invitations: 0,
            mail: 0,
            idempotency: 0,
            learning_records: Erased::default(),
        });
    }
    let email = user.email.clone();
    let id = user_id.to_string();
    let agent_keys = crate::xapi::person::person_keys(db.public_url(), user_id, &email);
    let learning_records = crate::xapi::erasure::erase(&txn, user_id, &agent_keys, now).await?;
    let attempts = free_text(&txn, user_id).await?;
    let grants = exec(
        &txn,
        "UPDATE attempt_grants SET reason = '' WHERE enrolment_id IN \
         (SELECT id FROM enrolments WHERE user_id = ?)",
        vec![user_id.into()],
    )
    .await?;
    // A revoked certificate stays revoked; only the reason, free text about the person, goes.
    let certificates = exec(
        &txn,
        "UPDATE certificates SET learner_name = '', erased_at = ?, revoked_reason = \
         CASE WHEN revoked_reason IS NULL THEN NULL ELSE '' END WHERE user_id = ?",
        vec![now.into(), user_id.into()],
    )
    .await?;
    let sessions = exec(
        &txn,
        "DELETE FROM refresh_tokens WHERE user_id = ?",
        vec![user_id.into()],
    )
    .await?;
    let tokens = exec(
        &txn,
        "DELETE FROM activation_tokens WHERE user_id = ?",
        vec![user_id.into()],
    )
    .await?;
    let invitations = exec(
        &txn,
        "UPDATE cohort_invitations SET email = ?, name = '' WHERE user_id = ?",
        vec![erased_address(user_id).into(), user_id.into()],
    )
    .await?;
    let mail = exec(
        &txn,
        "DELETE FROM outbox WHERE topic = ? AND payload LIKE ? ESCAPE '\\'",
        vec![
            crate::outbox::MAIL.into(),
            format!("%{}%", like_escaped(&email)).into(),
        ],
    )
    .await?;
    exec(
        &txn,
        "DELETE FROM login_throttle WHERE key = ?",
        vec![crate::throttle::account_key(&email).into()],
    )
    .await?;
    let idempotency = exec(
        &txn,
        "DELETE FROM idempotency_keys WHERE key LIKE ? OR body LIKE ? \
         OR body LIKE ? ESCAPE '\\'",
        vec![
            format!("%{id}%").into(),
            format!("%{id}%").into(),
            format!("%{}%", like_escaped(&email)).into(),
        ],
    )
    .await?;
    exec(
        &txn,
        "UPDATE users SET email = ?, name = '', password_hash = NULL, status = ?, \
         status_before_disabled = NULL, last_login_at = NULL, sessions_valid_from = ?, \
         updated_at = ?, erased_at = ? WHERE id = ?",
        vec![
            erased_address(user_id).into(),
            UserStatus::Erased.as_str().into(),
            now.into(),
            now.into(),
            now.into(),
            user_id.into(),
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(Erasure {
        user_id,
        erased_at: now,
        already: false,
        certificates,
        attempts,
        grants,
        sessions,
        tokens,
        invitations,
        mail,
        idempotency,
        learning_records,
    })
}

/// `s` with LIKE's wildcards and the escape character taken literally (for `ESCAPE '\\'`):
/// addresses may hold `_`, which would otherwise match any character.
fn like_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Removes the free text of the person's quiz answers; says how many attempts changed.
async fn free_text<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<u64, StoreError> {
    let enrolments: Vec<(Uuid, Uuid)> = en::Entity::find()
        .select_only()
        .column(en::Column::Id)
        .column(en::Column::CourseVersionId)
        .filter(en::Column::UserId.eq(user_id))
        .into_tuple()
        .all(c)
        .await?;
    let mut changed = 0;
    for (enrolment, version) in enrolments {
        let rt = crate::catalogue::runtime::runtime(c, version).await?;
        let attempts = at::Entity::find()
            .filter(at::Column::EnrolmentId.eq(enrolment))
            .all(c)
            .await?;
        for a in attempts {
            let (Some(q), Json::Object(responses)) = (rt.quiz(a.quiz_id), &a.responses) else {
                continue;
            };
            let kept = help_lms_domain::quiz::without_free_text(&q.def, responses);
            if kept.len() != responses.len() {
                at::Entity::update_many()
                    .col_expr(at::Column::Responses, Expr::value(Json::Object(kept)))
                    .filter(at::Column::Id.eq(a.id))
                    .exec(c)
                    .await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use help_lms_domain::tutoring::AttemptGrantDraft;
    use help_lms_domain::values::Language;
    use serde_json::json;

    use crate::learning::{Submitted, start_attempt, submit};
    use crate::test_support::{TestDb, import_course, learner};

    const COURSE: &str = r#"
slug = "free-text"
languages = ["en"]
topics = ["article-5"]
estimated_hours = 1
status = "published"
title = { en = "Free text" }
summary = { en = "For tests." }

[[modules]]
key = "m1"
title = { en = "Module one" }
summary = { en = "The only one." }

  [[modules.lessons]]
  key = "l1"
  title = { en = "Lesson one" }
  minutes = 10
"#;
    const QUIZ: &str = r#"
title = { en = "Check" }
pass_mark = 50
max_attempts = 1
grading = "highest"
shuffle_questions = false
shuffle_options = false
review = "correct_answers"
review_when = "immediately"

[[questions]]
key = "tf"
kind = "true_false"
prompt = { en = "Article 5 protects liberty." }
explanation = { en = "It does." }
feedback_correct = { en = "Yes" }
feedback_incorrect = { en = "No" }
references = [{ kind = "instrument", citation = "ECHR, Article 5" }]
answer = true

[[questions]]
key = "case"
kind = "short_text"
prompt = { en = "Name the case" }
explanation = { en = "Buzadji." }
feedback_correct = { en = "Yes" }
feedback_incorrect = { en = "No" }
references = [{ kind = "instrument", citation = "ECHR, Article 5" }]
accepted = { en = ["Buzadji"] }
"#;

    #[tokio::test]
    async fn free_text_about_the_person_goes_and_their_scores_stay() {
        let t = TestDb::new().await;
        let course = import_course(
            &t.db,
            "free-text",
            &[
                ("course.toml", COURSE),
                ("lessons/l1.en.md", "## One\n\nText."),
                ("quizzes/m1.toml", QUIZ),
            ],
        )
        .await;
        let user = learner(&t.db, "ana@x.example").await;
        let staff = learner(&t.db, "tutor@x.example").await;
        let e = crate::enrolments::self_enrol(
            &t.db,
            user,
            course.course_id,
            course.version_id,
            Language::En,
        )
        .await
        .unwrap();
        let rt = crate::catalogue::runtime::runtime(&t.db.conn, course.version_id)
            .await
            .unwrap();
        let quiz = rt.modules[0].quiz.as_ref().unwrap().id;
        let reason = "Ana was in hospital during the first attempt";
        crate::learning::grant_attempts(
            &t.db,
            e.id,
            AttemptGrantDraft::parse(quiz, 1, reason).unwrap(),
            staff,
            None,
        )
        .await
        .unwrap();
        let (attempt, _) = start_attempt(&t.db, e.id, quiz).await.unwrap();
        let answers = json!({"tf": true, "case": "Buzadji, as Judge Popescu told me"});
        let Submitted::Graded(_) = submit(
            &t.db,
            attempt.attempt.id,
            Some(answers.as_object().unwrap().clone()),
        )
        .await
        .unwrap() else {
            panic!("not graded");
        };
        let before = crate::accounts::export::export(&t.db, user).await.unwrap();
        let score = before.enrolments[0].attempts[0].score;
        assert!(score.is_some_and(|s| s > 0.0));

        let done = super::erase(&t.db, user, Utc::now()).await.unwrap();
        assert_eq!((done.attempts, done.grants), (1, 1));
        let after = crate::accounts::export::export(&t.db, user).await.unwrap();
        let kept = &after.enrolments[0].attempts[0];
        assert_eq!(kept.responses, json!({"tf": true}));
        assert_eq!(kept.score, score, "the score stays");
        let grants = crate::learning::grants_of(&t.db.conn, e.id).await.unwrap();
        assert_eq!(grants.len(), 1, "the extra attempt stays");
        assert!(!format!("{grants:?}").contains("hospital"));
        assert_eq!(after.account.name, "");
        assert!(super::erase(&t.db, user, Utc::now()).await.unwrap().already);
    }
}
