//! Statistics: completions grouped by any of the reporting dimensions (JSON, or CSV with
//! `Accept: text/csv`), the funnel of one course, and the programme's targets.
//!
//! Who sees what: admins everything; NTI managers (people and API clients) the enrolments
//! in their institution's cohorts; tutors the cohorts they tutor; learners nothing (403).
//! The scope is applied on top of the filters, so no filter widens it; naming another
//! institution or a cohort one cannot see answers 404, as everywhere in the API. Cells of
//! fewer enrolments than `HELP_STATS_MIN_CELL` are suppressed for everyone but admins.

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::ValidationErrors;
use help_lms_domain::accounts::Actor;
use help_lms_domain::content::Localized;
use help_lms_domain::values::{Country, Language, Profession, Role};
use help_lms_persistence::stats::{
    self, CompletionRow, Dimension, Filters, Metric, Mode, NewTarget, QuestionCell, Scope,
    TargetProgress,
};
use help_lms_persistence::{catalogue, cohorts, institutions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::catalogue::dto::text;
use crate::error::{ApiError, Code, problems};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

// ----------------------------------------------------------------------------------------
// Who may see what

/// The scope of the actor's statistics; learners get 403.
async fn scope_of(state: &AppState, a: &Actor) -> Result<Scope, ApiError> {
    match a.role {
        Role::Admin => Ok(Scope::All),
        Role::NtiManager => Ok(Scope::Institution(
            a.institution_id.unwrap_or_else(Uuid::nil),
        )),
        Role::Tutor if !a.via_client => {
            let mine = cohorts::list(&state.db, None, Some(a.user_id)).await?;
            Ok(Scope::Cohorts(mine.into_iter().map(|c| c.id).collect()))
        }
        _ => Err(ApiError::from(Code::StaffOnly)),
    }
}

/// The threshold applied to this actor's answers: 0 (nothing suppressed) for admins.
fn threshold_for(state: &AppState, a: &Actor) -> u64 {
    if a.is_admin() {
        0
    } else {
        state.config.stats_min_cell
    }
}

// ----------------------------------------------------------------------------------------
// Filters

/// The filters common to the statistics endpoints. Every filter takes one value or a
/// comma-separated list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompletionsQuery {
    /// Comma-separated dimensions to group by: course, country, profession, institution,
    /// cohort, language, mode (self_study or tutored) and month (of enrolment, YYYY-MM).
    /// None: one row for everything in scope.
    pub group_by: Option<String>,
    /// Course slug(s).
    pub course: Option<String>,
    /// Country code(s) (ISO 3166-1 alpha-2; EL is Greece).
    pub country: Option<String>,
    /// Profession(s): judge, prosecutor, prison_staff, probation_staff, lawyer, court_staff, law_enforcement, other.
    pub profession: Option<String>,
    /// Institution id(s) (the institution running the cohort).
    pub institution: Option<String>,
    /// Cohort id(s).
    pub cohort: Option<String>,
    /// Course language(s) of the enrolment.
    pub language: Option<String>,
    /// self_study or tutored.
    pub mode: Option<String>,
    /// Enrolled on or after this day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// Enrolled on or before this day (YYYY-MM-DD, UTC).
    pub to: Option<String>,
}

/// The funnel's filters: those of the completions without course and grouping.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// Country code(s) (ISO 3166-1 alpha-2; EL is Greece).
    pub country: Option<String>,
    /// Profession(s).
    pub profession: Option<String>,
    /// Institution id(s) (the institution running the cohort).
    pub institution: Option<String>,
    /// Cohort id(s).
    pub cohort: Option<String>,
    /// Course language(s) of the enrolment.
    pub language: Option<String>,
    /// self_study or tutored.
    pub mode: Option<String>,
    /// Enrolled on or after this day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// Enrolled on or before this day (YYYY-MM-DD, UTC).
    pub to: Option<String>,
}

