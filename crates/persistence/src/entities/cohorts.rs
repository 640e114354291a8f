//! The `cohorts` table: tutored runs of one course version in one language.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cohorts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub institution_id: Uuid,
    pub course_id: Uuid,
    pub course_version_id: Uuid,
    pub language: String,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity: i32,
    pub status: String,
    /// What learners may do after `ends_on`: `read_only` or `continue`.
    pub after_end: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
