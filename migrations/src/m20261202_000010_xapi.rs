//! The learning record store: xAPI statements with the columns their queries filter on,
//! the agents and activities each statement mentions (for `related_agents` and
//! `related_activities`), attachments by content hash, the state and profile documents,
//! activity definitions, the HTTP Basic credentials that read and write them, and the
//! external stores that statements are forwarded to (through the outbox).
//!
//! Statements keep the JSON they were stored as, byte for byte, so that `format=exact`
//! answers exactly what was stored. Blank strings stand for "none" in the documents' key
//! columns, so that one unique index covers every kind of document on both databases.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum XapiCredentials {
    Table,
    Id,
    Key,
    SecretHash,
    Name,
    Kind,
    InstitutionId,
    LearnerId,
    Registration,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum XapiStatements {
    Table,
    Seq,
    Id,
    StoredUs,
    VerbId,
    ActorKey,
    ObjectActivity,
    ObjectAgentKey,
    ObjectRef,
    Registration,
    Voided,
    Scope,
    LearnerId,
    Body,
}

#[derive(DeriveIden)]
enum XapiStatementRefs {
    Table,
    Seq,
    Kind,
    Value,
}

#[derive(DeriveIden)]
enum XapiAttachments {
    Table,
    Sha2,
    ContentType,
    Content,
}

#[derive(DeriveIden)]
enum XapiDocuments {
    Table,
    Id,
    Scope,
    Kind,
    ActivityId,
    AgentKey,
    Registration,
    DocId,
    ContentType,
    Content,
    Etag,
    UpdatedUs,
}

#[derive(DeriveIden)]
enum XapiForwards {
    Table,
    Id,
    Name,
    Endpoint,
    Username,
    Password,
    InstitutionId,
    Verbs,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum XapiActivities {
    Table,
    Id,
    Definition,
}

fn big<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}

fn serial<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

fn long_text<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}

fn bytes<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).blob().not_null().take()
}

async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(c);
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

