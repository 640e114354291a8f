//! The audit trail: an append-only record of security-relevant events. It holds ids, never
//! names, emails or secrets, so that erasing a person leaves nothing personal in it.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    Action,
    ActorId,
    ActorRole,
    ActorInstitution,
    ObjectType,
    ObjectId,
    InstitutionId,
    RequestId,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(uuid_pk(AuditEvents::Id))
                .col(ts(AuditEvents::At))
                .col(text(AuditEvents::Action))
                .col(uuid_null(AuditEvents::ActorId))
                .col(text_null(AuditEvents::ActorRole))
                .col(uuid_null(AuditEvents::ActorInstitution))
                .col(text(AuditEvents::ObjectType))
                .col(text_null(AuditEvents::ObjectId))
                // The institution the event concerns: its managers read it.
                .col(uuid_null(AuditEvents::InstitutionId))
                .col(text_null(AuditEvents::RequestId))
                // Counts and ids only, as JSON.
                .col(text_null(AuditEvents::Detail))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_audit_events_at", vec![AuditEvents::At]),
            (
                "idx_audit_events_institution",
                vec![AuditEvents::InstitutionId, AuditEvents::At],
            ),
            (
                "idx_audit_events_actor",
                vec![AuditEvents::ActorId, AuditEvents::At],
            ),
            ("idx_audit_events_object", vec![AuditEvents::ObjectId]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(AuditEvents::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await
    }
}
