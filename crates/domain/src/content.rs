//! The course content model and its file format (see `content/FORMAT.md`): a course is a
//! directory with `course.toml`, `lessons/<key>.<lang>.md` and `quizzes/<module>.toml`.
//! Parsing is pure: the caller reads the files, this module checks and builds the model,
//! reporting every problem with its file and, where it can, its line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::values::{Language, is_slug, string_enum};

pub type Localized = BTreeMap<Language, String>;

string_enum!(
    /// The publication state of a course version.
    CourseStatus, "course status" {
    Draft => "draft",
    Published => "published",
    Archived => "archived",
});

string_enum!(
    /// How a quiz's grade is derived from its submitted attempts.
    GradingMethod, "grading method" {
    Highest => "highest",
    Last => "last",
    First => "first",
    Average => "average",
});

string_enum!(
    /// What a learner sees of a submitted attempt.
    ReviewShow, "review policy" {
    ScoreOnly => "score_only",
    Correctness => "correctness",
    CorrectAnswers => "correct_answers",
});

string_enum!(
    /// When a learner sees the review of an attempt.
    ReviewWhen, "review timing" {
    Immediately => "immediately",
    AfterLastAttempt => "after_last_attempt",
    Never => "never",
});

string_enum!(
    /// The kind of a legal reference.
    ReferenceKind, "reference kind" {
    Instrument => "instrument",
    Case => "case",
    Other => "other",
});

