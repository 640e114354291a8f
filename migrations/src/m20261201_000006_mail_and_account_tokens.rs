//! Getting into accounts: the outbox of messages to send (mail now, other deliveries later),
//! one rate-limit table for the flows that send mail, the purpose and revocation of account
//! tokens (activation, address confirmation, password reset), and what a disabled account
//! goes back to when it is enabled.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Topic,
    Payload,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    DeliveredAt,
    FailedAt,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    Hits,
    WindowStartedAt,
}

#[derive(DeriveIden)]
enum ActivationTokens {
    Table,
    UserId,
    Purpose,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    StatusBeforeDisabled,
    SessionsValidFrom,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(uuid_pk(Outbox::Id))
                .col(text(Outbox::Topic))
                // Cleared once delivered: what was sent (links with tokens) is not kept.
                .col(ColumnDef::new(Outbox::Payload).text().null())
                .col(int(Outbox::Attempts))
                .col(ts(Outbox::NextAttemptAt))
                .col(text_null(Outbox::LeaseOwner))
                .col(ts_null(Outbox::LeaseUntil))
                .col(ts_null(Outbox::DeliveredAt))
                .col(ts_null(Outbox::FailedAt))
                .col(text_null(Outbox::LastError))
                .col(ts(Outbox::CreatedAt))
                .to_owned(),
        )
        .await?;
        // The worker asks for the due messages of a topic, oldest first.
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Topic)
                .col(Outbox::DeliveredAt)
                .col(Outbox::FailedAt)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RateLimits::Table)
                .col(
                    ColumnDef::new(RateLimits::Key)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(int(RateLimits::Hits))
                .col(ts(RateLimits::WindowStartedAt))
                .to_owned(),
        )
        .await?;
        // Existing tokens are all activations (invitations).
        for mut col in [
            ColumnDef::new(ActivationTokens::Purpose)
                .string()
                .not_null()
                .default("activation")
                .take(),
            ts_null(ActivationTokens::RevokedAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(ActivationTokens::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        // Resending an invitation revokes a user's open tokens of one purpose.
        m.create_index(
            Index::create()
                .name("idx_activation_tokens_user")
                .table(ActivationTokens::Table)
                .col(ActivationTokens::UserId)
                .col(ActivationTokens::Purpose)
                .to_owned(),
        )
        .await?;
        for mut col in [
            text_null(Users::StatusBeforeDisabled),
            // Access tokens issued before it no longer work (a new password ends sessions).
            ts_null(Users::SessionsValidFrom),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Users::SessionsValidFrom, Users::StatusBeforeDisabled] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(
            Index::drop()
                .name("idx_activation_tokens_user")
                .table(ActivationTokens::Table)
                .to_owned(),
        )
        .await?;
        for col in [ActivationTokens::RevokedAt, ActivationTokens::Purpose] {
            m.alter_table(
                Table::alter()
                    .table(ActivationTokens::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(RateLimits::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
