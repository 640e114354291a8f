//! The audit trail as the API writes and reads it: handlers record security-relevant
//! events (ids only, never names, emails or secrets) with the request's id, and admins
//! read them all, managers their institution's, as JSON pages or CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use help_lms_domain::accounts::Actor;
use help_lms_domain::values::Role;
use help_lms_persistence::audit::{self, Entry, Filter, NewEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Manager;
use crate::error::{ApiError, problems};
use crate::pagination::{Page, PageParams};
use crate::spreadsheet::{self, Cell, CsvParams, CsvQuery, Sheet};
use crate::state::AppState;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    LoginSucceeded,
    LoginFailed,
    RefreshTokenReused,
    UserDisabled,
    UserEnabled,
    StaffInvited,
    InvitationResent,
    ApiClientCreated,
    ApiClientRevoked,
    LrsCredentialCreated,
    LrsCredentialRevoked,
    LrsForwardCreated,
    LrsForwardRevoked,
    SelfEnrolled,
    CohortEnrolled,
    Withdrawn,
    AttemptsGranted,
    CertificateRevoked,
    RosterExported,
    DataExported,
    AuditExported,
    AccountErased,
    RetentionReported,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::LoginSucceeded => "login_succeeded",
            Action::LoginFailed => "login_failed",
            Action::RefreshTokenReused => "refresh_token_reused",
            Action::UserDisabled => "user_disabled",
            Action::UserEnabled => "user_enabled",
            Action::StaffInvited => "staff_invited",
            Action::InvitationResent => "invitation_resent",
            Action::ApiClientCreated => "api_client_created",
            Action::ApiClientRevoked => "api_client_revoked",
            Action::LrsCredentialCreated => "lrs_credential_created",
            Action::LrsCredentialRevoked => "lrs_credential_revoked",
            Action::LrsForwardCreated => "lrs_forward_created",
            Action::LrsForwardRevoked => "lrs_forward_revoked",
            Action::SelfEnrolled => "self_enrolled",
            Action::CohortEnrolled => "cohort_enrolled",
            Action::Withdrawn => "withdrawn",
            Action::AttemptsGranted => "attempts_granted",
            Action::CertificateRevoked => "certificate_revoked",
            Action::RosterExported => "roster_exported",
            Action::DataExported => "data_exported",
            Action::AuditExported => "audit_exported",
            Action::AccountErased => "account_erased",
            Action::RetentionReported => "retention_reported",
        }
    }
}

/// The object of an event: its kind, its id, and the institution it belongs to.
pub struct Object {
    pub kind: &'static str,
    pub id: Option<String>,
    pub institution_id: Option<Uuid>,
}

impl Object {
    /// An object named by its kind alone (an unknown account, a session, the trail).
    pub fn kind(kind: &'static str, institution_id: Option<Uuid>) -> Object {
        Object {
            kind,
            id: None,
            institution_id,
        }
    }

    pub fn new(kind: &'static str, id: impl ToString, institution_id: Option<Uuid>) -> Object {
        Object {
            kind,
            id: Some(id.to_string()),
            institution_id,
        }
    }
}

/// Records an event. The request it belongs to has already done its work, so a failure
/// here is logged, not answered.
pub async fn record(
    state: &AppState,
    actor: Option<&Actor>,
    action: Action,
    object: Object,
    detail: Option<serde_json::Value>,
) {
    record_on(&state.db, actor, action, object, detail).await;
}

/// [`record`] on `db`, for work done outside a request (the retention job): the request id
/// is the current one's, if any.
pub async fn record_on(
    db: &help_lms_persistence::Db,
    actor: Option<&Actor>,
    action: Action,
    object: Object,
    detail: Option<serde_json::Value>,
) {
    let entry = NewEntry {
        action: action.as_str(),
        actor_id: actor.map(|a| a.user_id),
        actor_role: actor.map(|a| a.role.as_str().to_owned()),
        actor_institution: actor.and_then(|a| a.institution_id),
        object_type: object.kind,
        object_id: object.id,
        institution_id: object.institution_id,
        request_id: crate::request_id::current(),
        detail,
    };
    if let Err(e) = audit::record(&db.conn, entry).await {
        tracing::error!(error = %e, action = action.as_str(), "the audit trail could not record an event");
    }
}

