//! Tests of the content format: parsing, every error with its file and line, and the content
//! hash.

use super::*;

fn source(files: &[(&str, &str)]) -> CourseSource {
    CourseSource {
        dir_name: "demo-course".into(),
        files: files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect(),
    }
}

const COURSE: &str = r#"
slug = "demo-course"
languages = ["en", "fr"]
topics = ["article-5"]
estimated_hours = 2
status = "published"
title = { en = "Demo", fr = "Démo" }
summary = { en = "A demo.", fr = "Une démo." }

[[modules]]
key = "m1"
title = { en = "One", fr = "Un" }
summary = { en = "First.", fr = "Premier." }

  [[modules.lessons]]
  key = "l1"
  title = { en = "Lesson", fr = "Leçon" }
  minutes = 10
  references = [{ kind = "case", citation = { en = "Buzadji v. the Republic of Moldova [GC], no. 23755/07, 5 July 2016", fr = "Buzadji c. République de Moldova [GC], n° 23755/07, 5 juillet 2016" } }]
"#;

const QUIZ: &str = r#"
title = { en = "Quiz", fr = "Quiz" }
pass_mark = 70
max_attempts = 3
time_limit_minutes = 20
grading = "highest"
shuffle_questions = true
shuffle_options = true
review = "correct_answers"
review_when = "immediately"

[[questions]]
key = "q1"
kind = "single_choice"
prompt = { en = "Pick", fr = "Choisir" }
explanation = { en = "Because.", fr = "Parce que." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
  [[questions.options]]
  key = "a"
  text = { en = "A", fr = "A" }
  correct = true
  [[questions.options]]
  key = "b"
  text = { en = "B", fr = "B" }
  correct = false

[[questions]]
key = "q2"
kind = "numeric"
prompt = { en = "How many?", fr = "Combien ?" }
explanation = { en = "Because.", fr = "Parce que." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
value = 20
tolerance = 0
"#;

fn good() -> Vec<(&'static str, &'static str)> {
    vec![
        ("course.toml", COURSE),
        ("lessons/l1.en.md", "## Hello\n\nText."),
        ("lessons/l1.fr.md", "## Bonjour\n\nTexte."),
        ("quizzes/m1.toml", QUIZ),
    ]
}

/// The 1-based line of the first occurrence of `needle` in `src`.
fn line_of(src: &str, needle: &str) -> Option<usize> {
    src.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn errors_of(files: &[(&str, &str)]) -> Vec<ContentError> {
    parse_course(&source(files)).expect_err("should fail")
}

#[test]
fn a_valid_course_parses() {
    let c = parse_course(&source(&good())).unwrap();
    assert_eq!(c.slug, "demo-course");
    assert_eq!(c.languages, vec![Language::En, Language::Fr]);
    assert_eq!(c.modules.len(), 1);
    assert_eq!(
        c.modules[0].lessons[0].body[&Language::Fr],
        "## Bonjour\n\nTexte."
    );
    let quiz = c.modules[0].quiz.as_ref().unwrap();
    assert_eq!(quiz.settings.pass_mark, 70);
    assert_eq!(quiz.settings.time_limit_minutes, Some(20));
    assert_eq!(quiz.questions.len(), 2);
    assert_eq!(
        quiz.questions[1].body,
        QuestionBody::Numeric {
            value: 20.0,
            tolerance: 0.0,
            unit: None
        }
    );
    assert_eq!(quiz.questions[0].points, 1.0);
}

#[test]
fn the_hash_is_stable_and_changes_with_content() {
    let a = parse_course(&source(&good())).unwrap();
    let b = parse_course(&source(&good())).unwrap();
    assert_eq!(a.content_hash, b.content_hash);
    let mut changed = good();
    changed[1] = ("lessons/l1.en.md", "## Hello\n\nText, revised.");
    let c = parse_course(&source(&changed)).unwrap();
    assert_ne!(a.content_hash, c.content_hash);
}

#[test]
fn a_missing_translation_names_the_file() {
    let mut files = good();
    files.retain(|(p, _)| *p != "lessons/l1.fr.md");
    let errs = errors_of(&files);
    assert!(
        errs.iter().any(|e| e.file == "demo-course/course.toml"
            && e.message.contains("missing translation")
            && e.message.contains("l1.fr.md")
            && e.line == line_of(COURSE, "key = \"l1\"")),
        "{errs:?}"
    );
}

#[test]
fn a_missing_title_translation_is_reported_with_its_line() {
    let course = COURSE.replace(
        "title = { en = \"One\", fr = \"Un\" }",
        "title = { en = \"One\" }",
    );
    let files = [("course.toml", course.as_str())]
        .into_iter()
        .chain(good().into_iter().skip(1))
        .collect::<Vec<_>>();
    let errs = errors_of(&files);
    let e = errs
        .iter()
        .find(|e| {
            e.message
                .contains("module 'm1' title: missing translation for 'fr'")
        })
        .unwrap();
    assert_eq!(e.line, line_of(COURSE, "key = \"m1\""));
}

#[test]
fn a_question_without_a_correct_option_is_refused() {
    let quiz = QUIZ.replacen("correct = true", "correct = false", 1);
    let mut files = good();
    files[3] = ("quizzes/m1.toml", &quiz);
    let errs = errors_of(&files);
    let e = errs
        .iter()
        .find(|e| e.message.contains("exactly one correct option"))
        .unwrap();
    assert_eq!(e.file, "demo-course/quizzes/m1.toml");
    assert_eq!(e.line, line_of(&quiz, "key = \"q1\""));
}

#[test]
fn an_unknown_question_kind_is_refused() {
    let quiz = QUIZ.replace("kind = \"numeric\"", "kind = \"essay\"");
    let mut files = good();
    files[3] = ("quizzes/m1.toml", &quiz);
    let errs = errors_of(&files);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("unknown question kind")
                && e.line == line_of(&quiz, "essay")),
        "{errs:?}"
    );
}

#[test]
fn a_pass_mark_out_of_range_is_refused() {
    let quiz = QUIZ.replace("pass_mark = 70", "pass_mark = 170");
    let mut files = good();
    files[3] = ("quizzes/m1.toml", &quiz);
    let errs = errors_of(&files);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("pass_mark 170 is out of range")
                && e.line == line_of(&quiz, "pass_mark")),
        "{errs:?}"
    );
}