fn ids<const N: usize>(cols: [impl IntoIden; N]) -> Vec<DynIden> {
    cols.into_iter().map(IntoIden::into_iden).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(XapiCredentials::Table)
                .col(uuid_pk(XapiCredentials::Id))
                .col(text(XapiCredentials::Key))
                .col(text(XapiCredentials::SecretHash))
                .col(text(XapiCredentials::Name))
                // admin | institution | launch
                .col(text(XapiCredentials::Kind))
                .col(uuid_null(XapiCredentials::InstitutionId))
                .col(uuid_null(XapiCredentials::LearnerId))
                .col(uuid_null(XapiCredentials::Registration))
                .col(uuid_null(XapiCredentials::CreatedBy))
                .col(ts(XapiCredentials::CreatedAt))
                .col(ts_null(XapiCredentials::ExpiresAt))
                .col(ts_null(XapiCredentials::RevokedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_xapi_credentials_key",
            XapiCredentials::Table,
            ids([XapiCredentials::Key]),
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(XapiStatements::Table)
                .col(serial(XapiStatements::Seq))
                .col(text(XapiStatements::Id))
                .col(big(XapiStatements::StoredUs))
                .col(text(XapiStatements::VerbId))
                .col(text_null(XapiStatements::ActorKey))
                .col(text_null(XapiStatements::ObjectActivity))
                .col(text_null(XapiStatements::ObjectAgentKey))
                .col(text_null(XapiStatements::ObjectRef))
                .col(text_null(XapiStatements::Registration))
                .col(
                    ColumnDef::new(XapiStatements::Voided)
                        .boolean()
                        .not_null()
                        .default(false)
                        .take(),
                )
                // Who may read it: `platform:{institution}` for what the platform records
                // about a learner, `institution:{id}` or `admin` for what a credential wrote.
                .col(text(XapiStatements::Scope))
                // The learner the platform recorded it about, for their export and erasure.
                .col(uuid_null(XapiStatements::LearnerId))
                .col(long_text(XapiStatements::Body))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_id",
            XapiStatements::Table,
            ids([XapiStatements::Id]),
            true,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_scope",
            XapiStatements::Table,
            ids([XapiStatements::Scope, XapiStatements::Seq]),
            false,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_verb",
            XapiStatements::Table,
            ids([XapiStatements::VerbId, XapiStatements::Seq]),
            false,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_actor",
            XapiStatements::Table,
            ids([XapiStatements::ActorKey, XapiStatements::Seq]),
            false,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_activity",
            XapiStatements::Table,
            ids([XapiStatements::ObjectActivity, XapiStatements::Seq]),
            false,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_registration",
            XapiStatements::Table,
            ids([XapiStatements::Registration, XapiStatements::Seq]),
            false,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_ref",
            XapiStatements::Table,
            ids([XapiStatements::ObjectRef]),
            false,
        )
        .await?;
        index(
            m,
            "idx_xapi_statements_learner",
            XapiStatements::Table,
            ids([XapiStatements::LearnerId]),
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(XapiStatementRefs::Table)
                .col(big(XapiStatementRefs::Seq))
                // `a` an agent's key, `c` an activity's id
                .col(text(XapiStatementRefs::Kind))
                .col(text(XapiStatementRefs::Value))
                .primary_key(
                    Index::create()
                        .col(XapiStatementRefs::Seq)
                        .col(XapiStatementRefs::Kind)
                        .col(XapiStatementRefs::Value),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_xapi_statement_refs_value",
            XapiStatementRefs::Table,
            ids([
                XapiStatementRefs::Kind,
                XapiStatementRefs::Value,
                XapiStatementRefs::Seq,
            ]),
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(XapiAttachments::Table)
                .col(
                    ColumnDef::new(XapiAttachments::Sha2)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(text(XapiAttachments::ContentType))
                .col(bytes(XapiAttachments::Content))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(XapiDocuments::Table)
                .col(serial(XapiDocuments::Id))
                .col(text(XapiDocuments::Scope))
                // state | activity_profile | agent_profile
                .col(text(XapiDocuments::Kind))
                .col(text(XapiDocuments::ActivityId))
                .col(text(XapiDocuments::AgentKey))
                .col(text(XapiDocuments::Registration))
                .col(text(XapiDocuments::DocId))
                .col(text(XapiDocuments::ContentType))
                .col(bytes(XapiDocuments::Content))
                .col(text(XapiDocuments::Etag))
                .col(big(XapiDocuments::UpdatedUs))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_xapi_documents_key",
            XapiDocuments::Table,
            ids([
                XapiDocuments::Scope,
                XapiDocuments::Kind,
                XapiDocuments::ActivityId,
                XapiDocuments::AgentKey,
                XapiDocuments::Registration,
                XapiDocuments::DocId,
            ]),
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(XapiActivities::Table)
                .col(
                    ColumnDef::new(XapiActivities::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(long_text(XapiActivities::Definition))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(XapiForwards::Table)
                .col(uuid_pk(XapiForwards::Id))
                .col(text(XapiForwards::Name))
                // The external store's base IRI (its resources are under it).
                .col(text(XapiForwards::Endpoint))
                .col(text(XapiForwards::Username))
                // Sent to the external store with every batch, so kept as given.
                .col(text(XapiForwards::Password))
                // None: an admin's forward of every statement.
                .col(uuid_null(XapiForwards::InstitutionId))
                // A JSON array of verb IRIs; none: every verb.
                .col(text_null(XapiForwards::Verbs))
                .col(uuid_null(XapiForwards::CreatedBy))
                .col(ts(XapiForwards::CreatedAt))
                .col(ts_null(XapiForwards::RevokedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            XapiForwards::Table.into_iden(),
            XapiActivities::Table.into_iden(),
            XapiDocuments::Table.into_iden(),
            XapiAttachments::Table.into_iden(),
            XapiStatementRefs::Table.into_iden(),
            XapiStatements::Table.into_iden(),
            XapiCredentials::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
