//! What a learner does all day: progress through lessons, quiz attempts, the course state
//! and certificates. Owners write; the cohort's tutors and managers, and admins, read.
//! Anyone else gets 404 for another learner's enrolment, attempt or certificate.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use help_lms_domain::accounts::Actor;
use help_lms_domain::content::pick;
use help_lms_domain::quiz::{self, DeliveredQuestion, QuizResult, Visibility};
use help_lms_domain::values::Language;
use help_lms_persistence::catalogue::runtime::CourseRuntime;
use help_lms_persistence::entities::{attempts, enrolments as en};
use help_lms_persistence::learning::{self, Submitted};
use help_lms_persistence::{cohorts, enrolments};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Admin, Authenticated};
use crate::catalogue::dto::text;
use crate::enrolments::EnrolmentDto;
use crate::error::{ApiError, Code, problems};
use crate::pdf;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Owner,
    Staff,
}

/// The enrolment and how the actor relates to it; 404 when they may not see it.
async fn access(
    state: &AppState,
    actor: &Actor,
    enrolment_id: Uuid,
) -> Result<(en::Model, Access), ApiError> {
    // A missing enrolment is a 404 like any other; a database failure stays a 500.
    let e = learning::enrolment_row(&state.db.conn, enrolment_id).await?;
    if !actor.via_client && e.user_id == actor.user_id {
        return Ok((e, Access::Owner));
    }
    if actor.is_admin() {
        return Ok((e, Access::Staff));
    }
    if let Some(cid) = e.cohort_id
        && let Some(c) = cohorts::find(&state.db.conn, cid).await?
        && actor.can_view_cohort(c.institution_id, &c.tutor_ids)
    {
        return Ok((e, Access::Staff));
    }
    Err(ApiError::NotFound)
}

fn owner_only(a: Access) -> Result<(), ApiError> {
    if a == Access::Owner {
        Ok(())
    } else {
        Err(ApiError::from(Code::OwnerOnly))
    }
}

