//! Assembles the actix-web application: routes (collected into the OpenAPI document by
//! utoipa-actix-web), extractor error handlers that answer problem+json, the body limit,
//! metrics, CORS, security headers and the interactive docs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{App, HttpRequest, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::allow::AllowTable;
use crate::cors::Cors;
use crate::error::Problem;
use crate::error::{ApiError, Code};
use crate::metrics::{self, Metrics};
use crate::state::AppState;
use crate::{
    auth, catalogue, certificates, cohorts, enrolments, institutions, invitations, learning, me,
    ops, problem_types, stats, users, xapi,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "help-lms",
        description = "Course delivery backend of the HELP programme (Human Rights Education for Legal Professionals): catalogue, enrolment, progress, quizzes, certificates and statistics. Errors are application/problem+json (RFC 9457) with a stable `code`; `GET /problems/{code}` explains each.\n\nOperations are tagged by who calls them. Problems common to a kind of operation are not repeated in each description: one that needs a token answers 401 with `missing_token`, `invalid_token`, `token_expired`, `account_inactive` or `client_revoked`; one that reads a JSON body answers `invalid_json` or `invalid_body` (400), `payload_too_large` (413), `unsupported_media_type` (415) and `validation_failed` (422, listing every wrong field); a malformed UUID in the path answers `invalid_path` (400) and a malformed query `validation_failed` (422). Ids of things the caller may not see, such as another institution's, answer `not_found` (404) as if they did not exist.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        Problem,
        crate::delivery::Delivery,
        help_lms_domain::tutoring::RosterFilter,
        help_lms_domain::tutoring::RosterSort,
        help_lms_domain::tutoring::SortOrder
    )),
    tags(
        (name = "public", description = "Anyone, without signing in: the catalogue, registration, sign-in, certificate verification"),
        (name = "learner", description = "A signed-in practitioner: their account, enrolments, progress, quizzes and certificates"),
        (name = "tutor", description = "A national tutor following the cohorts they tutor"),
        (name = "nti", description = "A national training institution's manager, and the institution's API clients acting as its manager"),
        (name = "admin", description = "The HELP secretariat: every institution, the catalogue's content, certificates and the programme's targets"),
        (name = "operations", description = "Health, readiness, metrics and the problem types"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        // An API client's id and secret, for the token endpoint only (RFC 6749 section 2.3.1).
        components.add_security_scheme(
            "client_basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
    }
}

/// Every route of the API, for the app and for the OpenAPI document alike.
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(problem_types::problem_type)
        .service(certificates::verify_short)
        .service(
            scope("/api/v1")
                .service(auth::routes::login)
                .service(auth::routes::refresh)
                .service(auth::routes::logout)
                .service(auth::account::register)
                .service(auth::account::confirm_email)
                .service(auth::account::activate)
                .service(auth::password::forgot_password)
                .service(auth::password::reset_password)
                .service(auth::routes::client_token)
                .service(me::get_me)
                .service(me::update_me)
                .service(crate::me_export::export_my_data)
                .service(crate::erasure::erase_me)
                .service(auth::password::change_password)
                .service(catalogue::routes::list_courses)
                .service(catalogue::routes::get_course)
                .service(catalogue::routes::get_lesson)
                .service(catalogue::authoring::upload_content)
                .service(catalogue::authoring::publish)
                .service(catalogue::authoring::archive)
                .service(institutions::create_institution)
                .service(institutions::list_institutions)
                .service(institutions::get_institution)
                .service(institutions::invite_staff)
                .service(institutions::list_staff)
                .service(institutions::create_client)
                .service(institutions::list_clients)
                .service(institutions::revoke_client)
                .service(users::disable_user)
                .service(users::enable_user)
                .service(users::resend_invitation)
                .service(crate::erasure::erase_user)
                .service(cohorts::create_cohort)
                .service(cohorts::list_cohorts)
                .service(cohorts::get_cohort)
                .service(cohorts::update_cohort)
                .service(cohorts::close_cohort)
                .service(cohorts::reopen_cohort)
                .service(cohorts::enrol_cohort)
                .service(cohorts::roster)
                .service(cohorts::cohort_gradebook)
                .service(cohorts::grant_attempts)
                .service(cohorts::list_attempt_grants)
                .service(cohorts::withdraw)
                .service(cohorts::remind_enrolment)
                .service(enrolments::self_enrol)
                .service(enrolments::my_enrolments)
                .service(invitations::my_invitations)
                .service(invitations::accept_invitation_by_token)
                .service(invitations::decline_invitation_by_token)
                .service(invitations::accept_invitation)
                .service(invitations::decline_invitation)
                .service(learning::routes::get_enrolment)
                .service(learning::lesson::get_enrolment_lesson)
                .service(learning::routes::record_progress)
                .service(learning::routes::start_attempt)
                .service(learning::routes::get_attempt)
                .service(learning::routes::save_responses)
                .service(learning::routes::submit_attempt)
                .service(learning::history::list_attempts)
                .service(certificates::get_certificate)
                .service(certificates::download_credential)
                .service(certificates::verify_certificate)
                .service(certificates::get_credential)
                .service(certificates::get_issuer)
                .service(certificates::get_issuer_jwks)
                .service(certificates::get_status_list)
                .service(certificates::get_achievement)
                .service(certificates::revoke_certificate)
                .service(stats::completions)
                .service(stats::course_funnel)
                .service(stats::create_target)
                .service(stats::list_targets)
                .service(stats::get_target)
                .service(stats::delete_target)
                .service(xapi::credentials::create_credential)
                .service(xapi::credentials::list_credentials)
                .service(xapi::credentials::revoke_credential)
                .service(xapi::credentials::launch)
                .service(xapi::forwards::create_forward)
                .service(xapi::forwards::list_forwards)
                .service(xapi::forwards::revoke_forward)
                .service(crate::audit::list_audit),
        );
}