string_enum!(
    /// The kinds of quiz question.
    QuestionKind, "question kind" {
    SingleChoice => "single_choice",
    MultipleChoice => "multiple_choice",
    TrueFalse => "true_false",
    Matching => "matching",
    Ordering => "ordering",
    ShortText => "short_text",
    Numeric => "numeric",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub citation: Citation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// How a source is cited: in every language of the course (case names and titles of acts
/// as the Council of Europe and the EU give them in each), or, in a course of one
/// language, as one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Citation {
    Plain(String),
    Localized(Localized),
}

impl Citation {
    /// The citation in `lang`, else in the first of `fallbacks`, else any.
    pub fn pick(&self, lang: Language, fallbacks: &[Language]) -> &str {
        match self {
            Citation::Plain(s) => s,
            Citation::Localized(t) => pick(t, lang, fallbacks).map_or("", |(_, s)| s),
        }
    }

    /// Every text of the citation, one per language.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Citation::Plain(s) => vec![s.as_str()],
            Citation::Localized(t) => t.values().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseDef {
    pub slug: String,
    pub languages: Vec<Language>,
    pub topics: Vec<String>,
    pub estimated_hours: f64,
    pub status: CourseStatus,
    pub title: Localized,
    pub summary: Localized,
    pub modules: Vec<ModuleDef>,
    /// SHA-256 over the course's files: equal hashes mean an unchanged course.
    pub content_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleDef {
    pub key: String,
    pub title: Localized,
    pub summary: Localized,
    pub lessons: Vec<LessonDef>,
    pub quiz: Option<QuizDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonDef {
    pub key: String,
    pub title: Localized,
    pub minutes: u32,
    pub references: Vec<Reference>,
    /// Markdown per language.
    pub body: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSettings {
    pub pass_mark: u8,
    pub max_attempts: u32,
    pub time_limit_minutes: Option<u32>,
    pub grading: GradingMethod,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub review: ReviewShow,
    pub review_when: ReviewWhen,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizDef {
    pub title: Localized,
    pub settings: QuizSettings,
    pub questions: Vec<QuestionDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionDef {
    pub key: String,
    pub points: f64,
    pub prompt: Localized,
    pub explanation: Localized,
    pub feedback_correct: Localized,
    pub feedback_incorrect: Localized,
    pub references: Vec<Reference>,
    /// Whether the question sets a fact pattern and asks what the law requires or what to
    /// do (rather than asking to recall a fact).
    #[serde(default)]
    pub scenario: bool,
    pub body: QuestionBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub key: String,
    pub text: Localized,
    pub correct: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Localized>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchPair {
    pub key: String,
    pub left: Localized,
    pub right: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub key: String,
    pub text: Localized,
}

/// The kind-specific part of a question, including its answer key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionBody {
    SingleChoice {
        options: Vec<ChoiceOption>,
    },
    MultipleChoice {
        options: Vec<ChoiceOption>,
    },
    TrueFalse {
        answer: bool,
    },
    Matching {
        pairs: Vec<MatchPair>,
    },
    /// Items in the correct order.
    Ordering {
        items: Vec<OrderItem>,
    },
    ShortText {
        accepted: BTreeMap<Language, Vec<String>>,
    },
    Numeric {
        value: f64,
        tolerance: f64,
        unit: Option<Localized>,
    },
}

impl QuestionBody {
    pub fn kind(&self) -> QuestionKind {
        match self {
            QuestionBody::SingleChoice { .. } => QuestionKind::SingleChoice,
            QuestionBody::MultipleChoice { .. } => QuestionKind::MultipleChoice,
            QuestionBody::TrueFalse { .. } => QuestionKind::TrueFalse,
            QuestionBody::Matching { .. } => QuestionKind::Matching,
            QuestionBody::Ordering { .. } => QuestionKind::Ordering,
            QuestionBody::ShortText { .. } => QuestionKind::ShortText,
            QuestionBody::Numeric { .. } => QuestionKind::Numeric,
        }
    }
}

/// Picks the text in `lang`, else in the first of `fallbacks` that is present, else any.
/// Returns the language actually served.
pub fn pick<'a>(
    text: &'a Localized,
    lang: Language,
    fallbacks: &[Language],
) -> Option<(Language, &'a str)> {
    std::iter::once(lang)
        .chain(fallbacks.iter().copied())
        .find_map(|l| text.get(&l).map(|t| (l, t.as_str())))
        .or_else(|| text.iter().next().map(|(l, t)| (*l, t.as_str())))
}

/// The files of one course directory: paths relative to it, with `/` separators.
#[derive(Debug, Clone, Default)]
pub struct CourseSource {
    pub dir_name: String,
    pub files: BTreeMap<String, String>,
}

/// One problem in the content, located as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

// ---- the raw TOML shapes -------------------------------------------------------------

#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

type RawText = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    slug: Spanned<String>,
    languages: Spanned<Vec<String>>,
    #[serde(default)]
    topics: Vec<String>,
    estimated_hours: Num,
    status: Spanned<String>,
    title: RawText,
    summary: RawText,
    #[serde(default)]
    modules: Vec<RawModule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    key: Spanned<String>,
    title: RawText,
    summary: RawText,
    #[serde(default)]
    lessons: Vec<RawLesson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    key: Spanned<String>,
    title: RawText,
    minutes: i64,
    #[serde(default)]
    references: Vec<RawReference>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    kind: String,
    citation: RawCitation,
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCitation {
    Plain(String),
    Localized(RawText),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    title: RawText,
    pass_mark: Spanned<i64>,
    max_attempts: Spanned<i64>,
    time_limit_minutes: Option<Spanned<i64>>,
    grading: Spanned<String>,
    shuffle_questions: bool,
    shuffle_options: bool,
    review: Spanned<String>,
    review_when: Spanned<String>,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    key: Spanned<String>,
    kind: Spanned<String>,
    points: Option<Num>,
    prompt: RawText,
    explanation: RawText,
    feedback_correct: RawText,
    feedback_incorrect: RawText,
    #[serde(default)]
    references: Vec<RawReference>,
    #[serde(default)]
    scenario: bool,
    options: Option<Vec<RawOption>>,
    answer: Option<bool>,
    pairs: Option<Vec<RawPair>>,
    items: Option<Vec<RawItem>>,
    accepted: Option<BTreeMap<String, Vec<String>>>,
    value: Option<Num>,
    tolerance: Option<Num>,
    unit: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    key: String,
    text: RawText,
    correct: bool,
    feedback: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    key: String,
    left: RawText,
    right: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    key: String,
    text: RawText,
}

// ---- checking ------------------------------------------------------------------------

/// Collects errors for one file, turning byte spans into line numbers.
struct FileCheck<'a> {
    file: String,
    src: &'a str,
    errors: &'a mut Vec<ContentError>,
}

impl FileCheck<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.src.as_bytes()[..offset.min(self.src.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn err(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.errors.push(ContentError {
            file: self.file.clone(),
            line,
            message: message.into(),
        });
    }

    fn err_at<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        let line = self.line_of(at.span().start);
        self.err(Some(line), message);
    }

    /// A localised text: every course language present and non-blank, no unknown codes.
    fn text(
        &mut self,
        line: Option<usize>,
        what: &str,
        raw: &RawText,
        langs: &[Language],
    ) -> Localized {
        let mut out = Localized::new();
        for (code, value) in raw {
            match Language::parse(code) {
                Ok(l) if langs.contains(&l) => {
                    if value.trim().is_empty() {
                        self.err(line, format!("{what}: the {code} text is empty"));
                    }
                    out.insert(l, value.trim().to_owned());
                }
                Ok(_) => self.err(
                    line,
                    format!("{what}: language '{code}' is not one of the course's languages"),
                ),
                Err(e) => self.err(line, format!("{what}: {e}")),
            }
        }
        for l in langs {
            if !raw.contains_key(l.as_str()) {
                self.err(line, format!("{what}: missing translation for '{l}'"));
            }
        }
        out
    }

    fn key(
        &mut self,
        at: &Spanned<String>,
        what: &str,
        seen: &mut BTreeSet<String>,
    ) -> (String, usize) {
        let line = self.line_of(at.span().start);
        let k = at.get_ref().clone();
        if !is_slug(&k) {
            self.err(Some(line), format!("{what} key '{k}' must be lowercase words joined by hyphens (a-z, 0-9, at most 64 characters)"));
        }
        if !seen.insert(k.clone()) {
            self.err(Some(line), format!("duplicate {what} key '{k}'"));
        }
        (k, line)
    }

    fn references(
        &mut self,
        line: usize,
        what: &str,
        raw: &[RawReference],
        langs: &[Language],
    ) -> Vec<Reference> {
        let mut out = Vec::new();
        for r in raw {
            let kind = match ReferenceKind::parse(&r.kind) {
                Ok(k) => k,
                Err(e) => {
                    self.err(Some(line), format!("{what}: {e}"));
                    continue;
                }
            };
            let citation = match &r.citation {
                RawCitation::Plain(text) => {
                    if text.trim().is_empty() {
                        self.err(
                            Some(line),
                            format!("{what}: a reference has an empty citation"),
                        );
                    } else if langs.len() > 1 {
                        self.err(
                            Some(line),
                            format!("{what}: the citation \"{}\" must be given in every course language: citation = {{ en = \"...\", fr = \"...\" }}", text.trim()),
                        );
                    }
                    Citation::Plain(text.trim().to_owned())
                }
                RawCitation::Localized(texts) => Citation::Localized(self.text(
                    Some(line),
                    &format!("{what} citation"),
                    texts,
                    langs,
                )),
            };
            if kind == ReferenceKind::Case {
                checks::case_citation(self, line, what, &citation);
            }
            if let Some(u) = &r.url
                && !(u.starts_with("https://") || u.starts_with("http://"))
            {
                self.err(
                    Some(line),
                    format!("{what}: reference url must start with http:// or https://"),
                );
            }
            out.push(Reference {
                kind,
                citation,
                url: r.url.clone(),
            });
        }
        out
    }
}

fn toml_error(file: &str, src: &str, e: &toml::de::Error) -> ContentError {
    let line = e.span().map(|s| {
        src.as_bytes()[..s.start.min(src.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    });
    ContentError {
        file: file.to_owned(),
        line,
        message: e.message().to_owned(),
    }
}

/// Hash of every file of the course, in path order; equal content gives an equal hash.
pub fn content_hash(source: &CourseSource) -> String {
    let mut h = Sha256::new();
    for (path, text) in &source.files {
        h.update((path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Parses and checks one course directory; returns every problem found, not just the first.
pub fn parse_course(source: &CourseSource) -> Result<CourseDef, Vec<ContentError>> {
    let mut errors = Vec::new();
    let dir = source.dir_name.as_str();
    let course_file = format!("{dir}/course.toml");
    let Some(course_src) = source.files.get("course.toml") else {
        return Err(vec![ContentError {
            file: course_file,
            line: None,
            message: "course.toml is missing".into(),
        }]);
    };
    let raw: RawCourse = match toml::from_str(course_src) {
        Ok(r) => r,
        Err(e) => return Err(vec![toml_error(&course_file, course_src, &e)]),
    };

    let mut used_files: BTreeSet<String> = BTreeSet::from(["course.toml".to_owned()]);
    let mut fc = FileCheck {
        file: course_file.clone(),
        src: course_src,
        errors: &mut errors,
    };

    let slug = raw.slug.get_ref().clone();
    if !is_slug(&slug) {
        fc.err_at(
            &raw.slug,
            format!("slug '{slug}' must be lowercase words joined by hyphens"),
        );
    }
    if slug != dir {
        fc.err_at(
            &raw.slug,
            format!("slug '{slug}' must equal the directory name '{dir}'"),
        );
    }

    let mut languages = Vec::new();
    for code in raw.languages.get_ref() {
        match Language::parse(code) {
            Ok(l) if languages.contains(&l) => {
                fc.err_at(&raw.languages, format!("language '{code}' is listed twice"))
            }
            Ok(l) => languages.push(l),
            Err(e) => fc.err_at(&raw.languages, e.to_string()),
        }
    }
    if raw.languages.get_ref().is_empty() {
        fc.err_at(&raw.languages, "a course needs at least one language");
    }
    let status = CourseStatus::parse(raw.status.get_ref())
        .map_err(|e| fc.err_at(&raw.status, e.to_string()))
        .unwrap_or(CourseStatus::Draft);
    let estimated_hours = raw.estimated_hours.as_f64();
    if !(estimated_hours > 0.0 && estimated_hours <= 1000.0) {
        fc.err(
            None,
            "estimated_hours must be a positive number of hours (at most 1000)",
        );
    }
    let mut topics = Vec::new();
    for t in &raw.topics {
        if !is_slug(t) {
            fc.err(
                None,
                format!("topic '{t}' must be lowercase words joined by hyphens"),
            );
        } else if !topics.contains(t) {
            topics.push(t.clone());
        }
    }
    let line1 = Some(fc.line_of(raw.slug.span().start));
    let title = fc.text(line1, "course title", &raw.title, &languages);
    let summary = fc.text(line1, "course summary", &raw.summary, &languages);

    if raw.modules.is_empty() {
        fc.err(None, "a course needs at least one [[modules]] entry");
    }

    let mut module_keys = BTreeSet::new();
    let mut lesson_keys = BTreeSet::new();
    let mut pending_modules = Vec::new();
    for m in &raw.modules {
        let (mkey, mline) = fc.key(&m.key, "module", &mut module_keys);
        let mtitle = fc.text(
            Some(mline),
            &format!("module '{mkey}' title"),
            &m.title,
            &languages,
        );
        let msummary = fc.text(
            Some(mline),
            &format!("module '{mkey}' summary"),
            &m.summary,
            &languages,
        );
        if m.lessons.is_empty() {
            fc.err(Some(mline), format!("module '{mkey}' has no lessons"));
        }
        let mut lessons = Vec::new();
        for l in &m.lessons {
            let (lkey, lline) = fc.key(&l.key, "lesson", &mut lesson_keys);
            let what = format!("lesson '{lkey}'");
            let ltitle = fc.text(Some(lline), &format!("{what} title"), &l.title, &languages);
            if !(1..=600).contains(&l.minutes) {
                fc.err(
                    Some(lline),
                    format!("{what}: minutes must be between 1 and 600"),
                );
            }
            let references = fc.references(lline, &what, &l.references, &languages);
            let mut body = Localized::new();
            for lang in &languages {
                let path = format!("lessons/{lkey}.{lang}.md");
                match source.files.get(&path) {
                    Some(md) if !md.trim().is_empty() => {
                        body.insert(*lang, md.clone());
                    }
                    Some(_) => fc.err(Some(lline), format!("{what}: {dir}/{path} is empty")),
                    None => fc.err(
                        Some(lline),
                        format!("{what}: missing translation: {dir}/{path} does not exist"),
                    ),
                }
                used_files.insert(path);
            }
            lessons.push(LessonDef {
                key: lkey,
                title: ltitle,
                minutes: l.minutes.clamp(0, u32::MAX as i64) as u32,
                references,
                body,
            });
        }
        pending_modules.push((mkey, mtitle, msummary, lessons));
    }

    let mut modules = Vec::new();
    for (key, title, summary, lessons) in pending_modules {
        let qpath = format!("quizzes/{key}.toml");
        let quiz = match source.files.get(&qpath) {
            Some(qsrc) => {
                used_files.insert(qpath.clone());
                parse_quiz(&format!("{dir}/{qpath}"), qsrc, &languages, &mut errors)
            }
            None => None,
        };
        modules.push(ModuleDef {
            key,
            title,
            summary,
            lessons,
            quiz,
        });
    }

    for path in source.files.keys() {
        if !used_files.contains(path) && (path.ends_with(".md") || path.ends_with(".toml")) {
            let hint = if path.starts_with("quizzes/") {
                "no module has this key"
            } else if path.starts_with("lessons/") {
                "no lesson in course.toml has this key and language"
            } else {
                "it is not part of the format"
            };
            errors.push(ContentError {
                file: format!("{dir}/{path}"),
                line: None,
                message: format!("unexpected file: {hint}"),
            });
        }
    }

    if errors.is_empty() {
        Ok(CourseDef {
            slug,
            languages,
            topics,
            estimated_hours,
            status,
            title,
            summary,
            modules,
            content_hash: content_hash(source),
        })
    } else {
        Err(errors)
    }
}

fn parse_quiz(
    file: &str,
    src: &str,
    languages: &[Language],
    errors: &mut Vec<ContentError>,
) -> Option<QuizDef> {
    let raw: RawQuiz = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            errors.push(toml_error(file, src, &e));
            return None;
        }
    };
    let mut fc = FileCheck {
        file: file.to_owned(),
        src,
        errors,
    };
    let title = fc.text(Some(1), "quiz title", &raw.title, languages);
    let pass_mark = *raw.pass_mark.get_ref();
    if !(0..=100).contains(&pass_mark) {
        fc.err_at(
            &raw.pass_mark,
            format!("pass_mark {pass_mark} is out of range: it is a percentage from 0 to 100"),
        );
    }
    let max_attempts = *raw.max_attempts.get_ref();
    if !(0..=100).contains(&max_attempts) {
        fc.err_at(
            &raw.max_attempts,
            "max_attempts must be between 0 (unlimited) and 100",
        );
    }
    if let Some(t) = &raw.time_limit_minutes
        && !(1..=600).contains(t.get_ref())
    {
        fc.err_at(t, "time_limit_minutes must be between 1 and 600");
    }
    let grading = GradingMethod::parse(raw.grading.get_ref())
        .map_err(|e| fc.err_at(&raw.grading, e.to_string()))
        .ok();
    let review = ReviewShow::parse(raw.review.get_ref())
        .map_err(|e| fc.err_at(&raw.review, e.to_string()))
        .ok();
    let review_when = ReviewWhen::parse(raw.review_when.get_ref())
        .map_err(|e| fc.err_at(&raw.review_when, e.to_string()))
        .ok();
    if raw.questions.is_empty() {
        fc.err(None, "a quiz needs at least one [[questions]] entry");
    }

    let mut keys = BTreeSet::new();
    let mut questions = Vec::new();
    for q in &raw.questions {
        if let Some(def) = parse_question(&mut fc, q, languages, &mut keys) {
            let line = fc.line_of(q.key.span().start);
            if review_when.is_some_and(|w| w != ReviewWhen::Immediately) {
                checks::feedback_keeps_the_answer(&mut fc, line, &def);
            }
            questions.push(def);
        }
    }
    Some(QuizDef {
        title,
        settings: QuizSettings {
            pass_mark: pass_mark.clamp(0, 100) as u8,
            max_attempts: max_attempts.clamp(0, 100) as u32,
            time_limit_minutes: raw
                .time_limit_minutes
                .map(|t| t.into_inner().clamp(1, 600) as u32),
            grading: grading?,
            shuffle_questions: raw.shuffle_questions,
            shuffle_options: raw.shuffle_options,
            review: review?,
            review_when: review_when?,
        },
        questions,
    })
}

fn parse_question(
    fc: &mut FileCheck<'_>,
    q: &RawQuestion,
    languages: &[Language],
    keys: &mut BTreeSet<String>,
) -> Option<QuestionDef> {
    let (key, line) = fc.key(&q.key, "question", keys);
    let what = format!("question '{key}'");
    let at = Some(line);
    let kind = match QuestionKind::parse(q.kind.get_ref()) {
        Ok(k) => k,
        Err(e) => {
            fc.err_at(&q.kind, format!("{what}: unknown question kind: {e}"));
            return None;
        }
    };
    let points = q.points.map(Num::as_f64).unwrap_or(1.0);
    if !(points > 0.0 && points <= 100.0) {
        fc.err(at, format!("{what}: points must be positive (at most 100)"));
    }
    let prompt = fc.text(at, &format!("{what} prompt"), &q.prompt, languages);
    let explanation = fc.text(
        at,
        &format!("{what} explanation"),
        &q.explanation,
        languages,
    );
    let feedback_correct = fc.text(
        at,
        &format!("{what} feedback_correct"),
        &q.feedback_correct,
        languages,
    );
    let feedback_incorrect = fc.text(
        at,
        &format!("{what} feedback_incorrect"),
        &q.feedback_incorrect,
        languages,
    );
    let references = fc.references(line, &what, &q.references, languages);
    if references.is_empty() {
        fc.err(
            at,
            format!("{what}: a question needs its source in `references` (an instrument and article, or a judgment with its application number)"),
        );
    }

    // Fields that belong to other kinds are a mistake worth reporting.
    let present: [(&str, bool, &[QuestionKind]); 7] = [
        (
            "options",
            q.options.is_some(),
            &[QuestionKind::SingleChoice, QuestionKind::MultipleChoice],
        ),
        ("answer", q.answer.is_some(), &[QuestionKind::TrueFalse]),
        ("pairs", q.pairs.is_some(), &[QuestionKind::Matching]),
        ("items", q.items.is_some(), &[QuestionKind::Ordering]),
        ("accepted", q.accepted.is_some(), &[QuestionKind::ShortText]),
        ("value", q.value.is_some(), &[QuestionKind::Numeric]),
        (
            "tolerance",
            q.tolerance.is_some() || q.unit.is_some(),
            &[QuestionKind::Numeric],
        ),
    ];
    for (field, is_set, kinds) in present {
        if is_set && !kinds.contains(&kind) {
            fc.err(
                at,
                format!("{what}: field '{field}' does not apply to a {kind} question"),
            );
        }
    }

    let body = match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let Some(raw_opts) = &q.options else {
                fc.err(
                    at,
                    format!("{what}: a {kind} question needs [[questions.options]]"),
                );
                return None;
            };
            let mut seen = BTreeSet::new();
            let mut options = Vec::new();
            for o in raw_opts {
                check_item_key(fc, at, &what, &o.key, &mut seen);
                let text = fc.text(
                    at,
                    &format!("{what} option '{}'", o.key),
                    &o.text,
                    languages,
                );
                let feedback = o.feedback.as_ref().map(|f| {
                    fc.text(
                        at,
                        &format!("{what} option '{}' feedback", o.key),
                        f,
                        languages,
                    )
                });
                options.push(ChoiceOption {
                    key: o.key.clone(),
                    text,
                    correct: o.correct,
                    feedback,
                });
            }
            let correct = options.iter().filter(|o| o.correct).count();
            if kind == QuestionKind::SingleChoice {
                if options.len() < 2 {
                    fc.err(
                        at,
                        format!("{what}: a single_choice question needs at least 2 options"),
                    );
                }
                if correct != 1 {
                    fc.err(at, format!("{what}: a single_choice question needs exactly one correct option, found {correct}"));
                }
                QuestionBody::SingleChoice { options }
            } else {
                if options.len() < 3 {
                    fc.err(
                        at,
                        format!("{what}: a multiple_choice question needs at least 3 options"),
                    );
                }
                if correct == 0 {
                    fc.err(at, format!("{what}: question without a correct option"));
                }
                QuestionBody::MultipleChoice { options }
            }
        }
        QuestionKind::TrueFalse => match q.answer {
            Some(answer) => QuestionBody::TrueFalse { answer },
            None => {
                fc.err(
                    at,
                    format!("{what}: a true_false question needs answer = true or false"),
                );
                return None;
            }
        },
        QuestionKind::Matching => {
            let Some(raw_pairs) = &q.pairs else {
                fc.err(
                    at,
                    format!("{what}: a matching question needs [[questions.pairs]]"),
                );
                return None;
            };
            let mut seen = BTreeSet::new();
            let mut pairs = Vec::new();
            for p in raw_pairs {
                check_item_key(fc, at, &what, &p.key, &mut seen);
                pairs.push(MatchPair {
                    key: p.key.clone(),
                    left: fc.text(
                        at,
                        &format!("{what} pair '{}' left", p.key),
                        &p.left,
                        languages,
                    ),
                    right: fc.text(
                        at,
                        &format!("{what} pair '{}' right", p.key),
                        &p.right,
                        languages,
                    ),
                });
            }
            if pairs.len() < 2 {
                fc.err(
                    at,
                    format!("{what}: a matching question needs at least 2 pairs"),
                );
            }
            QuestionBody::Matching { pairs }
        }
        QuestionKind::Ordering => {
            let Some(raw_items) = &q.items else {
                fc.err(
                    at,
                    format!("{what}: an ordering question needs [[questions.items]]"),
                );
                return None;
            };
            let mut seen = BTreeSet::new();
            let mut items = Vec::new();
            for i in raw_items {
                check_item_key(fc, at, &what, &i.key, &mut seen);
                items.push(OrderItem {
                    key: i.key.clone(),
                    text: fc.text(at, &format!("{what} item '{}'", i.key), &i.text, languages),
                });
            }
            if items.len() < 2 {
                fc.err(
                    at,
                    format!("{what}: an ordering question needs at least 2 items"),
                );
            }
            QuestionBody::Ordering { items }
        }
        QuestionKind::ShortText => {
            let Some(raw_acc) = &q.accepted else {
                fc.err(
                    at,
                    format!("{what}: a short_text question needs accepted answers"),
                );
                return None;
            };
            let mut accepted = BTreeMap::new();
            for (code, answers) in raw_acc {
                match Language::parse(code) {
                    Ok(l) if languages.contains(&l) => {
                        let list: Vec<String> = answers
                            .iter()
                            .map(|a| a.trim().to_owned())
                            .filter(|a| !a.is_empty())
                            .collect();
                        accepted.insert(l, list);
                    }
                    _ => fc.err(
                        at,
                        format!(
                            "{what}: accepted answers for '{code}', which is not a course language"
                        ),
                    ),
                }
            }
            for l in languages {
                if accepted.get(l).is_none_or(|v: &Vec<String>| v.is_empty()) {
                    fc.err(at, format!("{what}: question without a correct answer: no accepted answer for '{l}'"));
                }
            }
            QuestionBody::ShortText { accepted }
        }
        QuestionKind::Numeric => {
            let Some(value) = q.value.map(Num::as_f64) else {
                fc.err(at, format!("{what}: a numeric question needs value"));
                return None;
            };
            let tolerance = q.tolerance.map(Num::as_f64).unwrap_or(0.0);
            if !value.is_finite() || !tolerance.is_finite() || tolerance < 0.0 {
                fc.err(
                    at,
                    format!("{what}: value must be finite and tolerance a non-negative number"),
                );
            }
            let unit = q
                .unit
                .as_ref()
                .map(|u| fc.text(at, &format!("{what} unit"), u, languages));
            QuestionBody::Numeric {
                value,
                tolerance,
                unit,
            }
        }
    };
    Some(QuestionDef {
        key,
        points,
        prompt,
        explanation,
        feedback_correct,
        feedback_incorrect,
        references,
        scenario: q.scenario,
        body,
    })
}

fn check_item_key(
    fc: &mut FileCheck<'_>,
    at: Option<usize>,
    what: &str,
    key: &str,
    seen: &mut BTreeSet<String>,
) {
    if !is_slug(key) {
        fc.err(
            at,
            format!("{what}: key '{key}' must be lowercase words joined by hyphens"),
        );
    }
    if !seen.insert(key.to_owned()) {
        fc.err(at, format!("{what}: duplicate key '{key}'"));
    }
}

/// Parses a whole catalogue: every course, and no slug twice.
pub fn parse_catalogue(sources: &[CourseSource]) -> Result<Vec<CourseDef>, Vec<ContentError>> {
    let mut errors = Vec::new();
    let mut courses: Vec<CourseDef> = Vec::new();
    for s in sources {
        match parse_course(s) {
            Ok(c) => {
                if courses.iter().any(|o| o.slug == c.slug) {
                    errors.push(ContentError {
                        file: format!("{}/course.toml", s.dir_name),
                        line: None,
                        message: format!("duplicate slug '{}'", c.slug),
                    });
                } else {
                    courses.push(c);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(courses)
    } else {
        Err(errors)
    }
}

mod checks;
pub use checks::scenario_share;
#[cfg(test)]
mod tests;
