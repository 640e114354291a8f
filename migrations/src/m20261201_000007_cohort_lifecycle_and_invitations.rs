//! Cohorts over time and across institutions: what a cohort's learners may do after its end
//! date, and invitations to join a cohort sent to people who already have an account that the
//! cohort's institution does not manage (they join only when they accept).

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    Id,
    AfterEnd,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CohortInvitations {
    Table,
    Id,
    CohortId,
    UserId,
    Email,
    Name,
    Profession,
    Country,
    Language,
    TokenHash,
    Status,
    CreatedAt,
    DecidedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Cohorts made before this keep today's rule: nothing changes at the end date.
        let mut after_end = ColumnDef::new(Cohorts::AfterEnd)
            .string()
            .not_null()
            .default("read_only")
            .take();
        m.alter_table(
            Table::alter()
                .table(Cohorts::Table)
                .add_column(&mut after_end)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CohortInvitations::Table)
                // Also the id of the enrolment made when the invitation is accepted.
                .col(uuid_pk(CohortInvitations::Id))
                .col(uuid(CohortInvitations::CohortId))
                .col(uuid(CohortInvitations::UserId))
                // What the inviting institution sent, and all its roster shows until then.
                .col(text(CohortInvitations::Email))
                .col(text(CohortInvitations::Name))
                .col(text(CohortInvitations::Profession))
                .col(text(CohortInvitations::Country))
                .col(text(CohortInvitations::Language))
                .col(
                    ColumnDef::new(CohortInvitations::TokenHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(text(CohortInvitations::Status))
                .col(ts(CohortInvitations::CreatedAt))
                .col(ts_null(CohortInvitations::DecidedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CohortInvitations::Table, CohortInvitations::CohortId)
                        .to(Cohorts::Table, Cohorts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CohortInvitations::Table, CohortInvitations::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One invitation per person and cohort; a re-upload finds it.
        m.create_index(
            Index::create()
                .name("idx_cohort_invitations_person")
                .table(CohortInvitations::Table)
                .col(CohortInvitations::CohortId)
                .col(CohortInvitations::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_cohort_invitations_user")
                .table(CohortInvitations::Table)
                .col(CohortInvitations::UserId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CohortInvitations::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Cohorts::Table)
                .drop_column(Cohorts::AfterEnd)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