fn list(raw: &Option<String>) -> Vec<String> {
    raw.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_each<T>(
    errors: &mut ValidationErrors,
    field: &str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, (&'static str, String)>,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in list(raw) {
        match parse(&v) {
            Ok(t) => out.push(t),
            Err((code, message)) => errors.push(field, code, message),
        }
    }
    out
}

fn parse_day(
    errors: &mut ValidationErrors,
    field: &str,
    raw: &Option<String>,
) -> Option<NaiveDate> {
    let v = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(field, "invalid_date", "a date as YYYY-MM-DD");
            None
        }
    }
}

fn value_error(e: help_lms_domain::validation::ValueError) -> (&'static str, String) {
    (e.code, e.message)
}

/// The raw filter values, as both endpoints receive them.
struct RawFilters<'a> {
    course: Option<&'a Option<String>>,
    country: &'a Option<String>,
    profession: &'a Option<String>,
    institution: &'a Option<String>,
    cohort: &'a Option<String>,
    language: &'a Option<String>,
    mode: &'a Option<String>,
    from: &'a Option<String>,
    to: &'a Option<String>,
}

/// Checks every filter (422 naming each wrong field), then that the actor may see the
/// institutions and cohorts named (404 if not; 422 for an admin naming one that does not
/// exist).
async fn parse_filters(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    raw: RawFilters<'_>,
    errors: &mut ValidationErrors,
) -> Result<Filters, ApiError> {
    let mut f = Filters {
        countries: parse_each(errors, "country", raw.country, |v| {
            Country::parse_lenient(v)
                .map(|c| c.as_str().to_owned())
                .map_err(value_error)
        }),
        professions: parse_each(errors, "profession", raw.profession, |v| {
            Profession::parse(&v.to_lowercase())
                .map(|p| p.as_str().to_owned())
                .map_err(value_error)
        }),
        languages: parse_each(errors, "language", raw.language, |v| {
            Language::parse(&v.to_lowercase())
                .map(|l| l.as_str().to_owned())
                .map_err(value_error)
        }),
        modes: parse_each(errors, "mode", raw.mode, |v| {
            Mode::parse(v).ok_or((
                "invalid_mode",
                format!(
                    "'{}' is not a mode; expected self_study or tutored",
                    v.chars().take(40).collect::<String>()
                ),
            ))
        }),
        institutions: parse_each(errors, "institution", raw.institution, |v| {
            Uuid::parse_str(v).map_err(|_| ("invalid_id", "an institution id (UUID)".into()))
        }),
        cohorts: parse_each(errors, "cohort", raw.cohort, |v| {
            Uuid::parse_str(v).map_err(|_| ("invalid_id", "a cohort id (UUID)".into()))
        }),
        from: parse_day(errors, "from", raw.from),
        to: parse_day(errors, "to", raw.to),
        courses: Vec::new(),
    };
    if let (Some(from), Some(to)) = (f.from, f.to)
        && to < from
    {
        errors.push("to", "before_from", "the range ends before it starts");
    }
    if let Some(course) = raw.course {
        for slug in list(course) {
            match catalogue::current_version(&state.db, &slug).await? {
                Some(c) => f.courses.push(c.course_id),
                None => errors.push("course", "unknown_course", "no course has this slug"),
            }
        }
    }
    // Ids that parse: visible to the actor (404 otherwise), existing (422 for admins).
    for id in &f.institutions {
        match scope {
            Scope::All => {
                if institutions::find(&state.db, *id).await?.is_none() {
                    errors.push("institution", "unknown_institution", "no such institution");
                }
            }
            _ if actor.institution_id == Some(*id) => {}
            _ => return Err(ApiError::NotFound),
        }
    }
    for id in &f.cohorts {
        let found = cohorts::find(&state.db.conn, *id).await?;
        match (scope, found) {
            (Scope::All, None) => errors.push("cohort", "unknown_cohort", "no such cohort"),
            (Scope::All, Some(_)) => {}
            (Scope::Institution(mine), Some(c)) if c.institution_id == *mine => {}
            (Scope::Cohorts(mine), Some(c)) if mine.contains(&c.id) => {}
            _ => return Err(ApiError::NotFound),
        }
    }
    Ok(f)
}

