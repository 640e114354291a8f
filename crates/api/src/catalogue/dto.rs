//! Catalogue DTOs, already in one language: the frontend never picks from a map.

use help_lms_domain::content::{Localized, Reference, pick};
use help_lms_domain::values::Language;
use help_lms_persistence::catalogue::{CourseSummary, LessonContent, ModuleOutline};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Text in the served language (falling back to English, then the original).
pub fn text(t: &Localized, lang: Language, original: &[Language]) -> String {
    let mut fallbacks = vec![Language::FALLBACK];
    fallbacks.extend_from_slice(original);
    pick(t, lang, &fallbacks)
        .map(|(_, s)| s.to_owned())
        .unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseCard {
    pub slug: String,
    pub version: i32,
    /// The language of `title` and `summary`.
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    /// Languages the whole course is available in; the first is the original.
    #[schema(value_type = Vec<help_lms_domain::values::Language>)]
    pub languages: Vec<String>,
    pub topics: Vec<String>,
    pub estimated_hours: f64,
    pub title: String,
    pub summary: String,
}

impl CourseCard {
    pub fn new(c: &CourseSummary, lang: Language) -> Self {
        CourseCard {
            slug: c.slug.clone(),
            version: c.version,
            language: lang.to_string(),
            languages: c.languages.iter().map(ToString::to_string).collect(),
            topics: c.topics.clone(),
            estimated_hours: c.estimated_hours,
            title: text(&c.title, lang, &c.languages),
            summary: text(&c.summary, lang, &c.languages),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LessonRef {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub minutes: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizInfo {
    pub id: Uuid,
    pub title: String,
    /// Percentage needed to pass.
    pub pass_mark: u8,
    /// 0 means unlimited.
    pub max_attempts: u32,
    pub time_limit_minutes: Option<u32>,
    /// highest, last, first or average
    pub grading: String,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    /// score_only, correctness or correct_answers
    pub review: String,
    /// immediately, after_last_attempt or never
    pub review_when: String,
    pub question_count: usize,
    pub total_points: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleDto {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<LessonRef>,
    pub quiz: Option<QuizInfo>,
}

impl ModuleDto {
    pub fn new(m: &ModuleOutline, lang: Language, original: &[Language]) -> Self {
        ModuleDto {
            id: m.id,
            key: m.key.clone(),
            title: text(&m.title, lang, original),
            summary: text(&m.summary, lang, original),
            lessons: m
                .lessons
                .iter()
                .map(|l| LessonRef {
                    id: l.id,
                    key: l.key.clone(),
                    title: text(&l.title, lang, original),
                    minutes: l.minutes,
                })
                .collect(),
            quiz: m.quiz.as_ref().map(|q| QuizInfo {
                id: q.id,
                title: text(&q.title, lang, original),
                pass_mark: q.settings.pass_mark,
                max_attempts: q.settings.max_attempts,
                time_limit_minutes: q.settings.time_limit_minutes,
                grading: q.settings.grading.to_string(),
                shuffle_questions: q.settings.shuffle_questions,
                shuffle_options: q.settings.shuffle_options,
                review: q.settings.review.to_string(),
                review_when: q.settings.review_when.to_string(),
                question_count: q.question_count,
                total_points: q.total_points,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseOutline {
    #[serde(flatten)]
    pub course: CourseCard,
    /// Sum of the lessons' estimated minutes.
    pub total_minutes: i64,
    pub modules: Vec<ModuleDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceDto {
    /// instrument, case or other
    #[schema(value_type = help_lms_domain::content::ReferenceKind)]
    pub kind: String,
    pub citation: String,
    pub url: Option<String>,
}

impl ReferenceDto {
    /// The reference with its citation in `lang` (else in the course's languages in order).
    pub fn new(r: &Reference, lang: Language, fallbacks: &[Language]) -> Self {
        ReferenceDto {
            kind: r.kind.to_string(),
            citation: r.citation.pick(lang, fallbacks).to_owned(),
            url: r.url.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LessonDto {
    pub id: Uuid,
    pub key: String,
    pub course_slug: String,
    pub course_version: i32,
    pub module_id: Uuid,
    /// The language of `title` and the bodies.
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub title: String,
    pub minutes: i32,
    pub references: Vec<ReferenceDto>,
    /// The lesson as CommonMark.
    pub body_markdown: String,
    /// The lesson as HTML, sanitised: no scripts, event handlers or `javascript:` links.
    pub body_html: String,
}

impl LessonDto {
    pub fn new(l: &LessonContent, course: &CourseSummary, lang: Language) -> Self {
        let original = &course.languages;
        LessonDto {
            id: l.id,
            key: l.key.clone(),
            course_slug: course.slug.clone(),
            course_version: course.version,
            module_id: l.module_id,
            language: lang.to_string(),
            title: text(&l.title, lang, original),
            minutes: l.minutes,
            references: l
                .references
                .iter()
                .map(|r| ReferenceDto::new(r, lang, original))
                .collect(),
            body_markdown: text(&l.body_md, lang, original),
            body_html: text(&l.body_html, lang, original),
        }
    }
}
