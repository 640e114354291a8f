//! Getting into an account and keeping others out of it: verified self-registration,
//! activation, password reset and change, resending an invitation, disabling. Each runs in
//! one transaction with the messages it sends (written to the outbox), so a message goes
//! out if and only if what it announces happened.

use chrono::{Duration, Utc};
use help_lms_domain::accounts::User;
use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role, UserStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{NewUser, insert, to_domain};
use crate::account_tokens::{self, Purpose, Refused};
use crate::entities::users;
use crate::error::{StoreError, is_unique_violation};
use crate::outbox::{self, Compose, Notice, Recipient};
use crate::{Db, institutions, sessions};

/// How long each kind of token works.
#[derive(Debug, Clone, Copy)]
pub struct TokenLifetimes {
    pub invitation: Duration,
    pub confirmation: Duration,
    pub reset: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        TokenLifetimes {
            invitation: Duration::days(30),
            confirmation: Duration::days(2),
            reset: Duration::hours(1),
        }
    }
}

/// A learner registering themselves; the password is already hashed.
pub struct Registration {
    pub email: Email,
    pub name: PersonName,
    pub profession: Profession,
    pub country: Country,
    pub language: Language,
    pub password_hash: String,
}

/// What a registration did. The API answers all of them the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// A new account waits for its address to be confirmed.
    Pending(Uuid),
    /// The address has an account: its owner was told (unless it is disabled).
    Existing,
}

async fn mail(
    txn: &DatabaseTransaction,
    compose: &dyn Compose,
    to: &User,
    notice: Notice<'_>,
) -> Result<(), StoreError> {
    outbox::enqueue_mail(txn, &[compose.compose(Recipient::from(to), notice)]).await
}

async fn by_email(txn: &DatabaseTransaction, email: &Email) -> Result<Option<User>, StoreError> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(txn)
        .await?
        .map(to_domain)
        .transpose()
}

/// Registers a learner whose account becomes active only through the emailed link. For an
/// address that has an account, its owner gets a message instead: a reset link for an
/// active account, an activation link (their own password) for one never activated.
pub async fn register(
    db: &Db,
    compose: &dyn Compose,
    lifetimes: TokenLifetimes,
    r: Registration,
) -> Result<Registered, StoreError> {
    // Two registrations of one new address race on the unique email: the loser retries
    // and finds the winner's account.
    for _ in 0..2 {
        match register_once(db, compose, lifetimes, &r).await {
            Err(StoreError::Db(e)) if is_unique_violation(&e) => continue,
            other => return other,
        }
    }
    register_once(db, compose, lifetimes, &r).await
}

async fn register_once(
    db: &Db,
    compose: &dyn Compose,
    lifetimes: TokenLifetimes,
    r: &Registration,
) -> Result<Registered, StoreError> {
    let txn = db.begin_write().await?;
    let outcome = match by_email(&txn, &r.email).await? {
        Some(existing) => {
            tell_owner(&txn, compose, lifetimes, &existing).await?;
            Registered::Existing
        }
        None => {
            let model = users::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(r.email.as_str().to_owned()),
                name: Set(r.name.as_str().to_owned()),
                profession: Set(r.profession.as_str().to_owned()),
                country: Set(r.country.as_str().to_owned()),
                language: Set(r.language.as_str().to_owned()),
                institution_id: Set(None),
                role: Set(Role::Learner.as_str().to_owned()),
                status: Set(UserStatus::Invited.as_str().to_owned()),
                password_hash: Set(Some(r.password_hash.clone())),
                created_at: Set(Utc::now()),
                updated_at: Set(Utc::now()),
                last_login_at: Set(None),
                status_before_disabled: Set(None),
                sessions_valid_from: Set(None),
                erased_at: Set(None),
            };
            let user = to_domain(model.insert(&txn).await?)?;
            let token = account_tokens::issue(
                &txn,
                user.id,
                Purpose::ConfirmAddress,
                lifetimes.confirmation,
            )
            .await?;
            mail(
                &txn,
                compose,
                &user,
                Notice::ConfirmAddress { token: &token },
            )
            .await?;
            Registered::Pending(user.id)
        }
    };
    txn.commit().await?;
    Ok(outcome)
}

async fn tell_owner(
    txn: &DatabaseTransaction,
    compose: &dyn Compose,
    lifetimes: TokenLifetimes,
    owner: &User,
) -> Result<(), StoreError> {
    match owner.status {
        UserStatus::Active => {
            let token =
                account_tokens::issue(txn, owner.id, Purpose::PasswordReset, lifetimes.reset)
                    .await?;
            let notice = Notice::RegisteredAlready {
                reset_token: &token,
            };
            mail(txn, compose, owner, notice).await
        }
        UserStatus::Invited => {
            // Whoever registered first cannot have the address confirmed under their
            // password: the owner's link sets a password of their own.
            account_tokens::revoke_open(txn, owner.id, Purpose::ConfirmAddress).await?;
            let token =
                account_tokens::issue(txn, owner.id, Purpose::Activation, lifetimes.invitation)
                    .await?;
            let notice = Notice::RegistrationPending {
                activation_token: &token,
            };
            mail(txn, compose, owner, notice).await
        }
        // Nobody is told anything about a disabled account; an erased one has no address.
        UserStatus::Disabled | UserStatus::Erased => Ok(()),
    }
}

