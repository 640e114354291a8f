//! The statement resource: `PUT` one statement with its id, `POST` one or a batch, `GET`
//! (and `HEAD`) one by id or many by filters, with `more` paging, the three formats and
//! attachments.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use help_lms_persistence::xapi::credentials::{Credential, Kind};
use help_lms_persistence::xapi::statements::{self as store, Query};
use serde_json::Value;

use super::multipart::{self, Part};
use super::shape::{self, Writer};
use super::{agent_param, authenticate, bad, micros_of, param, params};
use crate::error::ApiError;
use crate::state::AppState;

/// The most statements one page holds.
const PAGE_MAX: u64 = 500;

const QUERY_PARAMS: [&str; 13] = [
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
];

/// The statements of a request body (JSON, or multipart with attachments) and its
/// attachment parts.
fn read_body(req: &HttpRequest, body: &[u8]) -> Result<(Value, Vec<Part>), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    if let Some(boundary) = multipart::boundary(content_type) {
        let mut parts = multipart::parse(body, &boundary)?.into_iter();
        let first = parts
            .next()
            .ok_or_else(|| bad("the multipart body has no parts"))?;
        let first_type = first.header("content-type").unwrap_or_default();
        if !first_type
            .to_ascii_lowercase()
            .starts_with("application/json")
        {
            return Err(bad(
                "the first part of a multipart body is the statements, as application/json",
            ));
        }
        let json = serde_json::from_slice(&first.body)
            .map_err(|e| bad(format!("the statements are not JSON: {e}")))?;
        return Ok((json, parts.collect()));
    }
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(bad(format!(
            "statements are sent as application/json or multipart/mixed, not {essence}"
        )));
    }
    let json =
        serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    Ok((json, Vec::new()))
}

/// The alternate request syntax of xAPI 1.0 is gone in 2.0.
fn refuse_method_param(params: &[(String, String)]) -> Result<(), ApiError> {
    if param(params, "method").is_some() {
        return Err(bad(
            "the alternate request syntax (the method parameter) is not part of xAPI 2.0",
        ));
    }
    Ok(())
}

pub async fn put(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let cred = authenticate(&req, &state).await?;
    let params = params(&req)?;
    refuse_method_param(&params)?;
    if let Some((k, _)) = params.iter().find(|(k, _)| k != "statementId") {
        return Err(bad(format!(
            "PUT takes the statementId parameter only, not {k}"
        )));
    }
    let id = param(&params, "statementId").ok_or_else(|| bad("statementId is required"))?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad("statementId is not a UUID"))?;
    let (mut statement, parts) = read_body(&req, &body)?;
    let Some(obj) = statement.as_object_mut() else {
        return Err(bad("PUT takes one statement, a JSON object"));
    };
    match obj.get("id") {
        Some(Value::String(given)) => {
            if uuid::Uuid::parse_str(given).ok() != Some(id) {
                return Err(bad("the statement's id is not the statementId parameter"));
            }
        }
        Some(_) => return Err(bad("statement id: not a UUID")),
        None => {
            obj.insert("id".into(), Value::String(id.to_string()));
        }
    }
    store_batch(&state, &cred, vec![statement], parts).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let cred = authenticate(&req, &state).await?;
    let params = params(&req)?;
    refuse_method_param(&params)?;
    if let Some((k, _)) = params.first() {
        return Err(bad(format!("POST takes no parameters, not {k}")));
    }
    let (statements, parts) = read_body(&req, &body)?;
    let batch = match statements {
        Value::Array(items) => items,
        one @ Value::Object(_) => vec![one],
        _ => return Err(bad("POST takes a statement or an array of statements")),
    };
    if batch.is_empty() {
        return Err(bad("the array of statements is empty"));
    }
    let ids = store_batch(&state, &cred, batch, parts).await?;
    Ok(HttpResponse::Ok().json(ids))
}