#[test]
fn toml_syntax_errors_carry_a_line() {
    let mut files = good();
    files[0] = (
        "course.toml",
        "slug = \"demo-course\"\nlanguages = [\"en\"\n",
    );
    let errs = errors_of(&files);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].line.is_some());
}

#[test]
fn unknown_fields_are_refused() {
    let course = COURSE.replace(
        "estimated_hours = 2",
        "estimated_hours = 2\ncolour = \"red\"",
    );
    let mut files = good();
    files[0] = ("course.toml", &course);
    let errs = errors_of(&files);
    assert!(errs[0].message.contains("colour"), "{errs:?}");
}

#[test]
fn fields_of_another_kind_are_refused() {
    let quiz = QUIZ.replace("tolerance = 0", "tolerance = 0\nanswer = true");
    let mut files = good();
    files[3] = ("quizzes/m1.toml", &quiz);
    let errs = errors_of(&files);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("'answer' does not apply to a numeric")),
        "{errs:?}"
    );
}

#[test]
fn a_quiz_for_no_module_and_stray_lessons_are_refused() {
    let mut files = good();
    files.push(("quizzes/m9.toml", QUIZ));
    files.push(("lessons/l9.en.md", "x"));
    let errs = errors_of(&files);
    assert!(errs.iter().any(|e| e.file == "demo-course/quizzes/m9.toml"));
    assert!(
        errs.iter()
            .any(|e| e.file == "demo-course/lessons/l9.en.md")
    );
}

#[test]
fn the_slug_must_match_the_directory_and_be_unique() {
    let mut s = source(&good());
    s.dir_name = "other".into();
    let errs = parse_course(&s).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.message.contains("must equal the directory name"))
    );

    let dup = parse_catalogue(&[source(&good()), source(&good())]).unwrap_err();
    assert!(
        dup.iter()
            .any(|e| e.message.contains("duplicate slug 'demo-course'"))
    );
}

#[test]
fn pick_falls_back() {
    let t: Localized = [
        (Language::En, "Hello".to_owned()),
        (Language::Fr, "Bonjour".to_owned()),
    ]
    .into();
    assert_eq!(
        pick(&t, Language::Fr, &[Language::En]),
        Some((Language::Fr, "Bonjour"))
    );
    assert_eq!(
        pick(&t, Language::De, &[Language::En]),
        Some((Language::En, "Hello"))
    );
    let only_fr: Localized = [(Language::Fr, "Bonjour".to_owned())].into();
    assert_eq!(
        pick(&only_fr, Language::De, &[Language::En]),
        Some((Language::Fr, "Bonjour"))
    );
}