fn parse_group_by(raw: &Option<String>, errors: &mut ValidationErrors) -> Vec<Dimension> {
    let mut out: Vec<Dimension> = Vec::new();
    for v in list(raw) {
        match Dimension::parse(&v.to_lowercase()) {
            Some(d) if !out.contains(&d) => out.push(d),
            Some(_) => {}
            None => errors.push(
                "group_by",
                "unknown_dimension",
                format!(
                    "'{}' is not a dimension; expected any of: {}",
                    v.chars().take(40).collect::<String>(),
                    Dimension::ALL
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    out
}

// ----------------------------------------------------------------------------------------
// Completions

/// One group of enrolments. The group's keys appear only for the dimensions grouped by;
/// `institution`, `cohort` and their names are null for self-study enrolments. In a
/// suppressed row every figure is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionRowDto {
    /// Course slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub course: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub profession: Option<Option<String>>,
    /// Institution id (of the cohort).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub institution: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub institution_name: Option<Option<String>>,
    /// Cohort id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cohort: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cohort_name: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub language: Option<Option<String>>,
    /// self_study or tutored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub mode: Option<Option<String>>,
    /// Month of enrolment, YYYY-MM.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub month: Option<Option<String>>,
    /// Enrolments.
    pub enrolled: Option<u64>,
    /// Still in progress.
    pub active: Option<u64>,
    /// Completed (also when withdrawn afterwards).
    pub completed: Option<u64>,
    /// completed / enrolled, 4 decimals.
    pub completion_rate: Option<f64>,
    /// Withdrawn before completing.
    pub withdrawn: Option<u64>,
    /// Mean final score (percent) of the completed.
    pub average_final_score: Option<f64>,
    /// Median whole days from enrolment to completion: exact under 14 days, estimated
    /// within the week, month or year beyond.
    pub median_days_to_complete: Option<f64>,
    /// Certificates issued and not revoked.
    pub certificates_issued: Option<u64>,
    /// The group has fewer enrolments than the threshold: its figures are withheld.
    pub suppressed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionsDto {
    pub group_by: Vec<String>,
    /// Ordered by the group keys (self-study, without institution or cohort, first).
    pub rows: Vec<CompletionRowDto>,
    /// Groups of fewer enrolments than this are suppressed in this answer (0 for admins,
    /// who see every group).
    pub suppressed_threshold: u64,
}

fn row_dto(r: CompletionRow, threshold: u64) -> CompletionRowDto {
    let mut d = CompletionRowDto {
        course: None,
        country: None,
        profession: None,
        institution: None,
        institution_name: None,
        cohort: None,
        cohort_name: None,
        language: None,
        mode: None,
        month: None,
        enrolled: None,
        active: None,
        completed: None,
        completion_rate: None,
        withdrawn: None,
        average_final_score: None,
        median_days_to_complete: None,
        certificates_issued: None,
        suppressed: stats::is_small(r.enrolled, threshold),
    };
    for k in r.keys {
        match k.dimension {
            Dimension::Course => d.course = Some(k.label.or(k.value)),
            Dimension::Country => d.country = Some(k.value),
            Dimension::Profession => d.profession = Some(k.value),
            Dimension::Institution => {
                d.institution = Some(k.value);
                d.institution_name = Some(k.label);
            }
            Dimension::Cohort => {
                d.cohort = Some(k.value);
                d.cohort_name = Some(k.label);
            }
            Dimension::Language => d.language = Some(k.value),
            Dimension::Mode => d.mode = Some(k.value),
            Dimension::Month => d.month = Some(k.value),
        }
    }
    if !d.suppressed {
        d.enrolled = Some(r.enrolled);
        d.active = Some(r.active);
        d.completed = Some(r.completed);
        d.completion_rate = Some(r.completion_rate);
        d.withdrawn = Some(r.withdrawn);
        d.average_final_score = r.average_final_score;
        d.median_days_to_complete = r.median_days_to_complete;
        d.certificates_issued = Some(r.certificates_issued);
    }
    d
}

/// The CSV columns for a grouping: the keys (with names after ids), then the figures.
fn csv_header(group_by: &[Dimension]) -> Vec<&'static str> {
    let mut h = Vec::new();
    for d in group_by {
        h.push(d.as_str());
        match d {
            Dimension::Institution => h.push("institution_name"),
            Dimension::Cohort => h.push("cohort_name"),
            _ => {}
        }
    }
    h.extend([
        "enrolled",
        "active",
        "completed",
        "completion_rate",
        "withdrawn",
        "average_final_score",
        "median_days_to_complete",
        "certificates_issued",
        "suppressed",
    ]);
    h
}

fn to_csv(dto: &CompletionsDto, group_by: &[Dimension]) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(csv_header(group_by))
        .map_err(ApiError::internal)?;
    let s = |v: &Option<Option<String>>| v.clone().flatten().unwrap_or_default();
    let n = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for r in &dto.rows {
        let mut rec = Vec::new();
        for d in group_by {
            match d {
                Dimension::Course => rec.push(s(&r.course)),
                Dimension::Country => rec.push(s(&r.country)),
                Dimension::Profession => rec.push(s(&r.profession)),
                Dimension::Institution => {
                    rec.push(s(&r.institution));
                    rec.push(s(&r.institution_name));
                }
                Dimension::Cohort => {
                    rec.push(s(&r.cohort));
                    rec.push(s(&r.cohort_name));
                }
                Dimension::Language => rec.push(s(&r.language)),
                Dimension::Mode => rec.push(s(&r.mode)),
                Dimension::Month => rec.push(s(&r.month)),
            }
        }
        rec.extend([
            n(r.enrolled),
            n(r.active),
            n(r.completed),
            f(r.completion_rate),
            n(r.withdrawn),
            f(r.average_final_score),
            f(r.median_days_to_complete),
            n(r.certificates_issued),
            r.suppressed.to_string(),
        ]);
        w.write_record(&rec).map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

fn wants_csv(req: &HttpRequest) -> bool {
    crate::negotiate::asks_for(req, "text/csv")
}

#[utoipa::path(
    tag = "statistics",
    operation_id = "completion_statistics",
    security(("bearer" = [])),
    params(CompletionsQuery),
    responses(
        (status = 200, description = "Enrolments, completions, scores and certificates per group; `Accept: text/csv` gives the same rows as CSV", content(
            (CompletionsDto = "application/json"),
            (String = "text/csv"),
        )),
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/stats/completions")]
pub async fn completions(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    q: web::Query<CompletionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let a = auth.0;
    let scope = scope_of(&state, &a).await?;
    let mut errors = ValidationErrors::new();
    let group_by = parse_group_by(&q.group_by, &mut errors);
    let filters = parse_filters(
        &state,
        &a,
        &scope,
        RawFilters {
            course: Some(&q.course),
            country: &q.country,
            profession: &q.profession,
            institution: &q.institution,
            cohort: &q.cohort,
            language: &q.language,
            mode: &q.mode,
            from: &q.from,
            to: &q.to,
        },
        &mut errors,
    )
    .await?;
    errors.into_result()?;
    let rows = stats::completions(&state.db, &group_by, &filters, &scope).await?;
    let threshold = threshold_for(&state, &a);
    let dto = CompletionsDto {
        group_by: group_by.iter().map(|d| d.as_str().to_owned()).collect(),
        rows: rows.into_iter().map(|r| row_dto(r, threshold)).collect(),
        suppressed_threshold: threshold,
    };
    if wants_csv(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                CONTENT_DISPOSITION,
                "attachment; filename=\"completions.csv\"",
            ))
            .body(to_csv(&dto, &group_by)?));
    }
    Ok(HttpResponse::Ok().json(dto))
}

// ----------------------------------------------------------------------------------------
// Funnel

/// How one question went in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionLanguageDto {
    pub language: String,
    /// Enrolments with a submitted attempt in this language.
    pub learners: Option<u64>,
    /// Submitted attempts in this language.
    pub attempts: Option<u64>,
    pub correct: Option<u64>,
    /// Share of those attempts answering it right, 4 decimals.
    pub share_correct: Option<f64>,
    pub suppressed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelQuestionDto {
    pub key: String,
    /// single_choice, multiple_choice, true_false, matching, ordering, short_text or numeric.
    pub kind: String,
    /// Submitted attempts.
    pub attempts: Option<u64>,
    /// Answered right.
    pub correct: Option<u64>,
    /// Answered partly right (partial credit).
    pub partial: Option<u64>,
    /// correct / attempts, 4 decimals.
    pub share_correct: Option<f64>,
    pub suppressed: bool,
    /// The same per attempt language, to find questions harder in one language.
    pub by_language: Vec<QuestionLanguageDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelQuizDto {
    pub title: String,
    pub pass_mark: u8,
    /// Enrolments whose grade reaches the pass mark.
    pub passed: Option<u64>,
    /// Enrolments with at least one submitted attempt.
    pub learners: Option<u64>,
    /// Submitted attempts.
    pub attempts: Option<u64>,
    /// Mean percent over the submitted attempts.
    pub average_score: Option<f64>,
    /// Submitted attempts per learner who submitted one.
    pub average_attempts: Option<f64>,
    pub suppressed: bool,
    pub questions: Vec<FunnelQuestionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelModuleDto {
    /// 1-based, in course order.
    pub position: usize,
    pub key: String,
    pub title: String,
    /// Enrolments with progress in any of its lessons.
    pub started: Option<u64>,
    /// Enrolments with every lesson completed and its quiz passed.
    pub completed: Option<u64>,
    pub suppressed: bool,
    pub quiz: Option<FunnelQuizDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelDto {
    pub course: String,
    /// Enrolments in scope.
    pub enrolled: Option<u64>,
    pub completed: Option<u64>,
    pub suppressed: bool,
    /// Cells of fewer learners than this are suppressed in this answer (0 for admins).
    pub suppressed_threshold: u64,
    pub modules: Vec<FunnelModuleDto>,
}

fn share(part: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| ((part as f64 / of as f64) * 10000.0).round() / 10000.0)
}

fn question_language(language: String, c: QuestionCell, hidden: bool) -> QuestionLanguageDto {
    QuestionLanguageDto {
        language,
        learners: (!hidden).then_some(c.learners),
        attempts: (!hidden).then_some(c.attempts),
        correct: (!hidden).then_some(c.correct),
        share_correct: share(c.correct, c.attempts).filter(|_| !hidden),
        suppressed: hidden,
    }
}

fn funnel_dto(f: stats::Funnel, threshold: u64) -> FunnelDto {
    let small = |n: u64| stats::is_small(n, threshold);
    let all_hidden = small(f.enrolled);
    let lang = f.languages.first().copied().unwrap_or(Language::En);
    let title = |t: &Localized| text(t, lang, &f.languages);
    let modules = f
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let hidden = all_hidden || small(m.started);
            let quiz = m.quiz.as_ref().map(|q| {
                let q_hidden = hidden || small(q.learners);
                FunnelQuizDto {
                    title: title(&q.title),
                    pass_mark: q.pass_mark,
                    passed: (!q_hidden).then_some(q.passed),
                    learners: (!q_hidden).then_some(q.learners),
                    attempts: (!q_hidden).then_some(q.attempts),
                    average_score: q.average_score.filter(|_| !q_hidden),
                    average_attempts: q.average_attempts.filter(|_| !q_hidden),
                    suppressed: q_hidden,
                    questions: q
                        .questions
                        .iter()
                        .map(|qq| FunnelQuestionDto {
                            key: qq.key.clone(),
                            kind: qq.kind.to_owned(),
                            attempts: (!q_hidden).then_some(qq.all.attempts),
                            correct: (!q_hidden).then_some(qq.all.correct),
                            partial: (!q_hidden).then_some(qq.all.partial),
                            share_correct: share(qq.all.correct, qq.all.attempts)
                                .filter(|_| !q_hidden),
                            suppressed: q_hidden,
                            by_language: qq
                                .by_language
                                .iter()
                                .map(|(l, c)| {
                                    question_language(
                                        l.clone(),
                                        c.clone(),
                                        q_hidden || small(c.learners),
                                    )
                                })
                                .collect(),
                        })
                        .collect(),
                }
            });
            FunnelModuleDto {
                position: i + 1,
                key: m.key.clone(),
                title: title(&m.title),
                started: (!hidden).then_some(m.started),
                completed: (!hidden).then_some(m.completed),
                suppressed: hidden,
                quiz,
            }
        })
        .collect();
    FunnelDto {
        course: f.course_slug,
        enrolled: (!all_hidden).then_some(f.enrolled),
        completed: (!all_hidden).then_some(f.completed),
        suppressed: all_hidden,
        suppressed_threshold: threshold,
        modules,
    }
}

#[utoipa::path(
    tag = "statistics",
    operation_id = "course_funnel",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Course slug"), FunnelQuery),
    responses(
        (status = 200, description = "Per module in course order: started, completed, quiz passed, average score and attempts; per question the share answered right, overall and per attempt language", body = FunnelDto),
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/stats/courses/{slug}/funnel")]
pub async fn course_funnel(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    q: web::Query<FunnelQuery>,
) -> Result<HttpResponse, ApiError> {
    let a = auth.0;
    let scope = scope_of(&state, &a).await?;
    let course = catalogue::current_version(&state.db, slug.trim())
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut errors = ValidationErrors::new();
    let filters = parse_filters(
        &state,
        &a,
        &scope,
        RawFilters {
            course: None,
            country: &q.country,
            profession: &q.profession,
            institution: &q.institution,
            cohort: &q.cohort,
            language: &q.language,
            mode: &q.mode,
            from: &q.from,
            to: &q.to,
        },
        &mut errors,
    )
    .await?;
    errors.into_result()?;
    let f = stats::funnel(&state.db, course.course_id, &filters, &scope).await?;
    Ok(HttpResponse::Ok().json(funnel_dto(f, threshold_for(&state, &a))))
}

// ----------------------------------------------------------------------------------------
// Targets

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTargetDto {
    /// What the target is, e.g. "Practitioners completing any course, 2020-2021".
    pub name: String,
    /// enrolled (distinct learners enrolled), completed (distinct learners who completed)
    /// or certificates (issued and not revoked).
    pub metric: String,
    /// The number to reach, 1 to 100,000,000.
    pub target: i64,
    /// First day of the period (YYYY-MM-DD): the enrolment, completion or issue date counts.
    pub from: Option<String>,
    /// Last day of the period (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only this course (slug); none: any course.
    pub course: Option<String>,
    /// Only learners of this profession.
    pub profession: Option<String>,
    /// Only learners of this country.
    pub country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    pub id: Uuid,
    pub name: String,
    pub metric: String,
    pub target: i64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub course: Option<String>,
    pub profession: Option<String>,
    pub country: Option<String>,
    /// Where the metric stands now.
    pub current: u64,
    /// current / target in percent, 2 decimals (may exceed 100).
    pub percent_achieved: f64,
    pub created_at: DateTime<Utc>,
}

impl From<TargetProgress> for TargetDto {
    fn from(p: TargetProgress) -> Self {
        let t = p.target;
        let percent = if t.target > 0 {
            ((p.current as f64 / t.target as f64) * 10000.0).round() / 100.0
        } else {
            0.0
        };
        TargetDto {
            id: t.id,
            name: t.name,
            metric: t.metric,
            target: t.target,
            from: t.period_from,
            to: t.period_to,
            course: p.course_slug,
            profession: t.profession,
            country: t.country,
            current: p.current,
            percent_achieved: percent,
            created_at: t.created_at,
        }
    }
}

fn admin_only(a: &Actor) -> Result<(), ApiError> {
    if a.is_admin() {
        Ok(())
    } else {
        Err(ApiError::from(Code::AdminOnly))
    }
}

#[utoipa::path(
    tag = "statistics",
    operation_id = "create_target",
    security(("bearer" = [])),
    request_body = NewTargetDto,
    responses(
        (status = 201, description = "Recorded, with where it stands now", body = TargetDto),
        problems::Forbidden,
        problems::Unprocessable,
    )
)]
#[post("/stats/targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<NewTargetDto>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&auth.0)?;
    let b = body.into_inner();
    let mut errors = ValidationErrors::new();
    let name = b.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(
            "name",
            "invalid_name",
            "the name must be 1 to 200 characters",
        );
    }
    let metric = Metric::parse(b.metric.trim());
    if metric.is_none() {
        errors.push(
            "metric",
            "invalid_metric",
            "the metric is enrolled, completed or certificates",
        );
    }
    if !(1..=100_000_000).contains(&b.target) {
        errors.push("target", "out_of_range", "the target is 1 to 100,000,000");
    }
    let from = parse_day(&mut errors, "from", &b.from);
    let to = parse_day(&mut errors, "to", &b.to);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push("to", "before_from", "the period ends before it starts");
    }
    let profession = match b.profession.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => errors
            .check("profession", Profession::parse(&p.to_lowercase()))
            .map(|p| p.as_str().to_owned()),
    };
    let country = match b.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => errors
            .check("country", Country::parse_lenient(c))
            .map(|c| c.as_str().to_owned()),
    };
    let course_id = match b.course.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(slug) => match catalogue::current_version(&state.db, slug).await? {
            Some(c) => Some(c.course_id),
            None => {
                errors.push("course", "unknown_course", "no course has this slug");
                None
            }
        },
    };
    let Some(metric) = metric else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let t = stats::create_target(
        &state.db,
        NewTarget {
            name,
            metric,
            target: b.target,
            period_from: from,
            period_to: to,
            course_id,
            profession,
            country,
            created_by: auth.0.user_id,
        },
    )
    .await?;
    tracing::info!(target_id = %t.id, "statistics target recorded");
    let progress = stats::target(&state.db, t.id).await?;
    Ok(HttpResponse::Created().json(TargetDto::from(progress)))
}

#[utoipa::path(
    tag = "statistics",
    operation_id = "list_targets",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "The targets, oldest first, each with its current value and percent achieved", body = Page<TargetDto>),
        problems::Forbidden,
    )
)]
#[get("/stats/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    auth: Authenticated,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&auth.0)?;
    let all = stats::targets(&state.db).await?;
    Ok(HttpResponse::Ok().json(Page::of(
        all.into_iter().map(TargetDto::from).collect(),
        *page,
    )))
}

#[utoipa::path(
    tag = "statistics",
    operation_id = "get_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    responses(
        (status = 200, description = "The target and where it stands", body = TargetDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/stats/targets/{id}")]
pub async fn get_target(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&auth.0)?;
    Ok(HttpResponse::Ok().json(TargetDto::from(stats::target(&state.db, *id).await?)))
}

#[utoipa::path(
    tag = "statistics",
    operation_id = "delete_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    responses(
        (status = 204, description = "Deleted"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/stats/targets/{id}")]
pub async fn delete_target(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&auth.0)?;
    stats::delete_target(&state.db, *id).await?;
    tracing::info!(target_id = %id, "statistics target deleted");
    Ok(HttpResponse::NoContent().finish())
}