/// The filters of the trail.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this kind of event.
    #[param(value_type = Option<Action>)]
    pub action: Option<String>,
    /// Only what this account did.
    pub actor_id: Option<Uuid>,
    /// Only what concerns this object (a user's, enrolment's, certificate's... id).
    #[param(max_length = 100)]
    pub object_id: Option<String>,
    /// Admins: only this institution's events. Managers always read their own's.
    pub institution_id: Option<Uuid>,
    /// From this time (UTC, inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Up to this time (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    #[schema(value_type = Action)]
    pub action: String,
    pub actor_id: Option<Uuid>,
    #[schema(value_type = Option<Role>)]
    pub actor_role: Option<String>,
    pub actor_institution: Option<Uuid>,
    /// user, enrolment, cohort, certificate, api_client, lrs_credential, lrs_forward, session
    pub object_type: String,
    pub object_id: Option<String>,
    pub institution_id: Option<Uuid>,
    /// The `X-Request-Id` of the request that did it.
    pub request_id: Option<String>,
    /// Counts and ids.
    #[schema(value_type = Option<HashMap<String, serde_json::Value>>)]
    pub detail: Option<serde_json::Value>,
}

impl From<Entry> for AuditEntryDto {
    fn from(e: Entry) -> Self {
        AuditEntryDto {
            id: e.id,
            at: e.at,
            action: e.action,
            actor_id: e.actor_id,
            actor_role: e.actor_role,
            actor_institution: e.actor_institution,
            object_type: e.object_type,
            object_id: e.object_id,
            institution_id: e.institution_id,
            request_id: e.request_id,
            detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }
}

/// The columns of the CSV.
pub const COLUMNS: [&str; 11] = [
    "at",
    "action",
    "actor_id",
    "actor_role",
    "actor_institution",
    "object_type",
    "object_id",
    "institution_id",
    "request_id",
    "detail",
    "id",
];

/// Read the audit trail
///
/// Admins read every event; an institution's managers (people or API clients) the events
/// of their institution and of its accounts. Newest first, in pages as JSON, or every
/// matching event as CSV with `Accept: text/csv` (itself recorded as `audit_exported`).
/// Entries hold ids, never names, emails or secrets.
///
/// Problems: `managers_only` (403) for learners and tutors, `not_found` (404) for a
/// manager asking for another institution, `validation_failed` (422: `action`, `limit`,
/// `offset`, a malformed time or id).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "list_audit_events",
    security(("bearer" = [])),
    params(AuditQuery, CsvParams),
    responses(
        (status = 200, description = "The events, newest first; with `Accept: text/csv` all of them as CSV", body = Page<AuditEntryDto>),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/audit", wrap = "crate::headers::no_store()")]
pub async fn list_audit(
    state: web::Data<AppState>,
    manager: Manager,
    req: HttpRequest,
    q: CsvQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = manager.0;
    let page = PageParams {
        limit: q.limit,
        offset: q.offset,
    }
    .checked()?;
    let action = match q.action.as_deref() {
        None => None,
        Some(a) => Some(
            serde_json::from_value::<Action>(serde_json::Value::String(a.to_owned()))
                .map_err(|_| ApiError::field("action", "invalid_query", format!("no action {a}")))?
                .as_str()
                .to_owned(),
        ),
    };
    if q.object_id
        .as_ref()
        .is_some_and(|o| o.chars().count() > 100)
    {
        return Err(ApiError::field(
            "object_id",
            "invalid_query",
            "an object's id, at most 100 characters",
        ));
    }
    let institution_id = crate::xapi::owner(&actor, q.institution_id)?;
    let filter = Filter {
        action,
        actor_id: q.actor_id,
        object_id: q.object_id.clone(),
        person: None,
        institution_id,
        since: q.since,
        until: q.until,
    };
    if crate::negotiate::asks_for(&req, "text/csv") {
        let (rows, total) = audit::list(&state.db.conn, &filter, u64::MAX >> 1, 0).await?;
        let mut sheet = Sheet::new(q.delimiter, &COLUMNS);
        for e in rows {
            sheet.row([
                Cell::time(e.at),
                Cell::text(&e.action),
                e.actor_id.map(Cell::id).unwrap_or(Cell::opt_text(None)),
                Cell::opt_text(e.actor_role.as_deref()),
                e.actor_institution
                    .map(Cell::id)
                    .unwrap_or(Cell::opt_text(None)),
                Cell::text(&e.object_type),
                Cell::opt_text(e.object_id.as_deref()),
                e.institution_id
                    .map(Cell::id)
                    .unwrap_or(Cell::opt_text(None)),
                Cell::opt_text(e.request_id.as_deref()),
                Cell::opt_text(e.detail.as_deref()),
                Cell::id(e.id),
            ]);
        }
        record(
            &state,
            Some(&actor),
            Action::AuditExported,
            Object::kind("audit", institution_id),
            Some(serde_json::json!({"rows": total})),
        )
        .await;
        let name = spreadsheet::file_name(&["audit"], spreadsheet::today());
        return Ok(sheet.into_response(&name));
    }
    let (rows, total) = audit::list(
        &state.db.conn,
        &filter,
        u64::from(page.limit()),
        u64::from(page.offset()),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows
            .into_iter()
            .map(AuditEntryDto::from)
            .collect::<Vec<_>>(),
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}
