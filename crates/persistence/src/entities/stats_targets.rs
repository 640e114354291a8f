//! The `stats_targets` table: the programme's targets, such as practitioners certified in a
//! period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stats_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// enrolled, completed or certificates
    pub metric: String,
    pub target: i64,
    pub period_from: Option<Date>,
    pub period_to: Option<Date>,
    pub course_id: Option<Uuid>,
    pub profession: Option<String>,
    pub country: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
