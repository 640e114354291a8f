//! The three document resources (state, activity profile, agent profile): opaque
//! documents under their keys, with ETags for optimistic concurrency, JSON merging on
//! `POST`, and the list of ids when no document id is given.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use help_lms_persistence::xapi::documents::{self as store, Document, Key, Kind};
use serde_json::Value;
use sha2::Digest;

use super::{agent_param, authenticate, bad, micros_of, param, params};
use crate::error::{ApiError, Code};
use crate::state::AppState;

/// The resource at `path` for documents of `kind`.
pub fn resource(path: &str, kind: Kind) -> actix_web::Resource {
    web::resource(path)
        .route(web::get().to(move |r, s| get(r, s, kind)))
        .route(web::head().to(move |r, s| get(r, s, kind)))
        .route(web::put().to(move |r, s, b| put(r, s, b, kind)))
        .route(web::post().to(move |r, s, b| post(r, s, b, kind)))
        .route(web::delete().to(move |r, s| delete(r, s, kind)))
}

/// The name of the document id parameter of each resource.
fn id_param(kind: Kind) -> &'static str {
    match kind {
        Kind::State => "stateId",
        Kind::ActivityProfile | Kind::AgentProfile => "profileId",
    }
}

/// A request's document key, whether it names one document, and its parameters.
struct Target {
    key: Key,
    one: bool,
    params: Vec<(String, String)>,
}

/// The document key of a request, with whether it names one document.
fn key(req: &HttpRequest, scope: String, kind: Kind) -> Result<Target, ApiError> {
    let params = params(req)?;
    if param(&params, "method").is_some() {
        return Err(bad(
            "the alternate request syntax (the method parameter) is not part of xAPI 2.0",
        ));
    }
    let allowed: &[&str] = match kind {
        Kind::State => &["activityId", "agent", "registration", "stateId", "since"],
        Kind::ActivityProfile => &["activityId", "profileId", "since"],
        Kind::AgentProfile => &["agent", "profileId", "since"],
    };
    if let Some((k, _)) = params.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(bad(format!("this resource takes no parameter {k}")));
    }
    let mut k = Key {
        scope,
        kind,
        activity_id: String::new(),
        agent_key: String::new(),
        registration: String::new(),
        doc_id: String::new(),
    };
    if matches!(kind, Kind::State | Kind::ActivityProfile) {
        let activity = param(&params, "activityId").ok_or_else(|| bad("activityId is required"))?;
        if !help_lms_domain::xapi::is_iri(activity) {
            return Err(bad("activityId is an IRI"));
        }
        k.activity_id = activity.to_owned();
    }
    if matches!(kind, Kind::State | Kind::AgentProfile) {
        let agent = param(&params, "agent").ok_or_else(|| bad("agent is required"))?;
        k.agent_key = agent_param("agent", agent)?.1;
    }
    if let Some(r) = param(&params, "registration") {
        k.registration = uuid::Uuid::parse_str(r)
            .map_err(|_| bad("registration is a UUID"))?
            .to_string();
    }
    let one = match param(&params, id_param(kind)) {
        Some(id) => {
            k.doc_id = id.to_owned();
            true
        }
        None => false,
    };
    Ok(Target {
        key: k,
        one,
        params,
    })
}

fn etag_of(content: &[u8]) -> String {
    format!("\"{}\"", hex::encode(sha2::Sha256::digest(content)))
}

/// Whether an `If-Match`/`If-None-Match` value names `etag` (or `*` with a document).
fn names(value: &str, etag: Option<&str>) -> bool {
    value.split(',').map(str::trim).any(|v| match (v, etag) {
        ("*", Some(_)) => true,
        (v, Some(e)) => v.trim_start_matches("W/") == e,
        _ => false,
    })
}

/// Applies the request's preconditions to the current document; `put` also refuses to
/// overwrite a document without one.
fn preconditions(req: &HttpRequest, current: Option<&Document>, put: bool) -> Result<(), ApiError> {
    let header_of = |h| {
        req.headers()
            .get(h)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let etag = current.map(|d| d.etag.as_str());
    let if_match = header_of(header::IF_MATCH);
    let if_none = header_of(header::IF_NONE_MATCH);
    if let Some(m) = if_match
        && !names(m, etag)
    {
        return Err(ApiError::with(
            Code::PreconditionFailed,
            "If-Match does not name the document's current ETag",
        ));
    }
    if let Some(n) = if_none
        && names(n, etag)
    {
        return Err(ApiError::with(
            Code::PreconditionFailed,
            "If-None-Match names the document, which exists",
        ));
    }
    if put && current.is_some() && if_match.is_none() && if_none.is_none() {
        return Err(ApiError::with(
            Code::DocumentConflict,
            "the document exists: send If-Match with its ETag to replace it",
        ));
    }
    Ok(())
}

fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned()
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("application/json"))
}

