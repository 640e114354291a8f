//! `about`, the activity resource (an activity's stored definition) and the agents
//! resource (the person behind an agent, as the store knows them).

use actix_web::{HttpRequest, HttpResponse, web};
use help_lms_persistence::xapi::activities as store;
use serde_json::{Value, json};

use super::{agent_param, authenticate, bad, param, params};
use crate::error::ApiError;
use crate::state::AppState;

/// The versions the store speaks, and nothing else: public.
pub async fn about() -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "version": ["1.0.3", super::VERSION],
        "extensions": {},
    }))
}

pub async fn activity(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authenticate(&req, &state).await?;
    let params = params(&req)?;
    if let Some((k, _)) = params.iter().find(|(k, _)| k != "activityId") {
        return Err(bad(format!(
            "the activity resource takes activityId only, not {k}"
        )));
    }
    let id = param(&params, "activityId").ok_or_else(|| bad("activityId is required"))?;
    if !help_lms_domain::xapi::is_iri(id) {
        return Err(bad("activityId is an IRI"));
    }
    let mut activity = json!({"objectType": "Activity", "id": id});
    if let Some(definition) = store::definition(&state.db.conn, id).await? {
        let definition: Value = serde_json::from_str(&definition).map_err(ApiError::internal)?;
        activity["definition"] = definition;
    }
    Ok(HttpResponse::Ok().json(activity))
}

pub async fn agents(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authenticate(&req, &state).await?;
    let params = params(&req)?;
    if let Some((k, _)) = params.iter().find(|(k, _)| k != "agent") {
        return Err(bad(format!(
            "the agents resource takes agent only, not {k}"
        )));
    }
    let agent = param(&params, "agent").ok_or_else(|| bad("agent is required"))?;
    let (agent, _) = agent_param("agent", agent)?;
    let mut person = serde_json::Map::new();
    person.insert("objectType".into(), json!("Person"));
    for k in ["name", "mbox", "mbox_sha1sum", "openid", "account"] {
        if let Some(v) = agent.get(k) {
            person.insert(k.into(), json!([v]));
        }
    }
    Ok(HttpResponse::Ok().json(Value::Object(person)))
}
