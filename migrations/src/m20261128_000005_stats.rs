//! Completion statistics: the reporting dimensions of an enrolment copied onto the
//! enrolment itself, so that a statistics request is one GROUP BY over `enrolments`
//! (no join, no scan of progress records), the indexes those queries use, and the
//! programme's targets.
//!
//! The copies are snapshots taken when the enrolment is created (the learner's country
//! and profession at that time, the cohort's institution, self-study or tutored, the
//! month) and when it completes (final score, whole days from enrolment to completion).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    CourseId,
    CohortId,
    Language,
    Status,
    EnrolledAt,
    CompletedAt,
    Country,
    Profession,
    InstitutionId,
    Mode,
    EnrolledMonth,
    FinalScore,
    DaysToComplete,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StatsTargets {
    Table,
    Id,
    Name,
    Metric,
    Target,
    PeriodFrom,
    PeriodTo,
    CourseId,
    Profession,
    Country,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            text_null(Enrolments::Country),
            text_null(Enrolments::Profession),
            uuid_null(Enrolments::InstitutionId),
            text_null(Enrolments::Mode),
            text_null(Enrolments::EnrolledMonth),
            ColumnDef::new(Enrolments::FinalScore)
                .double()
                .null()
                .take(),
            int_null(Enrolments::DaysToComplete),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        backfill(m).await?;

        // The completion statistics aggregate enrolments along this covering index: its
        // leading columns are the dimensions, so cells of enrolments sharing them come out
        // in index order without a sort, and everything else a request reads is in it.
        // Progress writes touch none of its columns, so they never maintain it.
        m.create_index(
            Index::create()
                .name("idx_enrolments_stats")
                .table(Enrolments::Table)
                .col(Enrolments::CourseId)
                .col(Enrolments::Country)
                .col(Enrolments::Profession)
                .col(Enrolments::Mode)
                .col(Enrolments::Language)
                .col(Enrolments::InstitutionId)
                .col(Enrolments::CohortId)
                .col(Enrolments::EnrolledMonth)
                .col(Enrolments::Status)
                .col(Enrolments::DaysToComplete)
                .col(Enrolments::FinalScore)
                .col(Enrolments::EnrolledAt)
                .to_owned(),
        )
        .await?;
        // The same, month first, for trends (grouping by month and little else).
        m.create_index(
            Index::create()
                .name("idx_enrolments_stats_by_month")
                .table(Enrolments::Table)
                .col(Enrolments::EnrolledMonth)
                .col(Enrolments::CourseId)
                .col(Enrolments::Country)
                .col(Enrolments::Profession)
                .col(Enrolments::Mode)
                .col(Enrolments::Language)
                .col(Enrolments::InstitutionId)
                .col(Enrolments::CohortId)
                .col(Enrolments::Status)
                .col(Enrolments::DaysToComplete)
                .col(Enrolments::FinalScore)
                .col(Enrolments::EnrolledAt)
                .to_owned(),
        )
        .await?;
        // The completed ones, for the completion-time histograms (the same partial-index
        // syntax on SQLite and PostgreSQL).
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_enrolments_stats_completed ON enrolments \
                 (course_id, country, profession, mode, language, institution_id, cohort_id, \
                 enrolled_month, days_to_complete, enrolled_at) \
                 WHERE days_to_complete IS NOT NULL",
            )
            .await?;
        // An NTI manager's statistics read one institution; targets count by date.
        for (name, cols) in [
            (
                "idx_enrolments_stats_institution",
                vec![Enrolments::InstitutionId, Enrolments::CourseId],
            ),
            ("idx_enrolments_enrolled_at", vec![Enrolments::EnrolledAt]),
            ("idx_enrolments_completed_at", vec![Enrolments::CompletedAt]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Enrolments::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        // Revoked certificates are few: the statistics subtract them per group.
        m.create_index(
            Index::create()
                .name("idx_certificates_revoked_at")
                .table(Certificates::Table)
                .col(Certificates::RevokedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(StatsTargets::Table)
                .col(uuid_pk(StatsTargets::Id))
                .col(text(StatsTargets::Name))
                .col(text(StatsTargets::Metric))
                .col(
                    ColumnDef::new(StatsTargets::Target)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(StatsTargets::PeriodFrom).date().null())
                .col(ColumnDef::new(StatsTargets::PeriodTo).date().null())
                .col(uuid_null(StatsTargets::CourseId))
                .col(text_null(StatsTargets::Profession))
                .col(text_null(StatsTargets::Country))
                .col(uuid(StatsTargets::CreatedBy))
                .col(ts(StatsTargets::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(StatsTargets::Table, StatsTargets::CourseId)
                        .to(Courses::Table, Courses::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(StatsTargets::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_certificates_revoked_at")
                .table(Certificates::Table)
                .to_owned(),
        )
        .await?;
        for name in [
            "idx_enrolments_stats",
            "idx_enrolments_stats_by_month",
            "idx_enrolments_stats_completed",
            "idx_enrolments_stats_institution",
            "idx_enrolments_enrolled_at",
            "idx_enrolments_completed_at",
        ] {
            m.drop_index(Index::drop().name(name).table(Enrolments::Table).to_owned())
                .await?;
        }
        for col in [
            Enrolments::DaysToComplete,
            Enrolments::FinalScore,
            Enrolments::EnrolledMonth,
            Enrolments::Mode,
            Enrolments::InstitutionId,
            Enrolments::Profession,
            Enrolments::Country,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Enrolments::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// Fills the new columns of existing enrolments. The correlated subqueries are the same
/// SQL on SQLite and PostgreSQL; only the date arithmetic differs.
async fn backfill(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    conn.execute_unprepared(
        "UPDATE enrolments SET \
           country = (SELECT users.country FROM users WHERE users.id = enrolments.user_id), \
           profession = (SELECT users.profession FROM users WHERE users.id = enrolments.user_id), \
           institution_id = (SELECT cohorts.institution_id FROM cohorts WHERE cohorts.id = enrolments.cohort_id), \
           mode = CASE WHEN cohort_id IS NULL THEN 'self_study' ELSE 'tutored' END, \
           final_score = (SELECT certificates.final_score FROM certificates WHERE certificates.enrolment_id = enrolments.id)",
    )
    .await?;
    let dates = match m.get_database_backend() {
        DbBackend::Postgres => {
            "UPDATE enrolments SET \
               enrolled_month = to_char(enrolled_at AT TIME ZONE 'UTC', 'YYYY-MM'), \
               days_to_complete = CASE WHEN completed_at IS NULL THEN NULL \
                 ELSE FLOOR(EXTRACT(EPOCH FROM (completed_at - enrolled_at)) / 86400)::integer END"
        }
        _ => {
            "UPDATE enrolments SET \
               enrolled_month = substr(enrolled_at, 1, 7), \
               days_to_complete = CASE WHEN completed_at IS NULL THEN NULL \
                 ELSE CAST(julianday(completed_at) - julianday(enrolled_at) AS INTEGER) END"
        }
    };
    conn.execute_unprepared(dates).await?;
    Ok(())
}