fn lang_of(e: &en::Model) -> Language {
    Language::parse(&e.language).unwrap_or(Language::En)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LessonProgressDto {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    /// not_started, viewed or completed
    pub status: String,
    pub time_spent_seconds: i32,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizProgressDto {
    pub id: Uuid,
    pub title: String,
    pub pass_mark: u8,
    /// 0 means unlimited.
    pub max_attempts: u32,
    pub time_limit_minutes: Option<u32>,
    pub attempts_submitted: u32,
    pub attempts_left: Option<u32>,
    /// The grade by the quiz's grading method, in percent.
    pub grade: Option<f64>,
    pub passed: bool,
    pub in_progress_attempt: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleProgressDto {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub completed: bool,
    pub lessons: Vec<LessonProgressDto>,
    pub quiz: Option<QuizProgressDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextStep {
    /// lesson or quiz
    pub kind: String,
    pub id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentProgressDto {
    pub enrolment: EnrolmentDto,
    pub course: String,
    pub course_version: i32,
    pub title: String,
    /// Lessons completed and quizzes passed, out of all, in percent.
    pub percent: f64,
    pub modules_completed: usize,
    pub time_spent_seconds: i64,
    /// Where to resume: the first lesson not completed or quiz not passed.
    pub next: Option<NextStep>,
    pub modules: Vec<ModuleProgressDto>,
    pub certificate_code: Option<String>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

async fn progress_view(state: &AppState, e: en::Model) -> Result<EnrolmentProgressDto, ApiError> {
    let rt = help_lms_persistence::catalogue::runtime::runtime(&state.db.conn, e.course_version_id)
        .await?;
    let st = learning::load_standing(&state.db.conn, &rt, e.id).await?;
    let lang = lang_of(&e);
    let orig = &rt.course.languages;
    let outline = help_lms_persistence::catalogue::outline(&state.db, e.course_version_id).await?;
    let modules = outline
        .iter()
        .map(|m| ModuleProgressDto {
            id: m.id,
            key: m.key.clone(),
            title: text(&m.title, lang, orig),
            completed: st
                .modules
                .iter()
                .any(|s| s.module_id == m.id && s.completed),
            lessons: m
                .lessons
                .iter()
                .map(|l| {
                    let ls = st.lessons.get(&l.id);
                    LessonProgressDto {
                        id: l.id,
                        key: l.key.clone(),
                        title: text(&l.title, lang, orig),
                        status: ls.map(|s| s.status).unwrap_or("not_started").to_owned(),
                        time_spent_seconds: ls.map(|s| s.time_spent_seconds).unwrap_or(0),
                        completed_at: ls.and_then(|s| s.completed_at),
                    }
                })
                .collect(),
            quiz: m.quiz.as_ref().map(|q| {
                let qs = st.quizzes.get(&q.id);
                QuizProgressDto {
                    id: q.id,
                    title: text(&q.title, lang, orig),
                    pass_mark: q.settings.pass_mark,
                    max_attempts: q.settings.max_attempts,
                    time_limit_minutes: q.settings.time_limit_minutes,
                    attempts_submitted: qs.map(|s| s.attempts_submitted).unwrap_or(0),
                    attempts_left: qs.and_then(|s| s.attempts_left),
                    grade: qs.and_then(|s| s.grade),
                    passed: qs.is_some_and(|s| s.passed),
                    in_progress_attempt: qs.and_then(|s| s.in_progress_attempt),
                }
            }),
        })
        .collect();
    let cert = learning::certificate_of(&state.db, e.id).await?;
    Ok(EnrolmentProgressDto {
        course: rt.course.slug.clone(),
        course_version: rt.course.version,
        title: text(&rt.course.title, lang, orig),
        percent: st.percent,
        modules_completed: st.modules.iter().filter(|m| m.completed).count(),
        time_spent_seconds: st.time_spent_seconds,
        next: st.next.map(|(kind, id)| NextStep {
            kind: kind.to_owned(),
            id,
        }),
        modules,
        certificate_code: cert.map(|c| c.code),
        last_activity_at: e.last_activity_at,
        enrolment: enrolments::to_domain(e)?.into(),
    })
}

#[utoipa::path(
    tag = "learning",
    operation_id = "get_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The course outline with each lesson's and quiz's state, where to resume, time spent", body = EnrolmentProgressDto),
        problems::NotFound,
    )
)]
#[get("/enrolments/{id}")]
pub async fn get_enrolment(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (e, _) = access(&state, &auth.0, *id).await?;
    learning::close_expired(&state.db, e.id).await?;
    let e = learning::enrolment_row(&state.db.conn, e.id).await?;
    Ok(HttpResponse::Ok().json(progress_view(&state, e).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressWrite {
    /// viewed or completed (completed stays completed).
    pub status: String,
    /// The lesson's running total of seconds spent; the server keeps the largest value seen,
    /// so repeating a write never double-counts. At most 86,400.
    #[serde(default)]
    pub time_spent_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressAck {
    pub lesson: LessonProgressDto,
    /// active, completed or withdrawn: completing the last item completes the enrolment.
    pub enrolment_status: String,
    pub percent: f64,
    pub certificate_code: Option<String>,
}

#[utoipa::path(
    tag = "learning",
    operation_id = "record_progress",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id"), ("lesson_id" = Uuid, Path, description = "Lesson id (of the enrolment's course version)")),
    request_body = ProgressWrite,
    responses(
        (status = 200, description = "Recorded (repeats are harmless)", body = ProgressAck),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::Unprocessable,
    )
)]
#[put("/enrolments/{id}/lessons/{lesson_id}/progress")]
pub async fn record_progress(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ProgressWrite>,
) -> Result<HttpResponse, ApiError> {
    let (id, lesson_id) = path.into_inner();
    let (e, a) = access(&state, &auth.0, id).await?;
    owner_only(a)?;
    let completed = match body.status.as_str() {
        "completed" => true,
        "viewed" => false,
        _ => {
            return Err(ApiError::field(
                "status",
                "invalid_status",
                "status is viewed or completed",
            ));
        }
    };
    let seconds = body.time_spent_seconds.unwrap_or(0);
    if !(0..=i64::from(learning::MAX_LESSON_SECONDS)).contains(&seconds) {
        return Err(ApiError::field(
            "time_spent_seconds",
            "out_of_range",
            "0 to 86400 seconds",
        ));
    }
    learning::record_progress(&state.db, e.id, lesson_id, completed, seconds as i32).await?;
    let e = learning::enrolment_row(&state.db.conn, e.id).await?;
    let rt = help_lms_persistence::catalogue::runtime::runtime(&state.db.conn, e.course_version_id)
        .await?;
    let st = learning::load_standing(&state.db.conn, &rt, e.id).await?;
    let ls = st.lessons.get(&lesson_id);
    let cert = if e.completed_at.is_some() {
        learning::certificate_of(&state.db, e.id)
            .await?
            .map(|c| c.code)
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(ProgressAck {
        lesson: LessonProgressDto {
            id: lesson_id,
            key: String::new(),
            title: String::new(),
            status: ls.map(|s| s.status).unwrap_or("not_started").to_owned(),
            time_spent_seconds: ls.map(|s| s.time_spent_seconds).unwrap_or(0),
            completed_at: ls.and_then(|s| s.completed_at),
        },
        enrolment_status: e.status,
        percent: st.percent,
        certificate_code: cert,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionReview {
    pub key: String,
    pub points: f64,
    /// Shown when the review policy shows correctness.
    pub earned: Option<f64>,
    /// correct, partial, incorrect or unanswered; when correctness is shown.
    pub outcome: Option<String>,
    /// The correct answer in the response's shape; when answers are shown.
    #[schema(value_type = Option<Object>)]
    pub correct_response: Option<serde_json::Value>,
    pub feedback: Option<String>,
    pub explanation: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResult {
    pub score: f64,
    pub max_score: f64,
    pub percent: f64,
    pub passed: bool,
    /// What this review may show, by the quiz's review policy (staff see everything).
    #[schema(value_type = Object)]
    pub visibility: serde_json::Value,
    pub questions: Vec<QuestionReview>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDto {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    /// in_progress or submitted
    pub status: String,
    pub language: String,
    pub started_at: DateTime<Utc>,
    /// From the server clock; submissions are accepted until 30 seconds after it.
    pub deadline: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Closed by the server at its deadline, graded with what was saved.
    pub auto_closed: bool,
    /// The questions, without answer keys, in this attempt's order.
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<DeliveredQuestion>,
    /// Saved responses by question key.
    #[schema(value_type = Object)]
    pub responses: serde_json::Value,
    pub result: Option<AttemptResult>,
}

fn attempt_view(
    a: &attempts::Model,
    rt: &CourseRuntime,
    access: Access,
    submitted_count: u32,
    quiz_passed: bool,
) -> Result<AttemptDto, ApiError> {
    let q = rt.quiz(a.quiz_id).ok_or(ApiError::NotFound)?;
    let lang = Language::parse(&a.language).unwrap_or(Language::En);
    let mut fallbacks = vec![Language::En];
    fallbacks.extend(rt.course.languages.iter().copied());
    let questions = quiz::deliver(&q.def, &a.secret, a.seed as u64, lang, &fallbacks);
    let result = match (&a.result, a.status.as_str()) {
        (Some(r), "submitted") => {
            let r: QuizResult = serde_json::from_value(r.clone()).map_err(ApiError::internal)?;
            let s = &q.def.settings;
            let vis = if access == Access::Staff {
                Visibility {
                    score: true,
                    correctness: true,
                    correct_answers: true,
                }
            } else {
                quiz::review_visibility(
                    s.review,
                    s.review_when,
                    submitted_count,
                    s.max_attempts,
                    quiz_passed,
                )
            };
            let pickt = |t: &help_lms_domain::content::Localized| {
                pick(t, lang, &fallbacks).map(|(_, s)| s.to_owned())
            };
            let reviews = r
                .questions
                .iter()
                .map(|qr| {
                    let def = q.def.questions.iter().find(|d| d.key == qr.key);
                    let correct = qr.outcome == quiz::Outcome::Correct;
                    QuestionReview {
                        key: qr.key.clone(),
                        points: qr.points,
                        earned: vis.correctness.then_some(qr.earned),
                        outcome: vis
                            .correctness
                            .then(|| {
                                serde_json::to_value(qr.outcome)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_owned))
                            })
                            .flatten(),
                        correct_response: if vis.correct_answers {
                            def.map(|d| quiz::correct_response(d, &a.secret, lang, &fallbacks))
                        } else {
                            None
                        },
                        feedback: if vis.correct_answers {
                            def.and_then(|d| {
                                pickt(if correct {
                                    &d.feedback_correct
                                } else {
                                    &d.feedback_incorrect
                                })
                            })
                        } else {
                            None
                        },
                        explanation: if vis.correct_answers {
                            def.and_then(|d| pickt(&d.explanation))
                        } else {
                            None
                        },
                    }
                })
                .collect();
            Some(AttemptResult {
                score: r.score,
                max_score: r.max_score,
                percent: r.percent,
                passed: a.passed.unwrap_or(false),
                visibility: serde_json::to_value(vis).map_err(ApiError::internal)?,
                questions: reviews,
            })
        }
        _ => None,
    };
    Ok(AttemptDto {
        id: a.id,
        enrolment_id: a.enrolment_id,
        quiz_id: a.quiz_id,
        number: a.number,
        status: a.status.clone(),
        language: a.language.clone(),
        started_at: a.started_at,
        deadline: a.deadline,
        submitted_at: a.submitted_at,
        auto_closed: a.auto_closed,
        questions,
        responses: a.responses.clone(),
        result,
    })
}

async fn render_attempt(
    state: &AppState,
    a: &attempts::Model,
    access: Access,
) -> Result<AttemptDto, ApiError> {
    let e = learning::enrolment_row(&state.db.conn, a.enrolment_id).await?;
    let rt: Arc<CourseRuntime> =
        help_lms_persistence::catalogue::runtime::runtime(&state.db.conn, e.course_version_id)
            .await?;
    let st = learning::load_standing(&state.db.conn, &rt, e.id).await?;
    let qs = st.quizzes.get(&a.quiz_id);
    attempt_view(
        a,
        &rt,
        access,
        qs.map(|s| s.attempts_submitted).unwrap_or(0),
        qs.is_some_and(|s| s.passed),
    )
}

/// The attempt and the actor's access to it (through its enrolment).
async fn attempt_access(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<(attempts::Model, Access), ApiError> {
    let a = learning::attempt(&state.db, id)
        .await
        .map_err(|e| match e {
            help_lms_persistence::StoreError::NotFound => ApiError::NotFound,
            other => other.into(),
        })?;
    let (_, access) = access(state, actor, a.enrolment_id).await?;
    Ok((a, access))
}

#[utoipa::path(
    tag = "learning",
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
#[post("/enrolments/{id}/quizzes/{quiz_id}/attempts")]
pub async fn start_attempt(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, quiz_id) = path.into_inner();
    let (e, a) = access(&state, &auth.0, id).await?;
    owner_only(a)?;
    let (attempt, created) = learning::start_attempt(&state.db, e.id, quiz_id).await?;
    let view = render_attempt(&state, &attempt, Access::Owner).await?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(view))
}

#[utoipa::path(
    tag = "learning",
    operation_id = "get_attempt",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attempt id")),
    responses(
        (status = 200, description = "The attempt; after submission its result as the review policy allows", body = AttemptDto),
        problems::NotFound,
    )
)]
#[get("/attempts/{id}")]
pub async fn get_attempt(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (a, access) = attempt_access(&state, &auth.0, *id).await?;
    Ok(HttpResponse::Ok().json(render_attempt(&state, &a, access).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsesWrite {
    /// Responses by question key: an option id (single choice), a list of option ids
    /// (multiple choice), true/false, {left id: right id} (matching), a list of item ids
    /// (ordering), text (short text) or a number (numeric). `null` clears one.
    #[schema(value_type = Object)]
    pub responses: serde_json::Map<String, serde_json::Value>,
}

fn bad_responses(e: help_lms_persistence::StoreError) -> ApiError {
    match e {
        // Responses naming questions or options outside the attempt are a client error.
        help_lms_persistence::StoreError::Validation(v) => ApiError::with(
            Code::InvalidResponses,
            v.0.iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => other.into(),
    }
}

#[utoipa::path(
    tag = "learning",
    operation_id = "save_responses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attempt id")),
    request_body = ResponsesWrite,
    responses(
        (status = 200, description = "Saved", body = AttemptDto),
        problems::BadRequest,
        problems::Forbidden,
        problems::Conflict,
    )
)]
#[put("/attempts/{id}/responses")]
pub async fn save_responses(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<ResponsesWrite>,
) -> Result<HttpResponse, ApiError> {
    let (a, access) = attempt_access(&state, &auth.0, *id).await?;
    owner_only(access)?;
    let updated = learning::save_responses(&state.db, a.id, body.into_inner().responses)
        .await
        .map_err(bad_responses)?;
    Ok(HttpResponse::Ok().json(render_attempt(&state, &updated, Access::Owner).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// Final responses to merge before grading (optional).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub responses: Option<serde_json::Map<String, serde_json::Value>>,
}

#[utoipa::path(
    tag = "learning",
    operation_id = "submit_attempt",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attempt id")),
    request_body = SubmitRequest,
    responses(
        (status = 200, description = "Graded; submitting again returns the same result", body = AttemptDto),
        problems::BadRequest,
        problems::Forbidden,
        problems::Conflict,
    )
)]
#[post("/attempts/{id}/submit")]
pub async fn submit_attempt(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Option<web::Json<SubmitRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (a, access) = attempt_access(&state, &auth.0, *id).await?;
    owner_only(access)?;
    let responses = body.and_then(|b| b.into_inner().responses);
    match learning::submit(&state.db, a.id, responses)
        .await
        .map_err(bad_responses)?
    {
        Submitted::Graded(g) => {
            Ok(HttpResponse::Ok().json(render_attempt(&state, &g, Access::Owner).await?))
        }
        Submitted::TooLate(_) => Err(ApiError::with(
            Code::DeadlinePassed,
            format!(
                "the deadline (plus {} seconds of grace) has passed; the attempt was closed and graded with its saved responses",
                learning::GRACE_SECONDS
            ),
        )),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDto {
    /// Give this to whoever verifies: `GET /api/v1/certificates/{code}`.
    pub code: String,
    pub verification_path: String,
    pub learner_name: String,
    pub course_title: String,
    pub course_version: i32,
    pub language: String,
    pub issued_at: DateTime<Utc>,
    pub final_score: f64,
    pub estimated_hours: f64,
    /// valid or revoked
    pub status: String,
    pub revoked_reason: Option<String>,
}

impl From<learning::Certificate> for CertificateDto {
    fn from(c: learning::Certificate) -> Self {
        CertificateDto {
            verification_path: format!("/api/v1/certificates/{}", c.code),
            code: c.code,
            learner_name: c.learner_name,
            course_title: c.course_title,
            course_version: c.course_version,
            language: c.language,
            issued_at: c.issued_at,
            final_score: c.final_score,
            estimated_hours: c.estimated_hours,
            status: if c.revoked_at.is_some() {
                "revoked"
            } else {
                "valid"
            }
            .to_owned(),
            revoked_reason: c.revoked_reason,
        }
    }
}

#[utoipa::path(
    tag = "certificates",
    operation_id = "get_certificate",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The certificate; `Accept: application/pdf` gives a printable PDF", body = CertificateDto),
        problems::NotFound,
    )
)]
#[get("/enrolments/{id}/certificate")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (e, _) = access(&state, &auth.0, *id).await?;
    let c = learning::certificate_of(&state.db, e.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let wants_pdf = crate::negotiate::asks_for(&req, "application/pdf");
    if wants_pdf {
        let host = req.connection_info().host().to_owned();
        let scheme = req.connection_info().scheme().to_owned();
        let url = format!("{scheme}://{host}/api/v1/certificates/{}", c.code);
        let date = c.issued_at.format("%d %B %Y").to_string();
        let hours = format!(
            "{} hours of study, final score {:.0}%",
            c.estimated_hours, c.final_score
        );
        let version = format!("course version {}", c.course_version);
        let code_line = format!("Verification code: {}", c.code);
        let lines = [
            pdf::Line {
                text: "HELP - Human Rights Education for Legal Professionals",
                size: 14,
                bold: false,
                y: 90,
            },
            pdf::Line {
                text: "Certificate of completion",
                size: 30,
                bold: true,
                y: 150,
            },
            pdf::Line {
                text: "This certifies that",
                size: 14,
                bold: false,
                y: 210,
            },
            pdf::Line {
                text: &c.learner_name,
                size: 26,
                bold: true,
                y: 255,
            },
            pdf::Line {
                text: "has completed the course",
                size: 14,
                bold: false,
                y: 300,
            },
            pdf::Line {
                text: &c.course_title,
                size: 18,
                bold: true,
                y: 340,
            },
            pdf::Line {
                text: &version,
                size: 11,
                bold: false,
                y: 365,
            },
            pdf::Line {
                text: &hours,
                size: 12,
                bold: false,
                y: 400,
            },
            pdf::Line {
                text: &date,
                size: 12,
                bold: false,
                y: 425,
            },
            pdf::Line {
                text: &code_line,
                size: 12,
                bold: true,
                y: 490,
            },
            pdf::Line {
                text: &url,
                size: 10,
                bold: false,
                y: 510,
            },
        ];
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                "content-disposition",
                format!("inline; filename=\"help-certificate-{}.pdf\"", c.code),
            ))
            .body(pdf::page(&lines)));
    }
    Ok(HttpResponse::Ok().json(CertificateDto::from(c)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// true when the certificate exists and is not revoked.
    pub valid: bool,
    /// valid or revoked
    pub status: String,
    pub learner_name: String,
    pub course_title: String,
    pub issued_on: String,
    pub revoked_on: Option<String>,
}

#[utoipa::path(
    tag = "certificates",
    operation_id = "verify_certificate",
    params(("code" = String, Path, description = "The verification code printed on the certificate")),
    responses(
        (status = 200, description = "What verification needs, and nothing more", body = Verification),
        problems::NotFound,
    )
)]
#[get("/certificates/{code}")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if code.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let c = learning::certificate_by_code(&state.db, &code)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(Verification {
            valid: c.revoked_at.is_none(),
            status: if c.revoked_at.is_some() {
                "revoked"
            } else {
                "valid"
            }
            .to_owned(),
            learner_name: c.learner_name,
            course_title: c.course_title,
            issued_on: c.issued_at.date_naive().to_string(),
            revoked_on: c.revoked_at.map(|d| d.date_naive().to_string()),
        }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    pub reason: String,
}