/// The OpenAPI document, built from the same registrations as the running app.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    let mut api = api;
    complete(&mut api);
    api
}

/// What the document says beyond the annotations: the problems every operation of a kind
/// answers, and the representations that are not JSON.
fn complete(api: &mut utoipa::openapi::OpenApi) {
    crate::error::common::document(api);
    crate::csv_doc::document(api);
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    query_problem(err.to_string()).into()
}

/// The problem for a query string that does not read as the operation's parameters.
pub(crate) fn query_problem(text: String) -> ApiError {
    let name = text.split('`').nth(1).unwrap_or("query").to_owned();
    ApiError::field(&name, "invalid_query", text)
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::with(Code::InvalidPath, err.to_string()).into()
}

/// The interactive docs live under `/docs/`; `/docs` alone leads there.
async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// No route matched: 405 with `Allow` when the path takes other methods, else 404.
async fn no_route(
    req: HttpRequest,
    table: web::Data<AllowTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let allow = table.allowed(req.path());
    if allow.is_empty() || allow.contains(&req.method().as_str()) {
        Err(ApiError::NotFound)
    } else {
        Err(ApiError::MethodNotAllowed { allow })
    }
}

/// The whole application for one worker.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.config.body_limit;
    let cors = Cors::new(state.config.cors_origins.clone());
    let metrics: Metrics = state.metrics.clone();
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(metrics))
        .app_data(web::PayloadConfig::default().limit(limit))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .configure(routes)
        .split_for_parts();
    let mut api = api;
    complete(&mut api);
    let allow = web::Data::new(AllowTable::from_openapi(&api));
    app.app_data(allow)
        .configure(crate::pages::configure)
        .configure(crate::xapi::configure)
        .service(web::resource("/docs").to(docs_redirect))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(no_route))
        .wrap(actix_web::middleware::from_fn(
            crate::negotiate::refuse_unacceptable,
        ))
        .wrap(actix_web::middleware::from_fn(metrics::track))
        .wrap(actix_web::middleware::Compress::default())
        // Outside the rest, so that everything they answer carries these headers too.
        .wrap(cors)
        .wrap(actix_web::middleware::from_fn(crate::headers::nosniff))
        // Outermost, so that everything below, and every log line of the request, has its id.
        .wrap(actix_web::middleware::from_fn(crate::request_id::assign))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::openapi;

    /// The users an operation serves: every operation is tagged with one or more of these,
    /// and with nothing else.
    const USER_TAGS: [&str; 6] = ["public", "learner", "tutor", "nti", "admin", "operations"];

    /// Request bodies left without an example: a token to spend, and a whole course's files.
    const WITHOUT_EXAMPLE: [&str; 3] = ["refresh", "logout", "upload_course_content"];

    /// Every operation of the document as (`METHOD /path`, operation).
    fn operations(spec: &Value) -> Vec<(String, Value)> {
        let mut ops = Vec::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                ops.push((format!("{} {path}", method.to_uppercase()), op.clone()));
            }
        }
        ops
    }

    fn spec() -> Value {
        serde_json::to_value(openapi()).expect("the document as JSON")
    }

    #[test]
    fn every_operation_has_a_summary_a_description_and_user_tags() {
        let spec = spec();
        let declared: Vec<&str> = spec["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .map(|t| t["name"].as_str().expect("tag name"))
            .collect();
        assert_eq!(declared, USER_TAGS, "the declared tags are the user groups");
        let ops = operations(&spec);
        assert!(ops.len() >= 51, "only {} operations", ops.len());
        let mut used = BTreeSet::new();
        for (name, op) in &ops {
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(!summary.trim().is_empty(), "{name} has no summary");
            assert!(
                !summary.contains('\n') && summary.chars().count() <= 80,
                "{name}: the summary is one short line: {summary:?}"
            );
            let description = op["description"].as_str().unwrap_or_default();
            assert!(!description.trim().is_empty(), "{name} has no description");
            assert!(
                description.contains("Problems:") || op["operationId"] == "client_token",
                "{name}: the description says which problems it answers"
            );
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert!(!tags.is_empty(), "{name} has no user tag");
            for tag in &tags {
                assert!(
                    USER_TAGS.contains(tag),
                    "{name}: tag {tag:?} is not declared"
                );
            }
            let distinct: BTreeSet<_> = tags.iter().collect();
            assert_eq!(distinct.len(), tags.len(), "{name}: a tag appears twice");
            used.extend(tags.iter().map(|t| t.to_string()));
        }
        for tag in USER_TAGS {
            assert!(used.contains(tag), "no operation is tagged {tag}");
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        match (k.as_str(), x.as_str()) {
                            ("$ref", Some(r)) => out.push(r.to_owned()),
                            _ => refs(x, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let doc = spec();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50, "{}", found.len());
        for r in found {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{r} is referenced but not defined"
            );
        }
    }

    #[test]
    fn request_bodies_have_examples() {
        let mut checked = 0;
        for (name, op) in operations(&spec()) {
            let id = op["operationId"].as_str().unwrap_or_default();
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            if WITHOUT_EXAMPLE.contains(&id) {
                continue;
            }
            for (media_type, body) in content {
                checked += 1;
                assert!(
                    !body["example"].is_null(),
                    "{name}: the {media_type} body has no example"
                );
            }
        }
        assert!(checked >= 18, "only {checked} bodies checked");
    }

    /// Reads an example as a request type: `Err` says why it does not.
    type Reads = fn(Value) -> Result<(), String>;

    /// Whether `value` reads as a `T`: known fields only, each of the right type.
    fn reads_as<T: DeserializeOwned>(value: Value) -> Result<(), String> {
        serde_json::from_value::<T>(value)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_json_examples_read_as_their_request_types() {
        use crate::auth::{account, password};
        use crate::{auth::routes as auth, certificates::dto as cert, cohorts, institutions};
        use crate::{enrolments, learning::dto as learning, me, stats::query as stats};
        let check: [(&str, Reads); 21] = [
            ("login", reads_as::<auth::LoginRequest>),
            ("register", reads_as::<account::RegisterRequest>),
            ("activate", reads_as::<account::ActivateRequest>),
            ("confirm_email", reads_as::<account::ConfirmRequest>),
            (
                "forgot_password",
                reads_as::<password::ForgotPasswordRequest>,
            ),
            ("reset_password", reads_as::<password::ResetPasswordRequest>),
            (
                "change_password",
                reads_as::<password::ChangePasswordRequest>,
            ),
            ("client_token", reads_as::<auth::ClientTokenRequest>),
            ("update_me", reads_as::<me::PatchMe>),
            (
                "create_institution",
                reads_as::<institutions::NewInstitution>,
            ),
            ("invite_staff", reads_as::<institutions::NewStaff>),
            ("create_api_client", reads_as::<institutions::NewApiClient>),
            ("create_cohort", reads_as::<cohorts::NewCohortDto>),
            ("update_cohort", reads_as::<cohorts::CohortPatch>),
            ("enrol_cohort", reads_as::<Vec<cohorts::RowJson>>),
            ("self_enrol", reads_as::<enrolments::SelfEnrolment>),
            ("record_progress", reads_as::<learning::ProgressWrite>),
            ("save_responses", reads_as::<learning::ResponsesWrite>),
            ("submit_attempt", reads_as::<learning::SubmitRequest>),
            ("revoke_certificate", reads_as::<cert::RevokeRequest>),
            ("create_target", reads_as::<stats::NewTargetDto>),
        ];
        let ops = operations(&spec());
        for (id, reads) in check {
            let (name, op) = ops
                .iter()
                .find(|(_, op)| op["operationId"] == id)
                .unwrap_or_else(|| panic!("no operation {id}"));
            let content = op["requestBody"]["content"].as_object().expect("a body");
            for (media_type, body) in content {
                if !media_type.contains("json") {
                    continue;
                }
                if let Err(e) = reads(body["example"].clone()) {
                    panic!("{name}: the {media_type} example does not read: {e}");
                }
            }
        }
    }
}
