//! The catalogue: courses, their immutable versions, modules, lessons and quizzes.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    Slug,
    CurrentVersionId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CourseVersions {
    Table,
    Id,
    CourseId,
    Version,
    ContentHash,
    Status,
    Languages,
    Topics,
    EstimatedHours,
    Title,
    Summary,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    CourseVersionId,
    Position,
    Key,
    Title,
    Summary,
}

#[derive(DeriveIden)]
enum Lessons {
    Table,
    Id,
    ModuleId,
    CourseVersionId,
    Position,
    Key,
    Title,
    Minutes,
    References,
    BodyMd,
    BodyHtml,
}

#[derive(DeriveIden)]
enum Quizzes {
    Table,
    Id,
    ModuleId,
    CourseVersionId,
    Title,
    PassMark,
    MaxAttempts,
    TimeLimitMinutes,
    Grading,
    ShuffleQuestions,
    ShuffleOptions,
    Review,
    ReviewWhen,
    Questions,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Courses::Table)
                .col(uuid_pk(Courses::Id))
                .col(text(Courses::Slug).unique_key())
                .col(uuid_null(Courses::CurrentVersionId))
                .col(ts(Courses::CreatedAt))
                .col(ts(Courses::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CourseVersions::Table)
                .col(uuid_pk(CourseVersions::Id))
                .col(uuid(CourseVersions::CourseId))
                .col(int(CourseVersions::Version))
                .col(text(CourseVersions::ContentHash))
                .col(text(CourseVersions::Status))
                .col(json(CourseVersions::Languages))
                .col(json(CourseVersions::Topics))
                .col(double(CourseVersions::EstimatedHours))
                .col(json(CourseVersions::Title))
                .col(json(CourseVersions::Summary))
                .col(ts(CourseVersions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CourseVersions::Table, CourseVersions::CourseId)
                        .to(Courses::Table, Courses::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_course_versions_course_version")
                .table(CourseVersions::Table)
                .col(CourseVersions::CourseId)
                .col(CourseVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Modules::Table)
                .col(uuid_pk(Modules::Id))
                .col(uuid(Modules::CourseVersionId))
                .col(int(Modules::Position))
                .col(text(Modules::Key))
                .col(json(Modules::Title))
                .col(json(Modules::Summary))
                .foreign_key(
                    ForeignKey::create()
                        .from(Modules::Table, Modules::CourseVersionId)
                        .to(CourseVersions::Table, CourseVersions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_modules_version_key")
                .table(Modules::Table)
                .col(Modules::CourseVersionId)
                .col(Modules::Key)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Lessons::Table)
                .col(uuid_pk(Lessons::Id))
                .col(uuid(Lessons::ModuleId))
                .col(uuid(Lessons::CourseVersionId))
                .col(int(Lessons::Position))
                .col(text(Lessons::Key))
                .col(json(Lessons::Title))
                .col(int(Lessons::Minutes))
                .col(json(Lessons::References))
                .col(json(Lessons::BodyMd))
                .col(json(Lessons::BodyHtml))
                .foreign_key(
                    ForeignKey::create()
                        .from(Lessons::Table, Lessons::ModuleId)
                        .to(Modules::Table, Modules::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_lessons_version_key")
                .table(Lessons::Table)
                .col(Lessons::CourseVersionId)
                .col(Lessons::Key)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Quizzes::Table)
                .col(uuid_pk(Quizzes::Id))
                .col(uuid(Quizzes::ModuleId).unique_key())
                .col(uuid(Quizzes::CourseVersionId))
                .col(json(Quizzes::Title))
                .col(int(Quizzes::PassMark))
                .col(int(Quizzes::MaxAttempts))
                .col(int_null(Quizzes::TimeLimitMinutes))
                .col(text(Quizzes::Grading))
                .col(boolean(Quizzes::ShuffleQuestions))
                .col(boolean(Quizzes::ShuffleOptions))
                .col(text(Quizzes::Review))
                .col(text(Quizzes::ReviewWhen))
                .col(json(Quizzes::Questions))
                .foreign_key(
                    ForeignKey::create()
                        .from(Quizzes::Table, Quizzes::ModuleId)
                        .to(Modules::Table, Modules::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_quizzes_version")
                .table(Quizzes::Table)
                .col(Quizzes::CourseVersionId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Quizzes::Table.into_iden(),
            Lessons::Table.into_iden(),
            Modules::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.drop_table(Table::drop().table(CourseVersions::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Courses::Table).to_owned())
            .await
    }
}
