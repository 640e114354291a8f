//! The `lessons` table: lessons of a course version, Markdown and sanitised HTML per language.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lessons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub module_id: Uuid,
    pub course_version_id: Uuid,
    pub position: i32,
    pub key: String,
    pub title: Json,
    pub minutes: i32,
    pub references: Json,
    pub body_md: Json,
    pub body_html: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
