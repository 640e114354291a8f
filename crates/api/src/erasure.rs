//! Erasure (GDPR article 17): a person erases their own account with their password, or an
//! admin erases anyone's but their own. What is removed and what is kept is
//! `help_lms_persistence::accounts::erasure`'s to say; the README says why what is kept no
//! longer identifies the person.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use help_lms_domain::accounts::Actor;
use help_lms_persistence::accounts::{self, erasure};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Admin, Person};
use crate::error::{ApiError, Code, problems};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseMeRequest {
    /// The account's password, as a confirmation.
    #[schema(format = Password, max_length = 1024)]
    pub password: String,
}

/// What was removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureDto {
    pub user_id: Uuid,
    pub erased_at: DateTime<Utc>,
    /// The account had been erased before: nothing changed now.
    pub already_erased: bool,
    /// Certificates whose holder's name was removed (they now verify as `erased`).
    pub certificates: u64,
    /// Quiz attempts whose free-text answers were removed.
    pub attempts: u64,
    /// Extra attempts whose reason (staff's words about the person) was removed.
    pub grants: u64,
    pub sessions: u64,
    /// Activation, confirmation and reset tokens.
    pub tokens: u64,
    pub invitations: u64,
    /// Mail messages to the address, queued or sent.
    pub mail: u64,
    /// Stored answers to repeated requests that named the account.
    pub idempotency_answers: u64,
    pub learning_records: LearningRecordsErasedDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LearningRecordsErasedDto {
    /// xAPI statements deleted (not voided: deleted).
    pub statements: u64,
    pub documents: u64,
    /// Attachments of those statements that no other statement uses.
    pub attachments: u64,
    /// Launch credentials of the person.
    pub credentials: u64,
    /// The external stores that had been sent some of those statements, each queued a
    /// notice voiding them there.
    pub notices: Vec<ErasureNoticeDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureNoticeDto {
    pub forward_id: Uuid,
    /// How many statements the notice voids.
    pub statements: u64,
}

impl From<erasure::Erasure> for ErasureDto {
    fn from(e: erasure::Erasure) -> Self {
        ErasureDto {
            user_id: e.user_id,
            erased_at: e.erased_at,
            already_erased: e.already,
            certificates: e.certificates,
            attempts: e.attempts,
            grants: e.grants,
            sessions: e.sessions,
            tokens: e.tokens,
            invitations: e.invitations,
            mail: e.mail,
            idempotency_answers: e.idempotency,
            learning_records: LearningRecordsErasedDto {
                statements: e.learning_records.statements,
                documents: e.learning_records.documents,
                attachments: e.learning_records.attachments,
                credentials: e.learning_records.credentials,
                notices: e
                    .learning_records
                    .notices
                    .into_iter()
                    .map(|(forward_id, statements)| ErasureNoticeDto {
                        forward_id,
                        statements,
                    })
                    .collect(),
            },
        }
    }
}

/// Erases `user_id` and records it (ids only: the entry names the account by its id, which
/// no longer leads to a person). The forwarding worker sends the notices at its next poll.
pub(crate) async fn erase(
    state: &AppState,
    actor: Option<&Actor>,
    user_id: Uuid,
    institution_id: Option<Uuid>,
) -> Result<erasure::Erasure, ApiError> {
    let done = erasure::erase(&state.db, user_id, Utc::now()).await?;
    if done.already {
        return Ok(done);
    }
    recorded(&state.db, actor, &done, institution_id, None).await;
    Ok(done)
}

/// Logs an erasure and records it in the audit trail (counts and ids only), with why when
/// nobody asked for it (`retention`).
pub(crate) async fn recorded(
    db: &help_lms_persistence::Db,
    actor: Option<&Actor>,
    done: &erasure::Erasure,
    institution_id: Option<Uuid>,
    reason: Option<&str>,
) {
    tracing::info!(
        user_id = %done.user_id,
        statements = done.learning_records.statements,
        notices = done.learning_records.notices.len(),
        "account erased"
    );
    let mut detail = serde_json::json!({
        "certificates": done.certificates,
        "statements": done.learning_records.statements,
        "notices": done.learning_records.notices.len(),
    });
    if let Some(r) = reason {
        detail["reason"] = r.into();
    }
    let object = crate::audit::Object::new("user", done.user_id, institution_id);
    crate::audit::record_on(
        db,
        actor,
        crate::audit::Action::AccountErased,
        object,
        Some(detail),
    )
    .await;
}

/// Erase my account
///
/// A signed-in person (not an API client), with their password; admins ask another admin.
/// Removes, at once and for good, the account's identifying data (name, address, password,
/// sessions and tokens), the free text of quiz answers and of staff's reasons for extra
/// attempts and revocations, the name on certificates (which
/// then verify as `erased`, not revoked), every learning record statement and document
/// about the person (deleted, not only voided), mail to them and stored answers naming
/// them; external learning record stores that were sent their statements are queued a
/// notice voiding them. The counts the statistics report stay as they were. The access
/// token stops working. Download `GET /api/v1/me/export` first to keep a copy.
///
/// Problems: `people_only` (403), `admin_only` (403: an admin's account is erased by
/// another admin), `validation_failed` (422: `password` is wrong), `too_many_requests` (429).
#[utoipa::path(
    tags = ["learner", "tutor", "nti"],
    operation_id = "erase_my_account",
    security(("bearer" = [])),
    request_body(content = EraseMeRequest, example = json!({"password": "Dreptate-si-lege-2026"})),
    responses(
        (status = 200, description = "Erased; what was removed", body = ErasureDto),
        problems::Forbidden,
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/me/erasure", wrap = "crate::headers::no_store()")]
pub async fn erase_me(
    state: web::Data<AppState>,
    Person(actor): Person,
    body: crate::body::Json<EraseMeRequest>,
) -> Result<HttpResponse, ApiError> {
    if actor.is_admin() {
        return Err(ApiError::with(
            Code::AdminOnly,
            "an admin's account is erased by another admin",
        ));
    }
    let user = accounts::find(&state.db.conn, actor.user_id)
        .await?
        .ok_or(ApiError::from(Code::InvalidToken))?;
    crate::auth::password::confirm_password(&state, &user, body.into_inner().password, "password")
        .await?;
    let done = erase(&state, Some(&actor), user.id, user.institution_id).await?;
    Ok(HttpResponse::Ok().json(ErasureDto::from(done)))
}

/// Erase an account
///
/// Admins, for any account but their own (on a person's request, or when the law requires
/// it). The same erasure as `POST /api/v1/me/erasure`; erasing an erased account changes
/// nothing and says `already_erased`.
///
/// Problems: `admin_only` (403), `not_found` (404), `validation_failed` (422: your own
/// account).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "erase_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Erased; what was removed", body = ErasureDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/users/{id}/erasure", wrap = "crate::headers::no_store()")]
pub async fn erase_user(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.0;
    if actor.user_id == *id {
        return Err(ApiError::field(
            "id",
            "own_account",
            "another admin erases an admin's own account",
        ));
    }
    let user = accounts::find(&state.db.conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let done = erase(&state, Some(&actor), user.id, user.institution_id).await?;
    Ok(HttpResponse::Ok().json(ErasureDto::from(done)))
}
