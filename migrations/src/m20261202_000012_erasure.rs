//! Erasure (GDPR article 17): when an account and its certificates were erased, and the
//! notices sent to external learning record stores that had received the person's
//! statements.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum XapiErasureNotices {
    Table,
    Id,
    ForwardId,
    UserId,
    Statements,
    OutboxId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ts_null(Users::ErasedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Certificates::Table)
                .add_column(ts_null(Certificates::ErasedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(XapiErasureNotices::Table)
                .col(uuid_pk(XapiErasureNotices::Id))
                .col(uuid(XapiErasureNotices::ForwardId))
                .col(uuid(XapiErasureNotices::UserId))
                // How many statements the notice voids.
                .col(
                    ColumnDef::new(XapiErasureNotices::Statements)
                        .big_integer()
                        .not_null(),
                )
                // The outbox message that carries it (its delivery is the outbox's).
                .col(uuid(XapiErasureNotices::OutboxId))
                .col(ts(XapiErasureNotices::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_xapi_erasure_notices_user")
                .table(XapiErasureNotices::Table)
                .col(XapiErasureNotices::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(XapiErasureNotices::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Certificates::Table)
                .drop_column(Certificates::ErasedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::ErasedAt)
                .to_owned(),
        )
        .await
    }
}
