//! The learning endpoints: an enrolment's progress, progress writes, and quiz attempts
//! (start, read, autosave, submit).

use actix_web::{HttpResponse, get, post, put, web};
use help_lms_domain::progress::{GRACE_SECONDS, ProgressReport};
use help_lms_persistence::StoreError;
use help_lms_persistence::learning::{self, Submitted};
use uuid::Uuid;

use super::dto::{
    AttemptDto, EnrolmentProgressDto, ProgressAck, ProgressWrite, ResponsesWrite, SubmitRequest,
};
use super::{Access, access, view};
use crate::auth::Authenticated;
use crate::body::OptionalJson;
use crate::error::{ApiError, Code, problems};
use crate::state::AppState;

/// Read an enrolment's progress and where to resume
///
/// The learner who owns it; admins; and the tutors and managers (and API clients) of its
/// cohort. The course outline with each lesson's and quiz's state, time spent, the next
/// step and the certificate code once completed. Attempts left open past their deadline
/// are closed and graded first, which may complete the enrolment.
///
/// Problems: `not_found` (404) for anyone else.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "get_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The course outline with each lesson's and quiz's state, where to resume, time spent", body = EnrolmentProgressDto),
        problems::NotFound,
    )
)]
#[get("/enrolments/{id}", wrap = "crate::headers::no_store()")]
pub async fn get_enrolment(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (e, _) = access(&state, &auth.0, *id).await?;
    let overview = learning::overview(&state.db, e).await?;
    Ok(HttpResponse::Ok().json(view::progress(overview)))
}

/// Record that you viewed or completed a lesson
///
/// Only the learner who owns the enrolment. Records the lesson as viewed or completed
/// (completed stays completed) and its running total of seconds (the largest value sent is
/// kept, so repeats are harmless). Completing the last lesson or quiz completes the
/// enrolment and issues its certificate, whose code the answer carries.
///
/// Problems: `owner_only` (403) for staff who follow the enrolment, `not_found` (404:
/// anyone else, or a lesson not in the enrolment's course version), `enrolment_not_active`
/// (409: completed or withdrawn), `validation_failed` (422: `status`,
/// `time_spent_seconds`).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "record_progress",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id"), ("lesson_id" = Uuid, Path, description = "Lesson id (of the enrolment's course version)")),
    request_body(content = ProgressWrite, example = json!({"status": "completed", "time_spent_seconds": 840})),
    responses(
        (status = 200, description = "Recorded (repeats are harmless): the lesson's state and the enrolment's standing after the write", body = ProgressAck),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::Unprocessable,
    )
)]
#[put(
    "/enrolments/{id}/lessons/{lesson_id}/progress",
    wrap = "crate::headers::no_store()"
)]
pub async fn record_progress(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::body::Json<ProgressWrite>,
) -> Result<HttpResponse, ApiError> {
    let (id, lesson_id) = path.into_inner();
    let (e, a) = access(&state, &auth.0, id).await?;
    a.owner_only()?;
    let report = ProgressReport::parse(&body.status, body.time_spent_seconds)?;
    let outcome = learning::record_progress(&state.db, e.id, lesson_id, report).await?;
    Ok(HttpResponse::Ok().json(view::progress_ack(outcome)))
}

/// The attempt and the actor's access to it (through its enrolment).
async fn attempt_access(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
) -> Result<(learning::AttemptView, Access), ApiError> {
    let v = learning::attempt(&state.db, id).await?;
    let (_, access) = access(state, &auth.0, v.attempt.enrolment_id).await?;
    Ok((v, access))
}

/// Responses naming questions or options outside the attempt are a malformed request.
fn bad_responses(e: StoreError) -> ApiError {
    match e {
        StoreError::Validation(v) => ApiError::with(
            Code::InvalidResponses,
            v.0.iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => other.into(),
    }
}

/// Start a quiz attempt, or resume the one in progress
///
/// Only the learner who owns the enrolment. Starts an attempt with its questions (in this
/// attempt's order, without answers) and its deadline if the quiz is timed; if one is
/// already in progress, answers that one with 200 instead.
///
/// Problems: `owner_only` (403) for staff who follow the enrolment, `not_found` (404:
/// anyone else, or a quiz not in the enrolment's course version), `enrolment_not_active`
/// (409), `attempt_limit_reached` (409), `attempt_conflict` (409: a concurrent request
/// changed the attempts; try again).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "start_attempt",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id"), ("quiz_id" = Uuid, Path, description = "Quiz id")),
    responses(
        (status = 201, description = "A new attempt with its questions", body = AttemptDto),
        (status = 200, description = "The attempt already in progress", body = AttemptDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post(
    "/enrolments/{id}/quizzes/{quiz_id}/attempts",
    wrap = "crate::headers::no_store()"
)]
pub async fn start_attempt(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, quiz_id) = path.into_inner();
    let (e, a) = access(&state, &auth.0, id).await?;
    a.owner_only()?;
    let (attempt, created) = learning::start_attempt(&state.db, e.id, quiz_id).await?;
    let dto = view::attempt(&attempt, Access::Owner)?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(dto))
}

