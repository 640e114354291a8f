//! The `enrolments` table: enrolments, with the reporting dimensions copied onto each row.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub course_version_id: Uuid,
    pub cohort_id: Option<Uuid>,
    pub source: String,
    pub status: String,
    pub language: String,
    pub enrolled_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub last_activity_at: Option<DateTimeUtc>,
    /// Reporting dimensions, copied when the enrolment is created (see `crate::stats`).
    pub country: Option<String>,
    pub profession: Option<String>,
    /// The cohort's institution; none for self-study.
    pub institution_id: Option<Uuid>,
    /// self_study or tutored
    pub mode: Option<String>,
    /// YYYY-MM of `enrolled_at`.
    pub enrolled_month: Option<String>,
    /// Set when the enrolment completes.
    pub final_score: Option<f64>,
    /// Whole days from enrolment to completion.
    pub days_to_complete: Option<i32>,
    /// The funnel's marks of the standing, per module (`help_lms_domain::reporting::marks`);
    /// none until the first write that records progress or grades an attempt.
    pub module_marks: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
