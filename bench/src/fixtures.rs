//! Signed-in learners of the demo platform, read straight from its database.
//!
//! Signing 100,000 learners in through `POST /auth/login` would cost 100,000 argon2 hashes
//! (about 50 ms of a core each), which is what the login-flood scenario measures, not what
//! a learner's day is made of: learners sign in once and then work for hours with their
//! token. So the benchmark signs the tokens itself, with the key it gave the server, exactly
//! as `login` would (same claims, same lifetime rules); the server checks them and reads the
//! account on every request as usual.

use std::collections::HashMap;

use help_lms_api::jwt::JwtKeys;
use help_lms_domain::accounts::Actor;
use help_lms_domain::values::Role;
use help_lms_persistence::entities::{
    course_versions, courses, enrolments, lessons, modules, users,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// A learner with one of their enrolments and a token to act with.
#[derive(Clone, Debug)]
pub struct Learner {
    pub user_id: Uuid,
    pub token: String,
    pub enrolment: Uuid,
    /// Whether the enrolment is active (else completed or withdrawn).
    pub active: bool,
    pub course: String,
    /// The lessons of the enrolment's course version, in course order.
    pub lessons: Vec<Uuid>,
}

/// Signs access tokens as the server does.
pub struct Signer {
    keys: JwtKeys,
}

impl Signer {
    pub fn new(key: &[u8]) -> Result<Signer, String> {
        Ok(Signer {
            keys: JwtKeys::new(key).map_err(|e| e.to_string())?,
        })
    }

    /// A learner's (or any person's) access token, valid for `hours`.
    pub fn token(
        &self,
        user_id: Uuid,
        role: Role,
        institution_id: Option<Uuid>,
        hours: i64,
    ) -> Result<String, String> {
        let actor = Actor {
            user_id,
            role,
            institution_id,
            via_client: false,
        };
        self.keys
            .issue(&actor, chrono::Duration::hours(hours))
            .map(|(t, _)| t)
            .map_err(|e| e.to_string())
    }
}

/// Which learners of the demo platform a scenario acts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Learners with an active enrolment, each with that enrolment: people who have
    /// something left to do in a course.
    Active,
    /// Every active learner account, each with one enrolment: their active one if they
    /// have one, else their latest (completed or withdrawn). This is the platform's own mix
    /// of people who are working through a course and people who come back to look.
    Everyone,
}

/// Up to `limit` learners of `which` kind, one enrolment each, in a stable order (by
/// enrolment id, so the kinds are mixed rather than grouped).
pub async fn learners(
    db: &DatabaseConnection,
    signer: &Signer,
    which: Which,
    limit: usize,
) -> Result<Vec<Learner>, sea_orm::DbErr> {
    let slugs: HashMap<Uuid, String> = courses::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect();
    let version_course: HashMap<Uuid, String> = course_versions::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|v| Some((v.id, slugs.get(&v.course_id)?.clone())))
        .collect();
    let module_pos: HashMap<Uuid, i32> = modules::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.position))
        .collect();
    let mut by_version: HashMap<Uuid, Vec<(i32, i32, Uuid)>> = HashMap::new();
    for l in lessons::Entity::find().all(db).await? {
        by_version.entry(l.course_version_id).or_default().push((
            module_pos.get(&l.module_id).copied().unwrap_or_default(),
            l.position,
            l.id,
        ));
    }
    let by_version: HashMap<Uuid, Vec<Uuid>> = by_version
        .into_iter()
        .map(|(v, mut ls)| {
            ls.sort();
            (v, ls.into_iter().map(|(_, _, id)| id).collect())
        })
        .collect();
    let people: HashMap<Uuid, Option<Uuid>> = users::Entity::find()
        .filter(users::Column::Role.eq("learner"))
        .filter(users::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.institution_id))
        .collect();
    let mut query = enrolments::Entity::find();
    if which == Which::Active {
        query = query.filter(enrolments::Column::Status.eq("active"));
    }
    let chosen = choose(query.order_by_asc(enrolments::Column::Id).all(db).await?);
    let mut out = Vec::new();
    for e in chosen {
        if out.len() >= limit {
            break;
        }
        let Some(institution) = people.get(&e.user_id) else {
            continue;
        };
        let (Some(course), Some(lessons)) = (
            version_course.get(&e.course_version_id),
            by_version.get(&e.course_version_id),
        ) else {
            continue;
        };
        let token = signer
            .token(e.user_id, Role::Learner, *institution, 6)
            .map_err(sea_orm::DbErr::Custom)?;
        out.push(Learner {
            user_id: e.user_id,
            token,
            enrolment: e.id,
            active: e.status == "active",
            course: course.clone(),
            lessons: lessons.clone(),
        });
    }
    Ok(out)
}

/// One enrolment per learner: the active one (the first by id if several), else the latest
/// enrolled; returned in order of enrolment id.
fn choose(all: Vec<enrolments::Model>) -> Vec<enrolments::Model> {
    let mut best: HashMap<Uuid, enrolments::Model> = HashMap::new();
    for e in all {
        let better = match best.get(&e.user_id) {
            None => true,
            Some(b) if b.status == "active" => false,
            Some(b) => e.status == "active" || e.enrolled_at > b.enrolled_at,
        };
        if better {
            best.insert(e.user_id, e);
        }
    }
    let mut out: Vec<enrolments::Model> = best.into_values().collect();
    out.sort_by_key(|e| e.id);
    out
}