async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    let cred = authenticate(&req, &state).await?;
    let Target {
        key: k,
        one,
        params,
    } = key(&req, cred.document_scope(), kind)?;
    if one {
        if param(&params, "since").is_some() {
            return Err(bad(format!(
                "since lists documents; it does not go with {}",
                id_param(kind)
            )));
        }
        let doc = store::get(&state.db.conn, &k)
            .await?
            .ok_or(ApiError::NotFound)?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, doc.content_type))
            .insert_header((header::ETAG, doc.etag))
            .insert_header((header::LAST_MODIFIED, super::http_date(doc.updated_us)))
            .body(doc.content));
    }
    let since = param(&params, "since")
        .map(|s| micros_of("since", s))
        .transpose()?;
    let (ids, latest) = store::ids(&state.db.conn, &k, since).await?;
    let body = serde_json::to_vec(&ids).map_err(ApiError::internal)?;
    let latest = latest.unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::ETAG, etag_of(&body)))
        .insert_header((header::LAST_MODIFIED, super::http_date(latest)))
        .body(body))
}

/// The key of the one document a write names: its id parameter is required.
async fn named(req: &HttpRequest, state: &AppState, kind: Kind) -> Result<Key, ApiError> {
    let cred = authenticate(req, state).await?;
    let Target { key: k, one, .. } = key(req, cred.document_scope(), kind)?;
    if !one {
        return Err(bad(format!("{} is required", id_param(kind))));
    }
    Ok(k)
}

async fn put(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    let k = named(&req, &state, kind).await?;
    let content_type = content_type(&req);
    if is_json(&content_type) && serde_json::from_slice::<Value>(&body).is_err() {
        return Err(bad(
            "the document is sent as application/json but is not JSON",
        ));
    }
    let txn = state.db.begin_write().await.map_err(ApiError::internal)?;
    let current = store::get(&txn, &k).await?;
    preconditions(&req, current.as_ref(), true)?;
    let doc = Document {
        etag: etag_of(&body),
        content_type,
        content: body.to_vec(),
        updated_us: chrono::Utc::now().timestamp_micros(),
    };
    store::put(&txn, &k, &doc).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::ETAG, doc.etag))
        .finish())
}

async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    let k = named(&req, &state, kind).await?;
    let content_type = content_type(&req);
    if !is_json(&content_type) {
        return Err(bad("POST merges JSON documents: send application/json"));
    }
    let Ok(Value::Object(incoming)) = serde_json::from_slice::<Value>(&body) else {
        return Err(bad("POST merges JSON objects: the body is not one"));
    };
    let txn = state.db.begin_write().await.map_err(ApiError::internal)?;
    let current = store::get(&txn, &k).await?;
    preconditions(&req, current.as_ref(), false)?;
    let merged = match &current {
        None => incoming,
        Some(doc) => {
            if !is_json(&doc.content_type) {
                return Err(bad(
                    "the stored document is not JSON, so nothing can merge into it",
                ));
            }
            let Ok(Value::Object(mut stored)) = serde_json::from_slice::<Value>(&doc.content)
            else {
                return Err(bad(
                    "the stored document is not a JSON object, so nothing can merge into it",
                ));
            };
            stored.extend(incoming);
            stored
        }
    };
    let content = serde_json::to_vec(&Value::Object(merged)).map_err(ApiError::internal)?;
    let doc = Document {
        etag: etag_of(&content),
        content_type: "application/json".to_owned(),
        content,
        updated_us: chrono::Utc::now().timestamp_micros(),
    };
    store::put(&txn, &k, &doc).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::ETAG, doc.etag))
        .finish())
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    let cred = authenticate(&req, &state).await?;
    let Target { key: k, one, .. } = key(&req, cred.document_scope(), kind)?;
    if !one && kind != Kind::State {
        return Err(bad(format!("{} is required", id_param(kind))));
    }
    let txn = state.db.begin_write().await.map_err(ApiError::internal)?;
    if one {
        let current = store::get(&txn, &k).await?;
        preconditions(&req, current.as_ref(), false)?;
    }
    store::delete(&txn, &k, !one).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}
