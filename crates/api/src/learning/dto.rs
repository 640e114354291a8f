//! The wire shapes of learning: an enrolment's progress, progress writes, attempts and
//! their reviews.

use chrono::{DateTime, Utc};
use help_lms_domain::progress::{AttemptStatus, LessonStatus};
use help_lms_domain::quiz::{DeliveredQuestion, Outcome, Visibility};
use help_lms_domain::values::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enrolments::EnrolmentDto;

#[derive(Debug, Serialize, ToSchema)]
pub struct LessonProgressDto {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub status: LessonStatus,
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
    /// Attempts a tutor, manager or admin granted beyond `max_attempts`.
    pub extra_attempts: u32,
    /// Extra attempts counted; none when unlimited.
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

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NextKind {
    Lesson,
    Quiz,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextStep {
    pub kind: NextKind,
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressWrite {
    /// Completed stays completed.
    #[schema(value_type = help_lms_domain::progress::LessonReport)]
    pub status: String,
    /// The lesson's running total of seconds spent; the server keeps the largest value seen,
    /// so repeating a write never double-counts.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 86400)]
    pub time_spent_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressAck {
    pub lesson: LessonProgressDto,
    /// Completing the last item completes the enrolment.
    pub enrolment_status: help_lms_domain::enrolment::EnrolmentStatus,
    pub percent: f64,
    pub modules_completed: usize,
    /// Where to resume after this write.
    pub next: Option<NextStep>,
    /// Set when this write completed the course.
    pub certificate_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionReview {
    pub key: String,
    pub points: f64,
    /// Shown when the review policy shows correctness.
    pub earned: Option<f64>,
    /// When correctness is shown.
    pub outcome: Option<Outcome>,
    /// The correct answer in the response's shape; when answers are shown.
    #[schema(value_type = Option<Value>)]
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
    pub visibility: Visibility,
    pub questions: Vec<QuestionReview>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDto {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub status: AttemptStatus,
    pub language: Language,
    pub started_at: DateTime<Utc>,
    /// From the server clock; submissions are accepted until 30 seconds after it.
    pub deadline: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Closed by the server at its deadline, graded with what was saved.
    pub auto_closed: bool,
    /// The questions, without answer keys, in this attempt's order.
    pub questions: Vec<DeliveredQuestion>,
    /// Saved responses by question key.
    #[schema(value_type = HashMap<String, QuizResponse>)]
    pub responses: serde_json::Map<String, serde_json::Value>,
    pub result: Option<AttemptResult>,
}

/// One question's response, in the shape of its kind: an option id (single choice), option
/// ids (multiple choice), true or false, `{left id: right id}` (matching), item ids in order
/// (ordering), a text (short text) or a number (numeric); `null` clears it. Which shape a
/// question takes is in its `kind`; a response of another shape is refused (400).
pub struct QuizResponse;

impl utoipa::PartialSchema for QuizResponse {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let of = |t: Type| ObjectBuilder::new().schema_type(t);
        OneOfBuilder::new()
            .item(of(Type::String))
            .item(ArrayBuilder::new().items(of(Type::String)))
            .item(of(Type::Boolean))
            .item(of(Type::Number))
            .item(of(Type::Object).additional_properties(Some(of(Type::String))))
            .item(of(Type::Null))
            .into()
    }
}
impl utoipa::ToSchema for QuizResponse {}

/// Refuses (422, naming each) a response that has none of the [`QuizResponse`] shapes, before
/// anything else: whether it fits its question is the attempt's to say (400), but a shape no
/// question takes is a malformed request, even to an attempt already graded.
pub fn check_shapes(
    responses: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), crate::error::ApiError> {
    use serde_json::Value;
    let mut errors = help_lms_domain::ValidationErrors::new();
    for (key, value) in responses {
        let fits = match value {
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            Value::Object(pairs) => pairs.values().all(Value::is_string),
        };
        if !fits {
            errors.push(
                format!("responses.{key}"),
                "invalid_shape",
                "a response is a string, a list of strings, true or false, a number, \
                 an object of strings, or null",
            );
        }
    }
    errors.into_result().map_err(Into::into)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsesWrite {
    /// Responses by question key: an option id (single choice), a list of option ids
    /// (multiple choice), true/false, {left id: right id} (matching), a list of item ids
    /// (ordering), text (short text) or a number (numeric). `null` clears one.
    #[schema(value_type = HashMap<String, QuizResponse>)]
    pub responses: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// Final responses to merge before grading (optional).
    #[serde(default)]
    #[schema(value_type = Option<HashMap<String, QuizResponse>>)]
    pub responses: Option<serde_json::Map<String, serde_json::Value>>,
}
