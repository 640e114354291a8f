//! What an invitation to join sends: the request to join (or, to a staff or admin owner, the
//! notice that nothing was done), written at bulk enrolment and again on a reminder.

use help_lms_domain::enrolment::InvitationStatus;
use help_lms_domain::values::{Language, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::invitations::locked_in;
use super::{Cohort, lock};
use crate::entities::{cohort_invitations as ci, users};
use crate::error::StoreError;
use crate::outbox::{self, Compose, Notice, OutgoingMail, Recipient};
use crate::sessions::{random_token, token_hash};
use crate::{Db, institutions};

/// A new link for a waiting invitation, mailed to its addressee: a fresh token (the older
/// link stops working), in the answer as a re-sent invitation's would be. `None` when `id`
/// is no waiting invitation of this cohort.
pub async fn remind(
    db: &Db,
    cohort_id: Uuid,
    id: Uuid,
    compose: &dyn Compose,
) -> Result<Option<String>, StoreError> {
    let txn = db.begin_write().await?;
    let cohort = lock(&txn, cohort_id).await?;
    let Some(m) = locked_in(&txn, cohort_id, id)
        .await?
        .filter(|m| m.status == InvitationStatus::Pending.as_str())
    else {
        txn.rollback().await?;
        return Ok(None);
    };
    let owner = users::Entity::find_by_id(m.user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let token = random_token()?;
    ci::Entity::update_many()
        .col_expr(ci::Column::TokenHash, Expr::value(token_hash(&token)))
        .filter(ci::Column::Id.eq(m.id))
        .exec(&txn)
        .await?;
    let institution = institutions::name_of(&txn, Some(cohort.institution_id))
        .await?
        .unwrap_or_default();
    let mail = request_to_join(
        compose,
        &owner,
        cohort.language,
        &token,
        &institution,
        &cohort,
    )?;
    outbox::enqueue_mail(&txn, &[mail]).await?;
    txn.commit().await?;
    Ok(Some(token))
}

/// The message asking `owner` to join `cohort` with the invitation's `token`, in the owner's
/// language (else `fallback`); to a staff or admin owner, the notice that nothing was done.
pub(crate) fn request_to_join(
    compose: &dyn Compose,
    owner: &users::Model,
    fallback: Language,
    token: &str,
    institution: &str,
    cohort: &Cohort,
) -> Result<OutgoingMail, StoreError> {
    let role = Role::parse(&owner.role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let to = Recipient {
        email: &owner.email,
        name: &owner.name,
        language: Language::parse(&owner.language).unwrap_or(fallback),
        role,
    };
    let notice = if role == Role::Learner {
        Notice::CohortInvitation {
            token,
            institution,
            cohort: &cohort.name,
        }
    } else {
        Notice::CohortInvitationRefused {
            institution,
            cohort: &cohort.name,
        }
    };
    Ok(compose.compose(to, notice))
}
