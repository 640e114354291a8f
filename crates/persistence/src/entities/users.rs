//! The `users` table: accounts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub profession: String,
    pub country: String,
    pub language: String,
    pub institution_id: Option<Uuid>,
    pub role: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// While disabled: the status it goes back to when enabled.
    pub status_before_disabled: Option<String>,
    /// Access tokens issued before this no longer work.
    pub sessions_valid_from: Option<DateTimeUtc>,
    /// When the account was erased (its identifying data removed; see `accounts::erasure`).
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
