//! The messages of a bulk enrolment, written in its transaction: the invitation of each new
//! account (when the caller asked for mail), and the request to join sent to the owner of
//! each existing account the institution does not manage (always: only their own mailbox
//! is trusted), with the tokens the answer carries.

use chrono::{DateTime, Utc};
use help_lms_domain::enrolment::ValidRow;
use help_lms_domain::values::Role;
use sea_orm::{DatabaseTransaction, EntityTrait};
use uuid::Uuid;

use super::bulk::{BulkRequest, CHUNK, RowResult};
use crate::account_tokens::{self, Purpose};
use crate::cohorts::Cohort;
use crate::cohorts::invitations::{self, Sent};
use crate::entities::{activation_tokens, cohort_invitations, users};
use crate::error::StoreError;
use crate::institutions;
use crate::outbox::{Notice, OutgoingMail, Recipient};

/// The activation token of each account created, put in its row's result, and (when the
/// caller asked for mail) its invitation. A dry run creates nothing, so it has none.
pub(super) async fn new_account_mail(
    txn: &DatabaseTransaction,
    cohort: &Cohort,
    req: &BulkRequest<'_>,
    created: &[(usize, &ValidRow, Uuid)],
    results: &mut [RowResult],
    now: DateTime<Utc>,
) -> Result<(Vec<activation_tokens::ActiveModel>, Vec<OutgoingMail>), StoreError> {
    if req.dry_run {
        return Ok((Vec::new(), Vec::new()));
    }
    let institution = match req.mail_new_accounts {
        true => institutions::name_of(txn, Some(cohort.institution_id)).await?,
        false => None,
    };
    let mut rows = Vec::with_capacity(created.len());
    let mut mails = Vec::new();
    for (idx, row, user_id) in created {
        let (token_row, token) =
            account_tokens::new_row(*user_id, Purpose::Activation, req.activation_ttl, now)?;
        rows.push(token_row);
        if req.mail_new_accounts {
            let to = Recipient {
                email: row.email.as_str(),
                name: row.name.as_str(),
                language: row.language,
                role: Role::Learner,
            };
            let notice = Notice::Invitation {
                token: &token,
                institution: institution.as_deref(),
            };
            mails.push(req.compose.compose(to, notice));
        }
        if let Some(r) = results.get_mut(*idx) {
            r.activation_token = Some(token);
        }
    }
    Ok((rows, mails))
}

/// Invitations to join, for rows whose address has an account the institution does not
/// manage: written (or renewed when withdrawn), the owner mailed whatever the delivery, and
/// the token put in the row's result as a new account's would be. Staff and admin owners
/// are told nothing was done; their invitation cannot be accepted. A dry run writes none.
pub(super) async fn ask_to_join(
    txn: &DatabaseTransaction,
    cohort: &Cohort,
    req: &BulkRequest<'_>,
    invited: &[(usize, &ValidRow, &users::Model, Option<Uuid>)],
    results: &mut [RowResult],
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingMail>, StoreError> {
    if req.dry_run || invited.is_empty() {
        return Ok(Vec::new());
    }
    let institution = institutions::name_of(txn, Some(cohort.institution_id))
        .await?
        .unwrap_or_default();
    let mut mails = Vec::with_capacity(invited.len());
    let mut rows = Vec::new();
    for (idx, row, owner, renew) in invited {
        let Some(id) = results.get(*idx).and_then(|r| r.enrolment_id) else {
            continue;
        };
        let sent = Sent {
            email: row.email.as_str(),
            name: row.name.as_str(),
            profession: row.profession.as_str(),
            country: row.country.as_str(),
            language: row.language,
        };
        let (mut am, token) = invitations::new_row(id, cohort.id, owner.id, &sent, now)?;
        if renew.is_some() {
            // The withdrawn invitation waits again, with what was sent this time.
            am.id = sea_orm::ActiveValue::Unchanged(id);
            sea_orm::ActiveModelTrait::update(am, txn).await?;
        } else {
            rows.push(am);
        }
        mails.push(invitations::request_to_join(
            req.compose,
            owner,
            row.language,
            &token,
            &institution,
            cohort,
        )?);
        // A token in the answer as a new account's (a row enrolled again carries none).
        if renew.is_none()
            && let Some(r) = results.get_mut(*idx)
        {
            r.activation_token = Some(token);
        }
    }
    for chunk in rows.chunks(CHUNK) {
        cohort_invitations::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    Ok(mails)
}