#[utoipa::path(
    tag = "certificates",
    operation_id = "revoke_certificate",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The verification code")),
    request_body = RevokeRequest,
    responses(
        (status = 200, description = "Revoked (again is harmless)", body = CertificateDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/certificates/{code}/revoke")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    _admin: Admin,
    code: web::Path<String>,
    body: web::Json<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::field(
            "reason",
            "invalid_reason",
            "give a reason of 1 to 500 characters",
        ));
    }
    let c = learning::revoke_certificate(&state.db, &code, reason).await?;
    tracing::info!(certificate_id = %c.id, "certificate revoked");
    Ok(HttpResponse::Ok().json(CertificateDto::from(c)))
}

/// Used by the roster: each learner's standing.
pub(crate) async fn summaries(
    state: &AppState,
    rows: &[help_lms_persistence::enrolments::RosterEntry],
) -> Result<std::collections::HashMap<Uuid, learning::Standing>, ApiError> {
    let mut out = std::collections::HashMap::new();
    let mut by_version: std::collections::BTreeMap<Uuid, Vec<Uuid>> =
        std::collections::BTreeMap::new();
    for r in rows {
        by_version
            .entry(r.enrolment.course_version_id)
            .or_default()
            .push(r.enrolment.id);
    }
    for (version, ids) in by_version {
        let rt = help_lms_persistence::catalogue::runtime::runtime(&state.db.conn, version).await?;
        out.extend(learning::standings_for(&state.db.conn, &rt, &ids).await?);
    }
    Ok(out)
}
