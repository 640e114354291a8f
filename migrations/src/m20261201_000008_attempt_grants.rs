//! Extra attempts a tutor, manager or admin gives one learner on one quiz (who, when, why,
//! how many), counted by the attempt limit; and attempts left open by enrolments withdrawn
//! earlier closed as void, since a withdrawn enrolment's open attempt never counts.

use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AttemptGrants {
    Table,
    Id,
    EnrolmentId,
    QuizId,
    Extra,
    Reason,
    GrantedBy,
    GrantedAt,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Quizzes {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AttemptGrants::Table)
                .col(uuid_pk(AttemptGrants::Id))
                .col(uuid(AttemptGrants::EnrolmentId))
                .col(uuid(AttemptGrants::QuizId))
                .col(int(AttemptGrants::Extra))
                .col(text(AttemptGrants::Reason))
                // A user, not a foreign key: the record stays if the account goes.
                .col(uuid(AttemptGrants::GrantedBy))
                .col(ts(AttemptGrants::GrantedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AttemptGrants::Table, AttemptGrants::EnrolmentId)
                        .to(Enrolments::Table, Enrolments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AttemptGrants::Table, AttemptGrants::QuizId)
                        .to(Quizzes::Table, Quizzes::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attempt_grants_enrolment")
                .table(AttemptGrants::Table)
                .col(AttemptGrants::EnrolmentId)
                .col(AttemptGrants::QuizId)
                .to_owned(),
        )
        .await?;
        // Open attempts of enrolments withdrawn before withdrawal closed them.
        m.get_connection()
            .execute_unprepared(
                "UPDATE attempts SET status = 'void' WHERE status = 'in_progress' \
                 AND enrolment_id IN (SELECT id FROM enrolments WHERE status = 'withdrawn')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AttemptGrants::Table).to_owned())
            .await
    }
}