/// Why a token could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefused {
    Token(Refused),
    /// The token was good but the account is disabled.
    Disabled,
}

impl From<Refused> for TokenRefused {
    fn from(r: Refused) -> Self {
        TokenRefused::Token(r)
    }
}

async fn claimed_user(
    txn: &DatabaseTransaction,
    token: &str,
    purpose: Purpose,
) -> Result<Result<users::Model, TokenRefused>, StoreError> {
    let user_id = match account_tokens::claim(txn, token, purpose).await? {
        Ok(id) => id,
        Err(r) => return Ok(Err(r.into())),
    };
    match users::Entity::find_by_id(user_id).one(txn).await? {
        None => Ok(Err(Refused::Unknown.into())),
        Some(u) if u.status == UserStatus::Disabled.as_str() => Ok(Err(TokenRefused::Disabled)),
        Some(u) => Ok(Ok(u)),
    }
}

async fn set_password_and_activate(
    txn: &DatabaseTransaction,
    user: users::Model,
    password_hash: Option<String>,
) -> Result<User, StoreError> {
    let mut am = users::ActiveModel {
        id: Set(user.id),
        status: Set(UserStatus::Active.as_str().to_owned()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(h) = password_hash {
        am.password_hash = Set(Some(h));
    }
    to_domain(am.update(txn).await?)
}

/// Uses an activation token: sets the password and activates the account.
pub async fn activate(
    db: &Db,
    token: &str,
    password_hash: String,
) -> Result<Result<User, TokenRefused>, StoreError> {
    let txn = db.begin_write().await?;
    let user = match claimed_user(&txn, token, Purpose::Activation).await? {
        Ok(u) if u.status == UserStatus::Invited.as_str() => u,
        Ok(_) => return Ok(Err(Refused::Spent.into())),
        Err(r) => return Ok(Err(r)),
    };
    account_tokens::revoke_open(&txn, user.id, Purpose::ConfirmAddress).await?;
    let user = set_password_and_activate(&txn, user, Some(password_hash)).await?;
    txn.commit().await?;
    Ok(Ok(user))
}

/// Uses a confirmation token: the registration's account becomes active with the password
/// given at registration.
pub async fn confirm_address(
    db: &Db,
    token: &str,
) -> Result<Result<User, TokenRefused>, StoreError> {
    let txn = db.begin_write().await?;
    let user = match claimed_user(&txn, token, Purpose::ConfirmAddress).await? {
        Ok(u) if u.status == UserStatus::Invited.as_str() && u.password_hash.is_some() => u,
        Ok(_) => return Ok(Err(Refused::Spent.into())),
        Err(r) => return Ok(Err(r)),
    };
    let user = set_password_and_activate(&txn, user, None).await?;
    txn.commit().await?;
    Ok(Ok(user))
}

/// Sends a reset link to the account of `email`, if it has one that is not disabled (an
/// account never activated is activated by the reset: the link proves the address). True
/// when a message was written.
pub async fn request_reset(
    db: &Db,
    compose: &dyn Compose,
    lifetimes: TokenLifetimes,
    email: &Email,
) -> Result<bool, StoreError> {
    let txn = db.begin_write().await?;
    let Some(user) = by_email(&txn, email).await? else {
        return Ok(false);
    };
    if user.status == UserStatus::Disabled {
        return Ok(false);
    }
    let token =
        account_tokens::issue(&txn, user.id, Purpose::PasswordReset, lifetimes.reset).await?;
    mail(
        &txn,
        compose,
        &user,
        Notice::PasswordReset { token: &token },
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Uses a reset token: sets the password, activates an account never activated, ends every
/// session of the account, and tells its owner.
pub async fn complete_reset(
    db: &Db,
    compose: &dyn Compose,
    token: &str,
    password_hash: String,
) -> Result<Result<User, TokenRefused>, StoreError> {
    let txn = db.begin_write().await?;
    let user = match claimed_user(&txn, token, Purpose::PasswordReset).await? {
        Ok(u) => u,
        Err(r) => return Ok(Err(r)),
    };
    for purpose in [Purpose::Activation, Purpose::ConfirmAddress] {
        account_tokens::revoke_open(&txn, user.id, purpose).await?;
    }
    let user = set_password_and_activate(&txn, user, Some(password_hash)).await?;
    end_sessions(&txn, user.id).await?;
    mail(&txn, compose, &user, Notice::PasswordChanged).await?;
    txn.commit().await?;
    Ok(Ok(user))
}

/// Sets a new password for a signed-in user (whose current password the caller checked),
/// ends every session of the account and tells its owner.
pub async fn change_password(
    db: &Db,
    compose: &dyn Compose,
    user_id: Uuid,
    password_hash: String,
) -> Result<User, StoreError> {
    let txn = db.begin_write().await?;
    let user = to_domain(
        users::ActiveModel {
            id: Set(user_id),
            password_hash: Set(Some(password_hash)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .update(&txn)
        .await
        .map_err(not_found)?,
    )?;
    account_tokens::revoke_open(&txn, user.id, Purpose::PasswordReset).await?;
    end_sessions(&txn, user.id).await?;
    mail(&txn, compose, &user, Notice::PasswordChanged).await?;
    txn.commit().await?;
    Ok(user)
}

/// Ends every session of the account: its refresh tokens at once, and its access tokens
/// from their next request (they were issued before `sessions_valid_from`).
async fn end_sessions(txn: &DatabaseTransaction, user_id: Uuid) -> Result<(), StoreError> {
    sessions::revoke_all(txn, user_id).await?;
    users::ActiveModel {
        id: Set(user_id),
        sessions_valid_from: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(())
}

fn not_found(e: sea_orm::DbErr) -> StoreError {
    match e {
        sea_orm::DbErr::RecordNotUpdated => StoreError::NotFound,
        e => e.into(),
    }
}

/// Why an invitation could not be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendRefused {
    /// The account is already active (its owner can reset the password) or disabled.
    NotInvited(UserStatus),
}

/// Issues a fresh activation token for an invited account, revoking the older ones, and
/// (with `compose`) mails it. Returns the token, for callers that deliver it themselves.
pub async fn resend_invitation(
    db: &Db,
    compose: Option<&dyn Compose>,
    lifetimes: TokenLifetimes,
    user: &User,
) -> Result<Result<String, ResendRefused>, StoreError> {
    let txn = db.begin_write().await?;
    let current = users::Entity::find_by_id(user.id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let current = to_domain(current)?;
    if current.status != UserStatus::Invited {
        return Ok(Err(ResendRefused::NotInvited(current.status)));
    }
    account_tokens::revoke_open(&txn, user.id, Purpose::ConfirmAddress).await?;
    let token =
        account_tokens::issue(&txn, user.id, Purpose::Activation, lifetimes.invitation).await?;
    if let Some(compose) = compose {
        let institution = institutions::name_of(&txn, current.institution_id).await?;
        let notice = Notice::Invitation {
            token: &token,
            institution: institution.as_deref(),
        };
        mail(&txn, compose, &current, notice).await?;
    }
    txn.commit().await?;
    Ok(Ok(token))
}

/// Creates an invited account and its activation token in one transaction (the account
/// never exists without a way in), and with `compose` the invitation message.
pub async fn invite(
    db: &Db,
    compose: Option<&dyn Compose>,
    new: NewUser,
    lifetimes: TokenLifetimes,
) -> Result<(User, String), StoreError> {
    let txn = db.begin_write().await?;
    let institution = institutions::name_of(&txn, new.institution_id).await?;
    let user = insert(&txn, new).await?;
    let token =
        account_tokens::issue(&txn, user.id, Purpose::Activation, lifetimes.invitation).await?;
    if let Some(compose) = compose {
        let notice = Notice::Invitation {
            token: &token,
            institution: institution.as_deref(),
        };
        mail(&txn, compose, &user, notice).await?;
    }
    txn.commit().await?;
    Ok((user, token))
}

/// Disables an account (its sessions end at once; access tokens stop at their next
/// request) or enables it again, back to the status it had. Idempotent.
pub async fn set_disabled(db: &Db, user_id: Uuid, disabled: bool) -> Result<User, StoreError> {
    let txn = db.begin_write().await?;
    let current = users::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let is_disabled = current.status == UserStatus::Disabled.as_str();
    // An erased account stays erased.
    if is_disabled == disabled || current.status == UserStatus::Erased.as_str() {
        return to_domain(current);
    }
    let mut am = users::ActiveModel {
        id: Set(user_id),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if disabled {
        am.status_before_disabled = Set(Some(current.status.clone()));
        am.status = Set(UserStatus::Disabled.as_str().to_owned());
    } else {
        let back = match current.status_before_disabled.as_deref() {
            Some(s) if s != UserStatus::Disabled.as_str() => s.to_owned(),
            _ if current.password_hash.is_some() => UserStatus::Active.as_str().to_owned(),
            _ => UserStatus::Invited.as_str().to_owned(),
        };
        am.status = Set(back);
        am.status_before_disabled = Set(None);
    }
    let user = to_domain(am.update(&txn).await?)?;
    if disabled {
        sessions::revoke_all(&txn, user_id).await?;
    }
    txn.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests;
