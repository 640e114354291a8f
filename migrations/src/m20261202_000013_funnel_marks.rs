//! The funnel of a course from compact rows: each enrolment's module marks (what it
//! started, completed, attempted and passed, see `help_lms_domain::reporting::marks`) and
//! each graded attempt's question outcomes, one letter per question. Both are written in
//! the transaction of the write that changes them; rows from before this migration are
//! filled in by the store when it starts (`help_lms_persistence::stats::backfill_marks`),
//! because the marks follow the platform's standing rule, which is code, not SQL.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    CourseId,
    CourseVersionId,
    ModuleMarks,
    CompletedAt,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    QuizId,
    Status,
    Language,
    Outcomes,
    Percent,
    EnrolmentId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Enrolments::Table)
                .add_column(text_null(Enrolments::ModuleMarks))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Attempts::Table)
                .add_column(text_null(Attempts::Outcomes))
                .to_owned(),
        )
        .await?;
        // The funnel groups a course's enrolments by version and marks along this
        // covering index, without reading the rows. A progress write changes the marks
        // only when it starts or completes a module, so it seldom maintains it.
        m.create_index(
            Index::create()
                .name("idx_enrolments_marks")
                .table(Enrolments::Table)
                .col(Enrolments::CourseId)
                .col(Enrolments::CourseVersionId)
                .col(Enrolments::ModuleMarks)
                .col(Enrolments::CompletedAt)
                .to_owned(),
        )
        .await?;
        // And a quiz's graded attempts by language and outcomes, in index order.
        m.create_index(
            Index::create()
                .name("idx_attempts_outcomes")
                .table(Attempts::Table)
                .col(Attempts::QuizId)
                .col(Attempts::Status)
                .col(Attempts::Language)
                .col(Attempts::Outcomes)
                .col(Attempts::Percent)
                .col(Attempts::EnrolmentId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_attempts_outcomes")
                .table(Attempts::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_enrolments_marks")
                .table(Enrolments::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Attempts::Table)
                .drop_column(Attempts::Outcomes)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Enrolments::Table)
                .drop_column(Enrolments::ModuleMarks)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