/// Validates, prepares and stores a batch in one transaction; returns the ids in order.
async fn store_batch(
    state: &AppState,
    cred: &Credential,
    batch: Vec<Value>,
    parts: Vec<Part>,
) -> Result<Vec<String>, ApiError> {
    let attachments = super::attachments::check(&batch, parts)?;
    let now = chrono::Utc::now().timestamp_micros();
    let writer = Writer {
        authority: shape::authority(cred, state.config.public_url.as_str()),
        scope: cred.scope(),
        learner_id: (cred.kind == Kind::Launch)
            .then_some(cred.learner_id)
            .flatten(),
        cred: Some(cred),
        home_page: state.config.public_url.as_str(),
    };
    let mut prepared = Vec::with_capacity(batch.len());
    for statement in batch {
        prepared.push(shape::prepare(statement, now, &writer)?);
    }
    let mut ids: Vec<String> = prepared.iter().map(|s| s.id.clone()).collect();
    let mut seen = ids.clone();
    seen.sort();
    if seen.windows(2).any(|w| w[0] == w[1]) {
        return Err(bad("two statements of the batch have the same id"));
    }
    let txn = state.db.begin_write().await.map_err(ApiError::internal)?;
    store::insert(&txn, prepared, attachments, &cred.visibility()).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    ids.shrink_to_fit();
    Ok(ids)
}

/// What a GET asks for besides the filters.
struct Output {
    format: Format,
    attachments: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Format {
    Exact,
    Ids,
    Canonical,
}

/// The paging token of `more`: the query, where it stopped, and how to answer.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    q: Query,
    format: Format,
    attachments: bool,
}

fn flag(params: &[(String, String)], name: &str) -> Result<bool, ApiError> {
    match param(params, name) {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(bad(format!("{name} is true or false"))),
    }
}

fn output(params: &[(String, String)]) -> Result<Output, ApiError> {
    let format = match param(params, "format") {
        None | Some("exact") => Format::Exact,
        Some("ids") => Format::Ids,
        Some("canonical") => Format::Canonical,
        Some(other) => {
            return Err(bad(format!(
                "format is exact, ids or canonical, not {other}"
            )));
        }
    };
    Ok(Output {
        format,
        attachments: flag(params, "attachments")?,
    })
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let cred = authenticate(&req, &state).await?;
    let params = params(&req)?;
    refuse_method_param(&params)?;
    let single = ["statementId", "voidedStatementId"]
        .into_iter()
        .filter_map(|k| param(&params, k).map(|v| (k, v)))
        .collect::<Vec<_>>();
    let reader = cred.visibility();
    let now = chrono::Utc::now().timestamp_micros();
    if !single.is_empty() {
        if single.len() > 1 {
            return Err(bad("statementId and voidedStatementId do not go together"));
        }
        if let Some((k, _)) = params.iter().find(|(k, _)| {
            !matches!(
                k.as_str(),
                "statementId" | "voidedStatementId" | "format" | "attachments"
            )
        }) {
            return Err(bad(format!(
                "{} takes only format and attachments beside it, not {k}",
                single[0].0
            )));
        }
        let out = output(&params)?;
        let (name, id) = single[0];
        let id = uuid::Uuid::parse_str(id).map_err(|_| bad(format!("{name} is not a UUID")))?;
        let body = store::get(
            &state.db.conn,
            &id.to_string(),
            name == "voidedStatementId",
            &reader,
        )
        .await?
        .ok_or(ApiError::NotFound)?;
        let mut statement: Value = serde_json::from_str(&body).map_err(ApiError::internal)?;
        let stored_us = statement["stored"]
            .as_str()
            .and_then(|s| micros_of("stored", s).ok())
            .unwrap_or(now);
        reshape(&req, &mut statement, out.format);
        let json = if out.format == Format::Exact {
            body
        } else {
            statement.to_string()
        };
        return answer(&state, &json, &[statement], out.attachments, stored_us, now).await;
    }
    if let Some((k, _)) = params
        .iter()
        .find(|(k, _)| !QUERY_PARAMS.contains(&k.as_str()))
    {
        return Err(bad(format!(
            "the statement resource takes no parameter {k}"
        )));
    }
    let (q, out) = match param(&params, "more") {
        Some(token) => {
            if params.len() > 1 {
                return Err(bad("more goes alone"));
            }
            let cursor: Cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| bad("more is not a link this store gave"))?;
            (
                cursor.q,
                Output {
                    format: cursor.format,
                    attachments: cursor.attachments,
                },
            )
        }
        None => (query(&params)?, output(&params)?),
    };
    let page = store::query(&state.db.conn, &q, &reader).await?;
    let mut statements = Vec::with_capacity(page.rows.len());
    let mut newest = None;
    let mut json = String::from("{\"statements\":[");
    for (i, (_, body, stored_us)) in page.rows.iter().enumerate() {
        newest = newest.max(Some(*stored_us));
        if i > 0 {
            json.push(',');
        }
        if out.format == Format::Exact {
            // As stored, byte for byte; read only when its attachments are asked for.
            json.push_str(body);
            if out.attachments {
                statements.push(serde_json::from_str(body).map_err(ApiError::internal)?);
            }
        } else {
            let mut statement: Value = serde_json::from_str(body).map_err(ApiError::internal)?;
            reshape(&req, &mut statement, out.format);
            json.push_str(&statement.to_string());
            statements.push(statement);
        }
    }
    json.push(']');
    let last = page.rows.last().map(|r| r.0);
    if let (true, Some(last)) = (page.more, last) {
        let next = Cursor {
            q: Query {
                after: Some(last),
                upto: Some(page.upto),
                ..q
            },
            format: out.format,
            attachments: out.attachments,
        };
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&next).map_err(ApiError::internal)?);
        json.push_str(&format!(",\"more\":\"{}?more={token}\"", req.path()));
    } else {
        json.push_str(",\"more\":\"\"");
    }
    json.push('}');
    answer(
        &state,
        &json,
        &statements,
        out.attachments,
        newest.unwrap_or(now),
        now,
    )
    .await
}

