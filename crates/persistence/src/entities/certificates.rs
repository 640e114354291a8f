//! The `certificates` table: issued certificates with the snapshot they certify.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub enrolment_id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub course_version: i32,
    pub learner_name: String,
    pub course_title: String,
    pub language: String,
    pub issued_at: DateTimeUtc,
    pub final_score: f64,
    pub estimated_hours: f64,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
    pub institution_name: Option<String>,
    /// One name per line.
    pub tutor_names: Option<String>,
    pub cohort_starts_on: Option<Date>,
    pub cohort_ends_on: Option<Date>,
    /// The certificate's position in the revocation status list of its credential.
    pub status_index: i64,
    /// When the holder's account was erased: the certificate verifies as `erased`.
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
