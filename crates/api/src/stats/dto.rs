//! What the statistics endpoints answer: completion rows, the funnel and targets, with
//! small cells suppressed for everyone but admins.

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::content::Localized;
use help_lms_domain::reporting::{Dimension, Metric, Mode, is_small, percent_achieved, share};
use help_lms_domain::values::Language;
use help_lms_persistence::stats::{CompletionRow, Funnel, QuestionCell, TargetProgress};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalogue::dto::text;

/// One group of enrolments. The group's keys appear only for the dimensions grouped by;
/// `institution`, `cohort` and their names are null for self-study enrolments. In a
/// suppressed row every figure is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionRowDto {
    /// Course slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<help_lms_domain::values::Slug>)]
    pub course: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<help_lms_domain::values::Country>)]
    pub country: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<help_lms_domain::values::Profession>)]
    pub profession: Option<Option<String>>,
    /// Institution id (of the cohort).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub institution: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub institution_name: Option<Option<String>>,
    /// Cohort id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub cohort: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cohort_name: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<help_lms_domain::values::Language>)]
    pub language: Option<Option<String>>,
    /// self_study or tutored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Mode>)]
    pub mode: Option<Option<String>>,
    /// Month of enrolment, YYYY-MM.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
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
    /// The dimensions grouped by, in the order asked.
    pub group_by: Vec<Dimension>,
    /// Ordered by the group keys (self-study, without institution or cohort, first).
    pub rows: Vec<CompletionRowDto>,
    /// Groups of fewer enrolments than this are suppressed in this answer (0 for admins,
    /// who see every group).
    pub suppressed_threshold: u64,
}

impl CompletionsDto {
    /// The rows as this reader may see them: groups of fewer than `threshold` withheld.
    pub fn new(group_by: &[Dimension], rows: Vec<CompletionRow>, threshold: u64) -> Self {
        CompletionsDto {
            group_by: group_by.to_vec(),
            rows: rows.into_iter().map(|r| row_dto(r, threshold)).collect(),
            suppressed_threshold: threshold,
        }
    }
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
        suppressed: is_small(r.enrolled, threshold),
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

/// How one question went in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionLanguageDto {
    #[schema(value_type = help_lms_domain::values::Language)]
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
    #[schema(value_type = help_lms_domain::content::QuestionKind)]
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

impl FunnelDto {
    /// The funnel as this reader may see it: cells of fewer than `threshold` withheld.
    pub fn new(f: Funnel, threshold: u64) -> FunnelDto {
        let small = |n: u64| is_small(n, threshold);
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
                                kind: qq.kind.as_str().to_owned(),
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    pub id: Uuid,
    pub name: String,
    pub metric: Metric,
    pub target: i64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub course: Option<String>,
    #[schema(value_type = Option<help_lms_domain::values::Profession>)]
    pub profession: Option<String>,
    #[schema(value_type = Option<help_lms_domain::values::Country>)]
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
        let percent = percent_achieved(p.current, t.target);
        TargetDto {
            id: t.id,
            name: t.name,
            metric: t.metric,
            target: t.target,
            from: t.period_from,
            to: t.period_to,
            course: p.course_slug,
            profession: t.profession.map(|p| p.as_str().to_owned()),
            country: t.country.map(|c| c.as_str().to_owned()),
            current: p.current,
            percent_achieved: percent,
            created_at: t.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use help_lms_persistence::stats::KeyValue;
    use serde_json::json;

    use super::*;

    fn row(enrolled: u64, keys: Vec<KeyValue>) -> CompletionRow {
        CompletionRow {
            keys,
            enrolled,
            active: 1,
            completed: enrolled - 1,
            withdrawn: 0,
            completion_rate: 0.75,
            average_final_score: Some(81.5),
            median_days_to_complete: Some(3.0),
            certificates_issued: enrolled - 1,
        }
    }

    fn key(dimension: Dimension, value: Option<&str>, label: Option<&str>) -> KeyValue {
        KeyValue {
            dimension,
            value: value.map(str::to_owned),
            label: label.map(str::to_owned),
        }
    }

    #[test]
    fn completions_show_only_the_keys_grouped_by_and_withhold_small_groups() {
        let group_by = [Dimension::Mode, Dimension::Cohort];
        let rows = vec![
            row(
                4,
                vec![
                    key(Dimension::Mode, Some("self_study"), None),
                    key(Dimension::Cohort, None, None),
                ],
            ),
            row(
                5,
                vec![
                    key(Dimension::Mode, Some("tutored"), None),
                    key(Dimension::Cohort, Some("c-1"), Some("Judges 2027")),
                ],
            ),
        ];
        let json = serde_json::to_value(CompletionsDto::new(&group_by, rows, 5)).unwrap();
        assert_eq!(
            json,
            json!({
                "group_by": ["mode", "cohort"],
                "rows": [
                    {
                        "mode": "self_study", "cohort": null, "cohort_name": null,
                        "enrolled": null, "active": null, "completed": null,
                        "completion_rate": null, "withdrawn": null,
                        "average_final_score": null, "median_days_to_complete": null,
                        "certificates_issued": null, "suppressed": true
                    },
                    {
                        "mode": "tutored", "cohort": "c-1", "cohort_name": "Judges 2027",
                        "enrolled": 5, "active": 1, "completed": 4,
                        "completion_rate": 0.75, "withdrawn": 0,
                        "average_final_score": 81.5, "median_days_to_complete": 3.0,
                        "certificates_issued": 4, "suppressed": false
                    }
                ],
                "suppressed_threshold": 5
            })
        );
    }

    #[test]
    fn a_course_key_shows_its_slug() {
        let rows = vec![row(
            2,
            vec![key(Dimension::Course, Some("0192-uuid"), Some("ethics"))],
        )];
        let json =
            serde_json::to_value(CompletionsDto::new(&[Dimension::Course], rows, 0)).unwrap();
        assert_eq!(json["rows"][0]["course"], "ethics");
        assert_eq!(json["rows"][0]["enrolled"], 2);
        assert!(json["rows"][0].get("country").is_none());
    }
}
