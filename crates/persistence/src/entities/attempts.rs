//! The `attempts` table: quiz attempts, their saved responses and their grading.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub secret: String,
    pub seed: i64,
    pub language: String,
    pub status: String,
    pub started_at: DateTimeUtc,
    pub deadline: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub auto_closed: bool,
    pub responses: Json,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub result: Option<Json>,
    /// One letter per question of the graded result (`marks::outcome_codes`).
    pub outcomes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
