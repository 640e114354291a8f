//! Schema migrations of help-lms. Every schema change is a migration; the same migrations
//! run on SQLite and PostgreSQL, so they use sea-query's portable schema builder only.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_accounts;
mod m20261128_000002_create_catalogue;
mod m20261128_000003_create_cohorts_and_enrolments;
mod m20261128_000004_create_learning;
mod m20261128_000005_stats;
mod m20261201_000006_mail_and_account_tokens;
mod m20261201_000007_cohort_lifecycle_and_invitations;
mod m20261201_000008_attempt_grants;
mod m20261201_000009_certificate_snapshot_and_status;
mod m20261202_000010_xapi;
mod m20261202_000011_audit;
mod m20261202_000012_erasure;
mod m20261202_000013_funnel_marks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_accounts::Migration),
            Box::new(m20261128_000002_create_catalogue::Migration),
            Box::new(m20261128_000003_create_cohorts_and_enrolments::Migration),
            Box::new(m20261128_000004_create_learning::Migration),
            Box::new(m20261128_000005_stats::Migration),
            Box::new(m20261201_000006_mail_and_account_tokens::Migration),
            Box::new(m20261201_000007_cohort_lifecycle_and_invitations::Migration),
            Box::new(m20261201_000008_attempt_grants::Migration),
            Box::new(m20261201_000009_certificate_snapshot_and_status::Migration),
            Box::new(m20261202_000010_xapi::Migration),
            Box::new(m20261202_000011_audit::Migration),
            Box::new(m20261202_000012_erasure::Migration),
            Box::new(m20261202_000013_funnel_marks::Migration),
        ]
    }
}

/// Column helpers shared by the migrations.
pub(crate) mod cols {
    use sea_orm_migration::prelude::*;

    pub fn uuid_pk<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).uuid().not_null().primary_key().take()
    }
    pub fn uuid<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).uuid().not_null().take()
    }
    pub fn uuid_null<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).uuid().null().take()
    }
    pub fn text<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).string().not_null().take()
    }
    pub fn text_null<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).string().null().take()
    }
    pub fn int<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).integer().not_null().take()
    }
    pub fn int_null<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).integer().null().take()
    }
    pub fn double<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).double().not_null().take()
    }
    pub fn boolean<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).boolean().not_null().take()
    }
    pub fn json<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name).json().not_null().take()
    }
    pub fn ts<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name)
            .timestamp_with_time_zone()
            .not_null()
            .take()
    }
    pub fn ts_null<T: IntoIden>(name: T) -> ColumnDef {
        ColumnDef::new(name)
            .timestamp_with_time_zone()
            .null()
            .take()
    }
}
