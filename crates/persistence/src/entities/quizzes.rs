//! The `quizzes` table: quizzes of a course version, questions and answer keys included.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quizzes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub module_id: Uuid,
    pub course_version_id: Uuid,
    pub title: Json,
    pub pass_mark: i32,
    pub max_attempts: i32,
    pub time_limit_minutes: Option<i32>,
    pub grading: String,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub review: String,
    pub review_when: String,
    pub questions: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
