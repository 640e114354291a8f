//! What the statistics endpoints accept: the query strings and the new-target body, and
//! their parsing into domain filters and targets.

use help_lms_domain::ValidationErrors;
use help_lms_domain::accounts::Actor;
use help_lms_domain::reporting::{Filters, Metric, RawFilters, Scope, TargetDraft, list};
use help_lms_persistence::{catalogue, cohorts, institutions};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

// Filters

/// The filters common to the statistics endpoints. Every list takes the parameter repeated
/// (`country=RO&country=BG`, as generated clients send it) or comma-separated values.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompletionsQuery {
    /// Comma-separated dimensions to group by: course, country, profession, institution,
    /// cohort, language, mode (self_study or tutored) and month (of enrolment, YYYY-MM).
    /// None: one row for everything in scope.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::reporting::Dimension>>)]
    pub group_by: Option<String>,
    /// Course slug(s).
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Slug>>)]
    pub course: Option<String>,
    /// Country code(s): ISO 3166-1 alpha-2 of a Council of Europe member state (EL is
    /// Greece), or `other`; case-insensitive here.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Country>>)]
    pub country: Option<String>,
    /// Profession(s): judge, prosecutor, prison_staff, probation_staff, lawyer, court_staff, law_enforcement, other.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Profession>>)]
    pub profession: Option<String>,
    /// Institution id(s) (the institution running the cohort).
    #[param(style = Form, explode = true, value_type = Option<Vec<uuid::Uuid>>)]
    pub institution: Option<String>,
    /// Cohort id(s).
    #[param(style = Form, explode = true, value_type = Option<Vec<uuid::Uuid>>)]
    pub cohort: Option<String>,
    /// Course language(s) of the enrolment.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Language>>)]
    pub language: Option<String>,
    /// self_study or tutored.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::reporting::Mode>>)]
    pub mode: Option<String>,
    /// Enrolled on or after this day (YYYY-MM-DD, UTC).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// Enrolled on or before this day (YYYY-MM-DD, UTC).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
}

/// The funnel's filters: those of the completions without course and grouping.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// Country code(s): ISO 3166-1 alpha-2 of a Council of Europe member state (EL is
    /// Greece), or `other`; case-insensitive here.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Country>>)]
    pub country: Option<String>,
    /// Profession(s).
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Profession>>)]
    pub profession: Option<String>,
    /// Institution id(s) (the institution running the cohort).
    #[param(style = Form, explode = true, value_type = Option<Vec<uuid::Uuid>>)]
    pub institution: Option<String>,
    /// Cohort id(s).
    #[param(style = Form, explode = true, value_type = Option<Vec<uuid::Uuid>>)]
    pub cohort: Option<String>,
    /// Course language(s) of the enrolment.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::values::Language>>)]
    pub language: Option<String>,
    /// self_study or tutored.
    #[param(style = Form, explode = true, value_type = Option<Vec<help_lms_domain::reporting::Mode>>)]
    pub mode: Option<String>,
    /// Enrolled on or after this day (YYYY-MM-DD, UTC).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// Enrolled on or before this day (YYYY-MM-DD, UTC).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
}

impl CompletionsQuery {
    pub fn raw(&self) -> RawFilters<'_> {
        RawFilters {
            country: self.country.as_deref(),
            profession: self.profession.as_deref(),
            institution: self.institution.as_deref(),
            cohort: self.cohort.as_deref(),
            language: self.language.as_deref(),
            mode: self.mode.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
        }
    }
}

impl FunnelQuery {
    pub fn raw(&self) -> RawFilters<'_> {
        RawFilters {
            country: self.country.as_deref(),
            profession: self.profession.as_deref(),
            institution: self.institution.as_deref(),
            cohort: self.cohort.as_deref(),
            language: self.language.as_deref(),
            mode: self.mode.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
        }
    }
}

/// The course whose slug this is; none, with an `unknown_course` error, if no course has it.
pub async fn course_of(
    state: &AppState,
    slug: &str,
    errors: &mut ValidationErrors,
) -> Result<Option<Uuid>, ApiError> {
    let found = catalogue::current_version(&state.db.conn, slug).await?;
    if found.is_none() {
        errors.push("course", "unknown_course", "no course has this slug");
    }
    Ok(found.map(|c| c.course_id))
}

/// Checks every filter (422 naming each wrong field), then that the actor may see the
/// institutions and cohorts named (404 if not; 422 for an admin naming one that does not
/// exist). `course` lists course slugs (the completions only).
pub async fn resolve_filters(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    course: Option<&str>,
    raw: RawFilters<'_>,
    errors: &mut ValidationErrors,
) -> Result<Filters, ApiError> {
    let mut f = Filters::parse(raw, errors);
    for slug in list(course) {
        f.courses.extend(course_of(state, slug, errors).await?);
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
        match (scope, cohorts::find(&state.db.conn, *id).await?) {
            (Scope::All, None) => errors.push("cohort", "unknown_cohort", "no such cohort"),
            (_, Some(c)) if scope.covers_cohort(c.id, c.institution_id) => {}
            _ => return Err(ApiError::NotFound),
        }
    }
    Ok(f)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTargetDto {
    /// What the target is, e.g. "Practitioners completing any course, 2020-2021".
    #[schema(value_type = help_lms_domain::values::Title)]
    pub name: String,
    /// enrolled (distinct learners enrolled), completed (distinct learners who completed)
    /// or certificates (issued and not revoked).
    #[schema(value_type = Metric)]
    pub metric: String,
    /// The number to reach.
    #[schema(minimum = 1, maximum = 100000000)]
    pub target: i64,
    /// First day of the period: the enrolment, completion or issue date counts.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// Last day of the period, on or after `from`.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
    /// Only this course; none: any course.
    #[schema(value_type = Option<help_lms_domain::values::Slug>)]
    pub course: Option<String>,
    /// Only learners of this profession.
    #[schema(value_type = Option<help_lms_domain::values::Profession>)]
    pub profession: Option<String>,
    /// Only learners of this country.
    #[schema(value_type = Option<help_lms_domain::values::Country>)]
    pub country: Option<String>,
}

impl NewTargetDto {
    pub fn draft(&self) -> TargetDraft<'_> {
        TargetDraft {
            name: &self.name,
            metric: &self.metric,
            target: self.target,
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            profession: self.profession.as_deref(),
            country: self.country.as_deref(),
        }
    }
}
