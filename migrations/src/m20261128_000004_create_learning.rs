//! Learning: lesson progress, quiz attempts and certificates.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    LastActivityAt,
}

#[derive(DeriveIden)]
enum LessonProgress {
    Table,
    EnrolmentId,
    LessonId,
    Status,
    TimeSpentSeconds,
    FirstViewedAt,
    CompletedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
    EnrolmentId,
    QuizId,
    Number,
    Secret,
    Seed,
    Language,
    Status,
    StartedAt,
    Deadline,
    SubmittedAt,
    AutoClosed,
    Responses,
    Score,
    MaxScore,
    Percent,
    Passed,
    Result,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    Code,
    EnrolmentId,
    UserId,
    CourseId,
    CourseVersion,
    LearnerName,
    CourseTitle,
    Language,
    IssuedAt,
    FinalScore,
    EstimatedHours,
    RevokedAt,
    RevokedReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Enrolments::Table)
                .add_column(ts_null(Enrolments::LastActivityAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LessonProgress::Table)
                .col(uuid(LessonProgress::EnrolmentId))
                .col(uuid(LessonProgress::LessonId))
                .col(text(LessonProgress::Status))
                .col(int(LessonProgress::TimeSpentSeconds))
                .col(ts(LessonProgress::FirstViewedAt))
                .col(ts_null(LessonProgress::CompletedAt))
                .col(ts(LessonProgress::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(LessonProgress::EnrolmentId)
                        .col(LessonProgress::LessonId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(LessonProgress::Table, LessonProgress::EnrolmentId)
                        .to(Enrolments::Table, Enrolments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Attempts::Table)
                .col(uuid_pk(Attempts::Id))
                .col(uuid(Attempts::EnrolmentId))
                .col(uuid(Attempts::QuizId))
                .col(int(Attempts::Number))
                .col(text(Attempts::Secret))
                .col(ColumnDef::new(Attempts::Seed).big_integer().not_null())
                .col(text(Attempts::Language))
                .col(text(Attempts::Status))
                .col(ts(Attempts::StartedAt))
                .col(ts_null(Attempts::Deadline))
                .col(ts_null(Attempts::SubmittedAt))
                .col(boolean(Attempts::AutoClosed))
                .col(json(Attempts::Responses))
                .col(ColumnDef::new(Attempts::Score).double().null())
                .col(ColumnDef::new(Attempts::MaxScore).double().null())
                .col(ColumnDef::new(Attempts::Percent).double().null())
                .col(ColumnDef::new(Attempts::Passed).boolean().null())
                .col(ColumnDef::new(Attempts::Result).json().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Attempts::Table, Attempts::EnrolmentId)
                        .to(Enrolments::Table, Enrolments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_attempts_number")
                .table(Attempts::Table)
                .col(Attempts::EnrolmentId)
                .col(Attempts::QuizId)
                .col(Attempts::Number)
                .unique()
                .to_owned(),
        )
        .await?;
        // At most one attempt in progress per enrolment and quiz.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_attempts_in_progress ON attempts (enrolment_id, quiz_id) WHERE status = 'in_progress'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(uuid_pk(Certificates::Id))
                .col(text(Certificates::Code).unique_key())
                .col(uuid(Certificates::EnrolmentId).unique_key())
                .col(uuid(Certificates::UserId))
                .col(uuid(Certificates::CourseId))
                .col(int(Certificates::CourseVersion))
                .col(text(Certificates::LearnerName))
                .col(text(Certificates::CourseTitle))
                .col(text(Certificates::Language))
                .col(ts(Certificates::IssuedAt))
                .col(double(Certificates::FinalScore))
                .col(double(Certificates::EstimatedHours))
                .col(ts_null(Certificates::RevokedAt))
                .col(text_null(Certificates::RevokedReason))
                .foreign_key(
                    ForeignKey::create()
                        .from(Certificates::Table, Certificates::EnrolmentId)
                        .to(Enrolments::Table, Enrolments::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Attempts::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(LessonProgress::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Enrolments::Table)
                .drop_column(Enrolments::LastActivityAt)
                .to_owned(),
        )
        .await
    }
}
