//! Certificates v2: the tutored run's institution, tutors and dates join the snapshot a
//! certificate prints (certificates issued earlier keep them empty and print without), and
//! every certificate gets its own position in the public revocation list of its Open Badges
//! credential. A one-row counter hands out those positions, so that concurrent completions
//! never take the same one.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    InstitutionName,
    TutorNames,
    CohortStartsOn,
    CohortEndsOn,
    StatusIndex,
}

#[derive(DeriveIden)]
enum Counters {
    Table,
    Name,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            text_null(Certificates::InstitutionName),
            // The tutors' names, one per line, in the order printed.
            text_null(Certificates::TutorNames),
            ColumnDef::new(Certificates::CohortStartsOn)
                .date()
                .null()
                .take(),
            ColumnDef::new(Certificates::CohortEndsOn)
                .date()
                .null()
                .take(),
            ColumnDef::new(Certificates::StatusIndex)
                .big_integer()
                .not_null()
                .default(0)
                .take(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        // Certificates issued earlier take positions in the order they were issued.
        db.execute_unprepared(
            "UPDATE certificates SET status_index = (SELECT COUNT(*) FROM certificates AS c \
             WHERE c.issued_at < certificates.issued_at \
             OR (c.issued_at = certificates.issued_at AND c.id < certificates.id))",
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_certificates_status_index")
                .table(Certificates::Table)
                .col(Certificates::StatusIndex)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Counters::Table)
                .col(
                    ColumnDef::new(Counters::Name)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Counters::Value).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO counters (name, value) \
             SELECT 'certificate_status_index', COUNT(*) FROM certificates",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Counters::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_certificates_status_index")
                .table(Certificates::Table)
                .to_owned(),
        )
        .await?;
        for col in [
            Certificates::StatusIndex,
            Certificates::CohortEndsOn,
            Certificates::CohortStartsOn,
            Certificates::TutorNames,
            Certificates::InstitutionName,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
