//! Institutions' API clients, cohorts and their tutors, enrolments, activation tokens for
//! invited users, and stored answers for `Idempotency-Key` retries.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CourseVersions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    InstitutionId,
    Name,
    SecretHash,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    Id,
    InstitutionId,
    CourseId,
    CourseVersionId,
    Language,
    Name,
    StartsOn,
    EndsOn,
    Capacity,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CohortTutors {
    Table,
    CohortId,
    UserId,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    UserId,
    CourseId,
    CourseVersionId,
    CohortId,
    Source,
    Status,
    Language,
    EnrolledAt,
    CompletedAt,
    WithdrawnAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActivationTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiClients::Table)
                .col(uuid_pk(ApiClients::Id))
                .col(uuid(ApiClients::InstitutionId))
                .col(text(ApiClients::Name))
                .col(text(ApiClients::SecretHash))
                .col(uuid(ApiClients::CreatedBy))
                .col(ts(ApiClients::CreatedAt))
                .col(ts_null(ApiClients::RevokedAt))
                .col(ts_null(ApiClients::LastUsedAt))
                .foreign_key(&mut fk(
                    ApiClients::Table,
                    ApiClients::InstitutionId,
                    Institutions::Table,
                    Institutions::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Cohorts::Table)
                .col(uuid_pk(Cohorts::Id))
                .col(uuid(Cohorts::InstitutionId))
                .col(uuid(Cohorts::CourseId))
                .col(uuid(Cohorts::CourseVersionId))
                .col(text(Cohorts::Language))
                .col(text(Cohorts::Name))
                .col(ColumnDef::new(Cohorts::StartsOn).date().not_null())
                .col(ColumnDef::new(Cohorts::EndsOn).date().not_null())
                .col(int(Cohorts::Capacity))
                .col(text(Cohorts::Status))
                .col(ts(Cohorts::CreatedAt))
                .col(ts(Cohorts::UpdatedAt))
                .foreign_key(&mut fk(
                    Cohorts::Table,
                    Cohorts::InstitutionId,
                    Institutions::Table,
                    Institutions::Id,
                ))
                .foreign_key(&mut fk(
                    Cohorts::Table,
                    Cohorts::CourseId,
                    Courses::Table,
                    Courses::Id,
                ))
                .foreign_key(&mut fk(
                    Cohorts::Table,
                    Cohorts::CourseVersionId,
                    CourseVersions::Table,
                    CourseVersions::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_cohorts_institution")
                .table(Cohorts::Table)
                .col(Cohorts::InstitutionId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CohortTutors::Table)
                .col(uuid(CohortTutors::CohortId))
                .col(uuid(CohortTutors::UserId))
                .primary_key(
                    Index::create()
                        .col(CohortTutors::CohortId)
                        .col(CohortTutors::UserId),
                )
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(CohortTutors::Table, CohortTutors::CohortId)
                        .to(Cohorts::Table, Cohorts::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .foreign_key(&mut fk(
                    CohortTutors::Table,
                    CohortTutors::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_cohort_tutors_user")
                .table(CohortTutors::Table)
                .col(CohortTutors::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Enrolments::Table)
                .col(uuid_pk(Enrolments::Id))
                .col(uuid(Enrolments::UserId))
                .col(uuid(Enrolments::CourseId))
                .col(uuid(Enrolments::CourseVersionId))
                .col(uuid_null(Enrolments::CohortId))
                .col(text(Enrolments::Source))
                .col(text(Enrolments::Status))
                .col(text(Enrolments::Language))
                .col(ts(Enrolments::EnrolledAt))
                .col(ts_null(Enrolments::CompletedAt))
                .col(ts_null(Enrolments::WithdrawnAt))
                .col(ts(Enrolments::UpdatedAt))
                .foreign_key(&mut fk(
                    Enrolments::Table,
                    Enrolments::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    Enrolments::Table,
                    Enrolments::CourseId,
                    Courses::Table,
                    Courses::Id,
                ))
                .foreign_key(&mut fk(
                    Enrolments::Table,
                    Enrolments::CourseVersionId,
                    CourseVersions::Table,
                    CourseVersions::Id,
                ))
                .foreign_key(&mut fk(
                    Enrolments::Table,
                    Enrolments::CohortId,
                    Cohorts::Table,
                    Cohorts::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enrolments_cohort")
                .table(Enrolments::Table)
                .col(Enrolments::CohortId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enrolments_user_course")
                .table(Enrolments::Table)
                .col(Enrolments::UserId)
                .col(Enrolments::CourseId)
                .to_owned(),
        )
        .await?;
        // One active enrolment per user and course, enforced by the database itself. The
        // partial index has the same syntax on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_enrolments_active ON enrolments (user_id, course_id) WHERE status = 'active'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(ActivationTokens::Table)
                .col(uuid_pk(ActivationTokens::Id))
                .col(uuid(ActivationTokens::UserId))
                .col(text(ActivationTokens::TokenHash).unique_key())
                .col(ts(ActivationTokens::ExpiresAt))
                .col(ts_null(ActivationTokens::UsedAt))
                .col(ts(ActivationTokens::CreatedAt))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(ActivationTokens::Table, ActivationTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(
                    ColumnDef::new(IdempotencyKeys::Key)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(text(IdempotencyKeys::RequestHash))
                .col(int(IdempotencyKeys::Status))
                .col(ColumnDef::new(IdempotencyKeys::Body).text().not_null())
                .col(ts(IdempotencyKeys::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            IdempotencyKeys::Table.into_iden(),
            ActivationTokens::Table.into_iden(),
            Enrolments::Table.into_iden(),
            CohortTutors::Table.into_iden(),
            Cohorts::Table.into_iden(),
            ApiClients::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