/// The filters of a query's parameters.
fn query(params: &[(String, String)]) -> Result<Query, ApiError> {
    let mut q = Query::default();
    if let Some(agent) = param(params, "agent") {
        q.agent = Some(agent_param("agent", agent)?.1);
    }
    if let Some(verb) = param(params, "verb") {
        if !help_lms_domain::xapi::is_iri(verb) {
            return Err(bad("verb is an IRI"));
        }
        q.verb = Some(verb.to_owned());
    }
    if let Some(activity) = param(params, "activity") {
        if !help_lms_domain::xapi::is_iri(activity) {
            return Err(bad("activity is an IRI"));
        }
        q.activity = Some(activity.to_owned());
    }
    if let Some(r) = param(params, "registration") {
        q.registration = Some(
            uuid::Uuid::parse_str(r)
                .map_err(|_| bad("registration is a UUID"))?
                .to_string(),
        );
    }
    q.related_agents = flag(params, "related_agents")?;
    q.related_activities = flag(params, "related_activities")?;
    q.ascending = flag(params, "ascending")?;
    q.since_us = param(params, "since")
        .map(|s| micros_of("since", s))
        .transpose()?;
    q.until_us = param(params, "until")
        .map(|s| micros_of("until", s))
        .transpose()?;
    q.limit = match param(params, "limit") {
        None => PAGE_MAX,
        Some(l) => match l.parse::<u64>() {
            Ok(0) => PAGE_MAX,
            Ok(n) => n.min(PAGE_MAX),
            Err(_) => return Err(bad("limit is a whole number")),
        },
    };
    Ok(q)
}

fn reshape(req: &HttpRequest, statement: &mut Value, format: Format) {
    match format {
        Format::Exact => {}
        Format::Ids => shape::ids_only(statement),
        Format::Canonical => shape::canonical(statement, &shape::accepted_languages(req)),
    }
}

/// The answer to a GET: JSON, or multipart with the statements' attachments; with the
/// consistency and modification times.
async fn answer(
    state: &AppState,
    json: &str,
    statements: &[Value],
    with_attachments: bool,
    last_modified_us: i64,
    now: i64,
) -> Result<HttpResponse, ApiError> {
    let mut res = HttpResponse::Ok();
    res.insert_header((super::CONSISTENT_THROUGH, super::rfc3339(now)))
        .insert_header((header::LAST_MODIFIED, super::http_date(last_modified_us)));
    if !with_attachments {
        return Ok(res
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ))
            .body(json.to_owned()));
    }
    let mut hashes: Vec<String> = statements
        .iter()
        .flat_map(|s| s["attachments"].as_array().into_iter().flatten())
        .filter_map(|a| a["sha2"].as_str().map(str::to_owned))
        .collect();
    hashes.sort();
    hashes.dedup();
    let files = store::attachments(&state.db.conn, &hashes).await?;
    let files: Vec<(String, String, Vec<u8>)> = files
        .into_iter()
        .map(|a| (a.sha2, a.content_type, a.content))
        .collect();
    let (content_type, body) = multipart::build(json, &files);
    Ok(res
        .insert_header((header::CONTENT_TYPE, content_type))
        .body(body))
}
