//! The `attempt_grants` table: extra attempts given to one enrolment on one quiz, with who
//! gave them, when and why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attempt_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub extra: i32,
    pub reason: String,
    pub granted_by: Uuid,
    pub granted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