fn with_quiz(quiz: &str) -> Vec<(&'static str, String)> {
    vec![
        ("course.toml", COURSE.to_owned()),
        ("lessons/l1.en.md", "## Hello\n\nText.".to_owned()),
        ("lessons/l1.fr.md", "## Bonjour\n\nTexte.".to_owned()),
        ("quizzes/m1.toml", quiz.to_owned()),
    ]
}

fn parse_with(files: &[(&'static str, String)]) -> Result<CourseDef, Vec<ContentError>> {
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    parse_course(&source(&files))
}

fn messages(r: Result<CourseDef, Vec<ContentError>>) -> Vec<String> {
    r.expect_err("should fail")
        .into_iter()
        .map(|e| e.message)
        .collect()
}

#[test]
fn citations_come_in_every_language_and_read_in_the_learners() {
    let c = parse_course(&source(&good())).unwrap();
    let r = &c.modules[0].lessons[0].references[0];
    assert_eq!(
        r.citation.pick(Language::Fr, &[Language::En]),
        "Buzadji c. République de Moldova [GC], n° 23755/07, 5 juillet 2016"
    );
    assert!(
        r.citation
            .pick(Language::Bg, &[Language::En])
            .starts_with("Buzadji v.")
    );
    // A plain citation in a course of two languages is refused.
    let plain = QUIZ.replacen(
        r#"citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" }"#,
        r#"citation = "ECHR, Article 5""#,
        1,
    );
    let m = messages(parse_with(&with_quiz(&plain)));
    assert!(
        m.iter()
            .any(|m| m.contains("must be given in every course language")),
        "{m:?}"
    );
    // Versions stored before citations were localised still read.
    let old: Reference =
        serde_json::from_str(r#"{"kind":"case","citation":"Brogan, no. 11209/84"}"#).unwrap();
    assert_eq!(old.citation, Citation::Plain("Brogan, no. 11209/84".into()));
}

#[test]
fn a_question_needs_a_source_and_a_case_its_application_number() {
    let unsourced = QUIZ.replacen(
        "references = [{ kind = \"instrument\", citation = { en = \"ECHR, Article 5\", fr = \"CEDH, article 5\" } }]\n",
        "",
        1,
    );
    let m = messages(parse_with(&with_quiz(&unsourced)));
    assert!(
        m.iter()
            .any(|m| m.contains("question 'q1': a question needs its source")),
        "{m:?}"
    );
    let numberless = QUIZ.replacen(
        r#"{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }"#,
        r#"{ kind = "case", citation = { en = "Brogan and Others v. the United Kingdom, 1988", fr = "Brogan et autres c. Royaume-Uni, n° 11209/84" } }"#,
        1,
    );
    let m = messages(parse_with(&with_quiz(&numberless)));
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains(
            "\"Brogan and Others v. the United Kingdom, 1988\" has no application number"
        )
    );
}

#[test]
fn feedback_that_states_the_answer_is_refused_only_while_the_review_waits() {
    let leaky = QUIZ.replacen(
        r#"feedback_incorrect = { en = "No", fr = "Non" }"#,
        r#"feedback_incorrect = { en = "No: the answer is A.", fr = "Non, c'est B." }"#,
        1,
    );
    // Shown at once with the review, it gives nothing away.
    assert!(parse_with(&with_quiz(&leaky)).is_ok());
    let waiting = leaky.replace(
        r#"review_when = "immediately""#,
        r#"review_when = "after_last_attempt""#,
    );
    let m = messages(parse_with(&with_quiz(&waiting)));
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("question 'q1': feedback_incorrect (en) states the answer \"A\""),
        "{m:?}"
    );
    // A numeric value counts too.
    let numeric = waiting.replace("No: the answer is A.", "No.").replacen(
        r#"feedback_incorrect = { en = "No", fr = "Non" }"#,
        r#"feedback_incorrect = { en = "No, it is 20.", fr = "Non." }"#,
        1,
    );
    let m = messages(parse_with(&with_quiz(&numeric)));
    assert!(
        m.iter()
            .any(|m| m.contains("question 'q2'") && m.contains("\"20\"")),
        "{m:?}"
    );
}

#[test]
fn scenario_questions_are_marked_and_counted() {
    let marked = QUIZ.replacen(
        "kind = \"single_choice\"\n",
        "kind = \"single_choice\"\nscenario = true\n",
        1,
    );
    let c = parse_with(&with_quiz(&marked)).unwrap();
    let quiz = c.modules[0].quiz.as_ref().unwrap();
    assert!(quiz.questions[0].scenario && !quiz.questions[1].scenario);
    assert_eq!(scenario_share(quiz), (1, 2));
}