/// Read a quiz attempt
///
/// The learner who owns it, and the staff who follow its enrolment (as for the
/// enrolment). The questions and saved responses; once submitted, the result as the quiz's
/// review policy allows the learner to see it (staff see everything). An attempt left open
/// past its deadline is closed and graded first.
///
/// Problems: `not_found` (404) for anyone else.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "get_attempt",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attempt id")),
    responses(
        (status = 200, description = "The attempt; after submission its result as the review policy allows", body = AttemptDto),
        problems::NotFound,
    )
)]
#[get("/attempts/{id}", wrap = "crate::headers::no_store()")]
pub async fn get_attempt(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (v, access) = attempt_access(&state, &auth, *id).await?;
    Ok(HttpResponse::Ok().json(view::attempt(&v, access)?))
}

/// Save responses to an attempt in progress (autosave)
///
/// Only the learner who owns the attempt. Merges the responses sent into those saved, by
/// question key; `null` clears one. Nothing is graded until the attempt is submitted. (The
/// example answers two questions of the quiz on arrest and custody of
/// `evidence-counter-terrorism`.)
///
/// Problems: `invalid_responses` (400: an unknown question, option or item, or the wrong
/// shape for the question's kind), `owner_only` (403) for staff, `not_found` (404) for
/// anyone else, `attempt_closed` (409: submitted, or closed at its deadline),
/// `enrolment_not_active` (409: the enrolment was withdrawn or completed).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "save_responses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attempt id")),
    request_body(content = ResponsesWrite, example = json!({"responses": {"brogan-hours": 96, "brogan-terrorism-context": null}})),
    responses(
        (status = 200, description = "Saved", body = AttemptDto),
        problems::BadRequest,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
    )
)]
#[put("/attempts/{id}/responses", wrap = "crate::headers::no_store()")]
pub async fn save_responses(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: crate::body::Json<ResponsesWrite>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    crate::learning::dto::check_shapes(&body.responses)?;
    let (v, access) = attempt_access(&state, &auth, *id).await?;
    access.owner_only()?;
    let updated = learning::save_responses(&state.db, v.attempt.id, body.responses)
        .await
        .map_err(bad_responses)?;
    Ok(HttpResponse::Ok().json(view::attempt(&updated, Access::Owner)?))
}

/// Submit an attempt for grading
///
/// Only the learner who owns the attempt. Merges any final responses into those saved,
/// grades the attempt at once and closes it; passing the last quiz or lesson completes the
/// enrolment and issues its certificate. Submitting a graded attempt again answers the
/// same result.
///
/// Problems: `invalid_responses` (400), `invalid_json` (400), `owner_only` (403) for staff,
/// `not_found` (404) for anyone else, `deadline_passed` (409: the deadline and its 30
/// seconds of grace are over; the attempt was graded with its saved responses),
/// `enrolment_not_active` (409: the enrolment was withdrawn or completed while the attempt
/// was open; it is not graded), `unsupported_media_type` (415), `validation_failed` (422: a
/// body of the wrong shape).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "submit_attempt",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attempt id")),
    request_body(
        content = Option<SubmitRequest>,
        description = "Optional: an empty body submits the saved responses. A body that is not this JSON is refused and the attempt stays open.",
        example = json!({"responses": {"brogan-hours": 96}})
    ),
    responses(
        (status = 200, description = "Graded; submitting again returns the same result", body = AttemptDto),
        problems::BadRequest,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::UnsupportedMediaType,
        problems::Unprocessable,
    )
)]
#[post("/attempts/{id}/submit", wrap = "crate::headers::no_store()")]
pub async fn submit_attempt(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: OptionalJson<SubmitRequest>,
) -> Result<HttpResponse, ApiError> {
    let responses = body.into_inner().and_then(|b| b.responses);
    if let Some(r) = &responses {
        crate::learning::dto::check_shapes(r)?;
    }
    let (v, access) = attempt_access(&state, &auth, *id).await?;
    access.owner_only()?;
    match learning::submit(&state.db, v.attempt.id, responses)
        .await
        .map_err(bad_responses)?
    {
        Submitted::Graded(g) => Ok(HttpResponse::Ok().json(view::attempt(&g, Access::Owner)?)),
        Submitted::TooLate => Err(ApiError::with(
            Code::DeadlinePassed,
            format!(
                "the deadline (plus {GRACE_SECONDS} seconds of grace) has passed; the attempt was closed and graded with its saved responses"
            ),
        )),
    }
}
