//! The `cohort_invitations` table: a request to join a cohort, sent to the owner of an account
//! the cohort's institution does not manage; the enrolment is made only when they accept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cohort_invitations")]
pub struct Model {
    /// Also the id of the enrolment an acceptance makes.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub profession: String,
    pub country: String,
    pub language: String,
    pub token_hash: String,
    /// `pending`, `accepted`, `declined` or `withdrawn` (by the institution).
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
