//! Tests of quiz delivery and grading: every question kind, shuffles, ids and review policies.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::*;
use crate::content::{
    CourseSource, GradingMethod, OrderItem, QuestionBody, QuestionDef, QuizDef, ReviewShow,
    ReviewWhen, parse_course,
};
use crate::values::Language;

const SECRET: &str = "attempt-secret-1";

const COURSE: &str = r#"
slug = "quiz-course"
languages = ["en", "fr"]
estimated_hours = 1
status = "published"
title = { en = "Quiz course", fr = "Cours quiz" }
summary = { en = "Quizzes.", fr = "Des quiz." }

[[modules]]
key = "m1"
title = { en = "One", fr = "Un" }
summary = { en = "First.", fr = "Premier." }
  [[modules.lessons]]
  key = "l1"
  title = { en = "Lesson", fr = "Leçon" }
  minutes = 10
"#;

/// One question of every kind; keys are deliberately guessable (a, b, p1, i1, …).
const QUIZ: &str = r#"
title = { en = "Quiz", fr = "Quiz" }
pass_mark = 70
max_attempts = 3
grading = "highest"
shuffle_questions = false
shuffle_options = false
review = "correct_answers"
review_when = "immediately"

[[questions]]
key = "sc"
kind = "single_choice"
prompt = { en = "Which article protects liberty?", fr = "Quel article protège la liberté ?" }
explanation = { en = "Article 5.", fr = "L'article 5." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
  [[questions.options]]
  key = "a"
  text = { en = "Article 5", fr = "Article 5" }
  correct = true
  [[questions.options]]
  key = "b"
  text = { en = "Article 8", fr = "Article 8" }
  correct = false
  [[questions.options]]
  key = "c"
  text = { en = "Article 10", fr = "Article 10" }
  correct = false

[[questions]]
key = "mc"
kind = "multiple_choice"
points = 2
prompt = { en = "Which are grounds under Article 5(1)?", fr = "Quels motifs ?" }
explanation = { en = "See 5(1).", fr = "Voir 5(1)." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
  [[questions.options]]
  key = "a"
  text = { en = "Conviction", fr = "Condamnation" }
  correct = true
  [[questions.options]]
  key = "b"
  text = { en = "Arrest on suspicion", fr = "Arrestation" }
  correct = true
  [[questions.options]]
  key = "c"
  text = { en = "Convenience", fr = "Commodité" }
  correct = false
  [[questions.options]]
  key = "d"
  text = { en = "Debt", fr = "Dette" }
  correct = false

[[questions]]
key = "mc-all"
kind = "multiple_choice"
prompt = { en = "All of these", fr = "Tout" }
explanation = { en = "All.", fr = "Tout." }
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
  correct = true
  [[questions.options]]
  key = "c"
  text = { en = "C", fr = "C" }
  correct = true

[[questions]]
key = "tf"
kind = "true_false"
prompt = { en = "Detention may be indefinite.", fr = "La détention peut être illimitée." }
explanation = { en = "No.", fr = "Non." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
answer = false

[[questions]]
key = "match"
kind = "matching"
points = 3
prompt = { en = "Match", fr = "Associer" }
explanation = { en = "So.", fr = "Ainsi." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
  [[questions.pairs]]
  key = "p1"
  left = { en = "Article 3", fr = "Article 3" }
  right = { en = "Torture", fr = "Torture" }
  [[questions.pairs]]
  key = "p2"
  left = { en = "Article 5", fr = "Article 5" }
  right = { en = "Liberty", fr = "Liberté" }
  [[questions.pairs]]
  key = "p3"
  left = { en = "Article 6", fr = "Article 6" }
  right = { en = "Fair trial", fr = "Procès équitable" }

[[questions]]
key = "order"
kind = "ordering"
points = 4
prompt = { en = "Order the stages", fr = "Ordonner" }
explanation = { en = "So.", fr = "Ainsi." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
  [[questions.items]]
  key = "i1"
  text = { en = "Arrest", fr = "Arrestation" }
  [[questions.items]]
  key = "i2"
  text = { en = "Charge", fr = "Inculpation" }
  [[questions.items]]
  key = "i3"
  text = { en = "Trial", fr = "Procès" }
  [[questions.items]]
  key = "i4"
  text = { en = "Appeal", fr = "Appel" }

[[questions]]
key = "text"
kind = "short_text"
prompt = { en = "Name the case", fr = "Nommer l'affaire" }
explanation = { en = "Gäfgen.", fr = "Gäfgen." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
accepted = { en = ["Gäfgen v. Germany", "Gafgen"], fr = ["Gäfgen c. Allemagne"] }

[[questions]]
key = "num"
kind = "numeric"
points = 2
prompt = { en = "How many days?", fr = "Combien de jours ?" }
explanation = { en = "20.", fr = "20." }
feedback_correct = { en = "Yes", fr = "Oui" }
feedback_incorrect = { en = "No", fr = "Non" }
references = [{ kind = "instrument", citation = { en = "ECHR, Article 5", fr = "CEDH, article 5" } }]
value = 20
tolerance = 0.5
unit = { en = "days", fr = "jours" }
"#;

fn quiz() -> QuizDef {
    let source = CourseSource {
        dir_name: "quiz-course".into(),
        files: [
            ("course.toml", COURSE),
            ("lessons/l1.en.md", "Text."),
            ("lessons/l1.fr.md", "Texte."),
            ("quizzes/m1.toml", QUIZ),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_owned(), t.to_owned()))
        .collect(),
    };
    let course = parse_course(&source).unwrap();
    course.modules[0].quiz.clone().unwrap()
}

fn question<'a>(quiz: &'a QuizDef, key: &str) -> &'a QuestionDef {
    quiz.questions.iter().find(|q| q.key == key).unwrap()
}

/// A quiz whose only question is an ordering of `n` items.
fn ordering_quiz(n: usize) -> QuizDef {
    let mut quiz = quiz();
    let mut q = question(&quiz, "order").clone();
    q.body = QuestionBody::Ordering {
        items: (1..=n)
            .map(|i| OrderItem {
                key: format!("i{i}"),
                text: [(Language::En, format!("Step {i}"))].into_iter().collect(),
            })
            .collect(),
    };
    quiz.questions = vec![q];
    quiz
}

fn id(q: &str, role: &str, key: &str) -> String {
    item_id(SECRET, q, role, key)
}

fn opt(q: &str, key: &str) -> Value {
    Value::String(id(q, ROLE_OPTION, key))
}

fn opts(q: &str, keys: &[&str]) -> Value {
    Value::Array(keys.iter().map(|k| opt(q, k)).collect())
}

fn order(keys: &[&str]) -> Value {
    Value::Array(
        keys.iter()
            .map(|k| Value::String(id("order", ROLE_ITEM, k)))
            .collect(),
    )
}

/// A matching response from (left pair key, right pair key or None).
fn matches(pairs: &[(&str, Option<&str>)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(l, r)| {
                (
                    id("match", ROLE_LEFT, l),
                    r.map_or(Value::Null, |r| Value::String(id("match", ROLE_RIGHT, r))),
                )
            })
            .collect(),
    )
}

fn one(key: &str, response: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(key.to_owned(), response);
    m
}

fn result_of(key: &str, response: Value) -> QuestionResult {
    let r = grade(&quiz(), SECRET, &one(key, response)).unwrap();
    r.questions.into_iter().find(|q| q.key == key).unwrap()
}

fn codes(responses: &Map<String, Value>) -> Vec<(String, &'static str)> {
    validate_responses(&quiz(), SECRET, responses)
        .unwrap_err()
        .0
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

// ---- shuffling and ids -----------------------------------------------------------------

#[test]
fn splitmix64_matches_the_reference_implementation() {
    // Vigna's splitmix64.c with seed 1234567.
    let mut r = SplitMix64::new(1_234_567);
    let got: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
    assert_eq!(
        got,
        [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ]
    );
    let mut r = SplitMix64::new(7);
    assert!((0..1000).all(|_| r.below(3) < 3));
    assert_eq!(r.below(0), 0);
}

#[test]
fn permutations_are_permutations_and_pinned_forever() {
    for n in 0..=20 {
        for seed in 0..30 {
            let mut p = permutation(seed, "q", n);
            p.sort_unstable();
            assert_eq!(p, (0..n).collect::<Vec<_>>());
        }
    }
    // Stored attempts re-derive their order from the seed: these values must never change.
    assert_eq!(permutation(42, "q1", 8), [7, 4, 6, 1, 3, 2, 0, 5]);
    assert_eq!(permutation(1, "order", 6), [0, 5, 1, 3, 4, 2]);
    assert_eq!(permutation(2, "order", 6), [1, 0, 5, 4, 2, 3]);
}

#[test]
fn permutations_depend_on_seed_and_salt_only() {
    assert_eq!(permutation(9, "a", 10), permutation(9, "a", 10));
    assert_ne!(permutation(1, "order", 6), permutation(2, "order", 6));
    assert_ne!(permutation(1, "q1", 6), permutation(1, "q2", 6));
    assert_eq!(permutation(5, "x", 0), Vec::<usize>::new());
    assert_eq!(permutation(5, "x", 1), [0]);
}

#[test]
fn item_ids_are_short_opaque_and_stable() {
    // sha256("secret\x1fq1\x1fopt\x1fa"), first 12 hex characters.
    assert_eq!(item_id("secret", "q1", "opt", "a"), "069f8c1a734b");
    let base = item_id(SECRET, "q", ROLE_OPTION, "a");
    assert_eq!(base.len(), 12);
    assert!(
        base.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    for other in [
        item_id("other-secret", "q", ROLE_OPTION, "a"),
        item_id(SECRET, "q2", ROLE_OPTION, "a"),
        item_id(SECRET, "q", ROLE_ITEM, "a"),
        item_id(SECRET, "q", ROLE_OPTION, "b"),
        // The separator keeps the parts apart: "q" + "opta" is not "qo" + "pta".
        item_id(SECRET, "qo", "pt", "a"),
    ] {
        assert_ne!(base, other);
    }
    // The two sides of one matching pair do not share an id.
    assert_ne!(id("match", ROLE_LEFT, "p1"), id("match", ROLE_RIGHT, "p1"));
}

// ---- delivery --------------------------------------------------------------------------

fn json_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.insert(k.clone());
                json_keys(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| json_keys(v, out)),
        _ => {}
    }
}

#[test]
fn delivery_reveals_no_answer_key() {
    let mut quiz = quiz();
    quiz.settings.shuffle_questions = true;
    quiz.settings.shuffle_options = true;
    for seed in 0..20 {
        let delivered = deliver(&quiz, SECRET, seed, Language::En, &[]);
        let json = serde_json::to_value(&delivered).unwrap();
        let mut keys = BTreeSet::new();
        json_keys(&json, &mut keys);
        for forbidden in [
            "correct",
            "accepted",
            "answer",
            "value",
            "tolerance",
            "explanation",
            "feedback",
            "feedback_correct",
            "feedback_incorrect",
        ] {
            assert!(!keys.contains(forbidden), "{forbidden} in {json}");
        }
        let text = json.to_string();
        for leaked in ["Gäfgen", "\"p1\"", "\"i1\"", "\"a\"", "days\":"] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        // Content keys never appear as ids.
        for q in &delivered {
            for item in q
                .options
                .iter()
                .chain(&q.left)
                .chain(&q.right)
                .chain(&q.items)
            {
                assert_eq!(item.id.len(), 12);
            }
        }
    }
}

#[test]
fn delivery_without_shuffling_keeps_content_order_and_omits_empty_lists() {
    let quiz = quiz();
    let delivered = deliver(&quiz, SECRET, 3, Language::Fr, &[]);
    let keys: Vec<&str> = delivered.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(
        keys,
        ["sc", "mc", "mc-all", "tf", "match", "order", "text", "num"]
    );
    let sc = &delivered[0];
    assert_eq!(sc.kind, crate::content::QuestionKind::SingleChoice);
    assert_eq!(sc.prompt, "Quel article protège la liberté ?");
    let ids: Vec<&str> = sc.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            id("sc", "opt", "a"),
            id("sc", "opt", "b"),
            id("sc", "opt", "c")
        ]
    );
    assert_eq!(delivered[7].unit.as_deref(), Some("jours"));
    assert_eq!(delivered[1].points, 2.0);

    let tf = serde_json::to_value(&delivered[3]).unwrap();
    assert_eq!(
        tf,
        json!({
            "key": "tf",
            "kind": "true_false",
            "points": 1.0,
            "prompt": "La détention peut être illimitée.",
        })
    );
    let m = serde_json::to_value(&delivered[4]).unwrap();
    assert!(m.get("left").is_some() && m.get("right").is_some());
    assert!(m.get("options").is_none() && m.get("items").is_none() && m.get("unit").is_none());
}

#[test]
fn delivery_falls_back_through_languages() {
    let quiz = quiz();
    let de_fr = deliver(&quiz, SECRET, 0, Language::De, &[Language::Fr]);
    assert_eq!(de_fr[0].prompt, "Quel article protège la liberté ?");
    let de = deliver(&quiz, SECRET, 0, Language::De, &[]);
    assert_eq!(de[0].prompt, "Which article protects liberty?");
}

#[test]
fn delivery_is_deterministic_per_seed() {
    let mut quiz = quiz();
    quiz.settings.shuffle_questions = true;
    quiz.settings.shuffle_options = true;
    let a = deliver(&quiz, SECRET, 11, Language::En, &[]);
    assert_eq!(a, deliver(&quiz, SECRET, 11, Language::En, &[]));
    let order = |d: &[DeliveredQuestion]| d.iter().map(|q| q.key.clone()).collect::<Vec<_>>();
    // Eight questions: another seed gives another question order.
    assert_ne!(
        order(&a),
        order(&deliver(&quiz, SECRET, 12, Language::En, &[]))
    );
    // The same seed with another secret keeps the order but changes every id.
    let b = deliver(&quiz, "another-secret", 11, Language::En, &[]);
    assert_eq!(order(&a), order(&b));
    let ids = |d: &[DeliveredQuestion]| -> BTreeSet<String> {
        d.iter()
            .flat_map(|q| {
                q.options
                    .iter()
                    .chain(&q.left)
                    .chain(&q.right)
                    .chain(&q.items)
            })
            .map(|i| i.id.clone())
            .collect()
    };
    assert_eq!(ids(&a).len(), 3 + 4 + 3 + 3 + 3 + 4);
    assert!(ids(&a).is_disjoint(&ids(&b)));
    // Ids are those a response must use.
    let sc = a.iter().find(|q| q.key == "sc").unwrap();
    let mut ids: Vec<String> = sc.options.iter().map(|o| o.id.clone()).collect();
    ids.sort();
    let mut expected = vec![
        id("sc", "opt", "a"),
        id("sc", "opt", "b"),
        id("sc", "opt", "c"),
    ];
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn shuffled_options_differ_between_seeds() {
    let mut quiz = ordering_quiz(6);
    quiz.settings.shuffle_options = true;
    let items = |seed| {
        deliver(&quiz, SECRET, seed, Language::En, &[])[0]
            .items
            .iter()
            .map(|i| i.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(items(1), items(1));
    assert_ne!(items(1), items(2));
}

#[test]
fn ordering_items_are_never_delivered_in_the_correct_order() {
    for n in 2..=6 {
        let quiz = ordering_quiz(n);
        let correct: Vec<String> = (1..=n)
            .map(|i| id("order", ROLE_ITEM, &format!("i{i}")))
            .collect();
        for seed in 0..500 {
            let d = deliver(&quiz, SECRET, seed, Language::En, &[]);
            let shown: Vec<String> = d[0].items.iter().map(|i| i.id.clone()).collect();
            assert_eq!(shown.len(), n);
            assert_ne!(shown, correct, "n = {n}, seed = {seed}");
        }
    }
    // Even with shuffle_options off.
    let quiz = quiz();
    assert!(!quiz.settings.shuffle_options);
    let d = deliver(&quiz, SECRET, 0, Language::En, &[]);
    let texts: Vec<&str> = d[5].items.iter().map(|i| i.text.as_str()).collect();
    assert_ne!(texts, ["Arrest", "Charge", "Trial", "Appeal"]);
}

#[test]
fn matching_sides_are_never_aligned() {
    let mut quiz = quiz();
    for shuffle_options in [false, true] {
        quiz.settings.shuffle_options = shuffle_options;
        for seed in 0..300 {
            let d = deliver(&quiz, SECRET, seed, Language::En, &[]);
            let m = &d[4];
            let left: Vec<&str> = m.left.iter().map(|i| i.text.as_str()).collect();
            let right: Vec<&str> = m.right.iter().map(|i| i.text.as_str()).collect();
            let pair_of_left = |t: &str| {
                ["Article 3", "Article 5", "Article 6"]
                    .iter()
                    .position(|x| *x == t)
            };
            let pair_of_right = |t: &str| {
                ["Torture", "Liberty", "Fair trial"]
                    .iter()
                    .position(|x| *x == t)
            };
            let l: Vec<_> = left.iter().map(|t| pair_of_left(t)).collect();
            let r: Vec<_> = right.iter().map(|t| pair_of_right(t)).collect();
            assert_eq!(l.len(), 3);
            assert_ne!(l, r, "seed {seed}");
            if !shuffle_options {
                assert_eq!(left, ["Article 3", "Article 5", "Article 6"]);
            }
        }
    }
}

// ---- validation ------------------------------------------------------------------------

#[test]
fn unanswered_and_null_responses_are_valid() {
    let quiz = quiz();
    assert!(validate_responses(&quiz, SECRET, &Map::new()).is_ok());
    let all_null: Map<String, Value> = quiz
        .questions
        .iter()
        .map(|q| (q.key.clone(), Value::Null))
        .collect();
    assert!(validate_responses(&quiz, SECRET, &all_null).is_ok());
}

#[test]
fn invalid_responses_are_refused_with_a_code() {
    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("nope", json!("a"), "unknown_question"),
        ("sc", json!(1), "wrong_type"),
        ("sc", json!([opt("sc", "a")]), "wrong_type"),
        ("sc", json!("zzzzzzzzzzzz"), "unknown_option"),
        // Content keys are not ids: a client cannot guess its way to an answer.
        ("sc", json!("a"), "unknown_option"),
        // Ids of another question are not ids of this one.
        ("sc", opt("mc", "a"), "unknown_option"),
        ("mc", opt("mc", "a"), "wrong_type"),
        ("mc", json!([1]), "wrong_type"),
        ("mc", json!(["zzz"]), "unknown_option"),
        ("mc", opts("mc", &["a", "a"]), "duplicate_option"),
        ("tf", json!("true"), "wrong_type"),
        ("tf", json!(0), "wrong_type"),
        ("match", json!([]), "wrong_type"),
        (
            "match",
            json!({ id("match", "left", "p1"): 1 }),
            "wrong_type",
        ),
        (
            "match",
            json!({ "zzz": id("match", "right", "p1") }),
            "unknown_option",
        ),
        (
            "match",
            json!({ id("match", "left", "p1"): "zzz" }),
            "unknown_option",
        ),
        // A left id is not a right id.
        (
            "match",
            json!({ id("match", "left", "p1"): id("match", "left", "p1") }),
            "unknown_option",
        ),
        (
            "match",
            matches(&[("p1", Some("p1")), ("p2", Some("p1"))]),
            "duplicate_option",
        ),
        ("order", json!({}), "wrong_type"),
        ("order", json!([1, 2, 3, 4]), "wrong_type"),
        ("order", order(&["i1", "i2", "i3"]), "not_a_permutation"),
        (
            "order",
            order(&["i1", "i1", "i2", "i3"]),
            "duplicate_option",
        ),
        (
            "order",
            json!([
                id("order", "item", "i1"),
                id("order", "item", "i2"),
                id("order", "item", "i3"),
                id("order", "item", "i4"),
                "zzz"
            ]),
            "unknown_option",
        ),
        ("order", json!([]), "not_a_permutation"),
        ("text", json!(5), "wrong_type"),
        ("text", json!(["Gafgen"]), "wrong_type"),
        ("text", Value::String(long), "too_long"),
        ("num", json!("20"), "wrong_type"),
        ("num", json!(true), "wrong_type"),
    ];
    for (key, response, code) in cases {
        let got = codes(&one(key, response.clone()));
        assert!(
            got.contains(&(format!("responses.{key}"), code)),
            "{key} = {response}: expected {code}, got {got:?}"
        );
        assert!(grade(&quiz(), SECRET, &one(key, response)).is_err());
    }
}

#[test]
fn boundary_responses_are_valid() {
    let quiz = quiz();
    for (key, response) in [
        ("text", Value::String("é".repeat(MAX_TEXT_CHARS))),
        ("match", json!({})),
        ("match", matches(&[("p1", None)])),
        ("mc", json!([])),
        ("num", json!(-3)),
        ("num", json!(1e300)),
    ] {
        assert!(
            validate_responses(&quiz, SECRET, &one(key, response.clone())).is_ok(),
            "{key} = {response}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once_in_content_order() {
    let mut responses = Map::new();
    responses.insert("zz-unknown".into(), json!(1));
    responses.insert("num".into(), json!("x"));
    responses.insert("sc".into(), json!(true));
    responses.insert("aa-unknown".into(), Value::Null);
    responses.insert("mc".into(), json!(["zzz", "zzz", 3]));
    let got = codes(&responses);
    assert_eq!(
        got,
        [
            ("responses.sc".to_owned(), "wrong_type"),
            ("responses.mc".to_owned(), "unknown_option"),
            ("responses.mc".to_owned(), "wrong_type"),
            ("responses.num".to_owned(), "wrong_type"),
            ("responses.aa-unknown".to_owned(), "unknown_question"),
            ("responses.zz-unknown".to_owned(), "unknown_question"),
        ]
    );
}

// ---- grading ---------------------------------------------------------------------------

#[test]
fn every_kind_is_graded_by_its_rule() {
    use Outcome::*;
    let cases: Vec<(&str, Value, f64, Outcome)> = vec![
        // single choice: all or nothing
        ("sc", opt("sc", "a"), 1.0, Correct),
        ("sc", opt("sc", "b"), 0.0, Incorrect),
        ("sc", Value::Null, 0.0, Unanswered),
        // multiple choice (2 points, a and b correct, c and d wrong)
        ("mc", opts("mc", &["a", "b"]), 2.0, Correct),
        ("mc", opts("mc", &["b", "a"]), 2.0, Correct),
        ("mc", opts("mc", &["a"]), 1.0, Partial),
        ("mc", opts("mc", &["a", "b", "c"]), 1.0, Partial),
        ("mc", opts("mc", &["a", "c"]), 0.0, Incorrect),
        ("mc", opts("mc", &["a", "b", "c", "d"]), 0.0, Incorrect),
        ("mc", opts("mc", &["c", "d"]), 0.0, Incorrect),
        ("mc", opts("mc", &["c"]), 0.0, Incorrect),
        ("mc", json!([]), 0.0, Incorrect),
        ("mc", Value::Null, 0.0, Unanswered),
        // multiple choice without wrong options: no penalty term
        ("mc-all", opts("mc-all", &["a", "b", "c"]), 1.0, Correct),
        ("mc-all", opts("mc-all", &["a", "b"]), 0.666_667, Partial),
        ("mc-all", opts("mc-all", &["c"]), 0.333_333, Partial),
        // true/false
        ("tf", json!(false), 1.0, Correct),
        ("tf", json!(true), 0.0, Incorrect),
        ("tf", Value::Null, 0.0, Unanswered),
        // matching (3 points, 3 pairs): proportional
        (
            "match",
            matches(&[("p1", Some("p1")), ("p2", Some("p2")), ("p3", Some("p3"))]),
            3.0,
            Correct,
        ),
        (
            "match",
            matches(&[("p1", Some("p1")), ("p2", Some("p3")), ("p3", Some("p2"))]),
            1.0,
            Partial,
        ),
        (
            "match",
            matches(&[("p1", Some("p1")), ("p2", Some("p2"))]),
            2.0,
            Partial,
        ),
        (
            "match",
            matches(&[("p1", Some("p1")), ("p2", None)]),
            1.0,
            Partial,
        ),
        (
            "match",
            matches(&[("p1", Some("p2")), ("p2", Some("p3")), ("p3", Some("p1"))]),
            0.0,
            Incorrect,
        ),
        ("match", json!({}), 0.0, Incorrect),
        ("match", Value::Null, 0.0, Unanswered),
        // ordering (4 points, 4 items): by position
        ("order", order(&["i1", "i2", "i3", "i4"]), 4.0, Correct),
        ("order", order(&["i2", "i1", "i3", "i4"]), 2.0, Partial),
        ("order", order(&["i1", "i3", "i2", "i4"]), 2.0, Partial),
        ("order", order(&["i4", "i1", "i2", "i3"]), 0.0, Incorrect),
        ("order", Value::Null, 0.0, Unanswered),
        // short text: folded, any language
        ("text", json!("Gäfgen v. Germany"), 1.0, Correct),
        ("text", json!("  GÄFGEN  v.  germany"), 1.0, Correct),
        ("text", json!("gafgen"), 1.0, Correct),
        ("text", json!("GÄFGEN C. ALLEMAGNE"), 1.0, Correct),
        ("text", json!("Gäfgen v Germany"), 0.0, Incorrect),
        ("text", json!("Germany"), 0.0, Incorrect),
        ("text", json!(""), 0.0, Incorrect),
        ("text", Value::Null, 0.0, Unanswered),
        // numeric (2 points, 20 ± 0.5)
        ("num", json!(20), 2.0, Correct),
        ("num", json!(20.0), 2.0, Correct),
        ("num", json!(20.5), 2.0, Correct),
        ("num", json!(19.5), 2.0, Correct),
        ("num", json!(20.500_001), 0.0, Incorrect),
        ("num", json!(19), 0.0, Incorrect),
        ("num", json!(-20), 0.0, Incorrect),
        ("num", Value::Null, 0.0, Unanswered),
    ];
    for (key, response, earned, outcome) in cases {
        let r = result_of(key, response.clone());
        assert_eq!(
            (r.earned, r.outcome),
            (earned, outcome),
            "{key} = {response}"
        );
    }
}

#[test]
fn multiple_choice_never_goes_below_zero() {
    let quiz = quiz();
    let keys = ["a", "b", "c", "d"];
    // Every subset of the four options.
    for mask in 0u8..16 {
        let chosen: Vec<&str> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, k)| *k)
            .collect();
        let r = grade(&quiz, SECRET, &one("mc", opts("mc", &chosen))).unwrap();
        let q = &r.questions[1];
        assert!((0.0..=2.0).contains(&q.earned), "{chosen:?}: {}", q.earned);
        assert!(r.score >= 0.0);
    }
}

#[test]
fn numeric_tolerance_absorbs_float_noise() {
    let mut quiz = quiz();
    quiz.questions.retain(|q| q.key == "num");
    quiz.questions[0].body = QuestionBody::Numeric {
        value: 0.3,
        tolerance: 0.0,
        unit: None,
    };
    let r = grade(&quiz, SECRET, &one("num", json!(0.1 + 0.2))).unwrap();
    assert_eq!(r.questions[0].outcome, Outcome::Correct);
    let r = grade(&quiz, SECRET, &one("num", json!(0.300_001))).unwrap();
    assert_eq!(r.questions[0].outcome, Outcome::Incorrect);
}

#[test]
fn a_quiz_is_scored_in_content_order_with_a_rounded_percent() {
    let quiz = quiz();
    let mut responses = Map::new();
    responses.insert("num".into(), json!(20));
    responses.insert("sc".into(), opt("sc", "a"));
    responses.insert("mc".into(), opts("mc", &["a"]));
    responses.insert("tf".into(), json!(true));
    let r = grade(&quiz, SECRET, &responses).unwrap();
    assert_eq!(r.max_score, 15.0);
    assert_eq!(r.score, 4.0); // 2 + 1 + 1
    assert_eq!(r.percent, 26.67);
    let keys: Vec<&str> = r.questions.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(
        keys,
        ["sc", "mc", "mc-all", "tf", "match", "order", "text", "num"]
    );
    let outcomes: Vec<Outcome> = r.questions.iter().map(|q| q.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Correct,
            Outcome::Partial,
            Outcome::Unanswered,
            Outcome::Incorrect,
            Outcome::Unanswered,
            Outcome::Unanswered,
            Outcome::Unanswered,
            Outcome::Correct,
        ]
    );
    let json = serde_json::to_value(&r.questions[2]).unwrap();
    assert_eq!(
        json,
        json!({ "key": "mc-all", "points": 1.0, "earned": 0.0, "outcome": "unanswered" })
    );

    let empty = grade(&quiz, SECRET, &Map::new()).unwrap();
    assert_eq!((empty.score, empty.percent), (0.0, 0.0));

    let mut no_questions = quiz.clone();
    no_questions.questions.clear();
    let r = grade(&no_questions, SECRET, &Map::new()).unwrap();
    assert_eq!((r.score, r.max_score, r.percent), (0.0, 0.0, 0.0));
}

#[test]
fn correct_responses_have_the_response_shape_and_earn_full_marks() {
    let quiz = quiz();
    let mut all = Map::new();
    for q in &quiz.questions {
        all.insert(
            q.key.clone(),
            correct_response(q, SECRET, Language::En, &[]),
        );
    }
    let r = grade(&quiz, SECRET, &all).unwrap();
    assert_eq!((r.score, r.percent), (15.0, 100.0));
    assert!(r.questions.iter().all(|q| q.outcome == Outcome::Correct));

    assert_eq!(all["sc"], opt("sc", "a"));
    assert_eq!(all["mc"], opts("mc", &["a", "b"]));
    assert_eq!(all["tf"], json!(false));
    assert_eq!(
        all["match"],
        matches(&[("p1", Some("p1")), ("p2", Some("p2")), ("p3", Some("p3"))])
    );
    assert_eq!(all["order"], order(&["i1", "i2", "i3", "i4"]));
    assert_eq!(all["text"], json!("Gäfgen v. Germany"));
    assert_eq!(all["num"], json!(20.0));
    let text = question(&quiz, "text");
    assert_eq!(
        correct_response(text, SECRET, Language::Fr, &[]),
        json!("Gäfgen c. Allemagne")
    );
    assert_eq!(
        correct_response(text, SECRET, Language::De, &[Language::Fr]),
        json!("Gäfgen c. Allemagne")
    );
}

#[test]
fn short_text_answers_are_folded() {
    for (a, b) in [
        ("  GÄFGEN  v.  germany", "Gäfgen v. Germany"),
        ("Gäfgen", "gafgen"),
        ("Căldăraru", "caldararu"),
        ("CĂLDĂRARU", "caldararu"),
        ("Ştefan", "stefan"),
        ("D\u{2019}Angelo", "d'angelo"),
        ("\u{201C}quoted\u{201D}", "\"quoted\""),
        ("«guillemets»", "\"guillemets\""),
        ("non\u{2011}refoulement", "non-refoulement"),
        ("pre\u{2013}trial", "pre-trial"),
        ("tab\tand\nnewline", "tab and newline"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Ἀθῆναι", "αθηναι"),
        ("ΟΔΟΣ", "οδοσ"),
        ("οδος", "οδοσ"),
        ("ﬁne", "fine"),
        ("", ""),
        ("   ", ""),
    ] {
        assert_eq!(fold_text(a), fold_text(b), "{a:?} vs {b:?}");
        assert_eq!(
            fold_text(b),
            fold_text(&fold_text(b)),
            "idempotent on {b:?}"
        );
    }
    assert_eq!(fold_text("  GÄFGEN  v.  germany"), "gafgen v. germany");
    assert_ne!(
        fold_text("Gäfgen v Germany"),
        fold_text("Gäfgen v. Germany")
    );
}

// ---- aggregation and review ------------------------------------------------------------

#[test]
fn attempts_aggregate_by_method() {
    let p = [40.0, 90.0, 70.0];
    for (method, expected) in [
        (GradingMethod::Highest, Some(90.0)),
        (GradingMethod::Last, Some(70.0)),
        (GradingMethod::First, Some(40.0)),
        (GradingMethod::Average, Some(66.67)),
    ] {
        assert_eq!(aggregate(method, &p), expected, "{method}");
        assert_eq!(aggregate(method, &[]), None, "{method}");
        assert_eq!(aggregate(method, &[55.5]), Some(55.5), "{method}");
    }
    assert_eq!(
        aggregate(GradingMethod::Average, &[50.0, 100.0]),
        Some(75.0)
    );
}

#[test]
fn passing_is_reaching_the_pass_mark() {
    for (grade, mark, expected) in [
        (70.0, 70, true),
        (69.99, 70, false),
        (100.0, 100, true),
        (0.0, 0, true),
        (85.5, 70, true),
    ] {
        assert_eq!(passed(grade, mark), expected, "{grade} vs {mark}");
    }
}

#[test]
fn review_visibility_follows_the_policy() {
    use ReviewShow::*;
    use ReviewWhen::*;
    const SCORE: (bool, bool, bool) = (true, false, false);
    const CORRECTNESS: (bool, bool, bool) = (true, true, false);
    const ALL: (bool, bool, bool) = (true, true, true);
    // (show, when, submitted, max_attempts, passed) → (score, correctness, correct_answers)
    let cases = [
        (CorrectAnswers, Never, 3, 3, true, SCORE),
        (Correctness, Never, 1, 0, false, SCORE),
        (ScoreOnly, Immediately, 1, 3, false, SCORE),
        (Correctness, Immediately, 1, 3, false, CORRECTNESS),
        (CorrectAnswers, Immediately, 1, 3, false, ALL),
        (CorrectAnswers, AfterLastAttempt, 1, 3, false, SCORE),
        (CorrectAnswers, AfterLastAttempt, 2, 3, false, SCORE),
        (CorrectAnswers, AfterLastAttempt, 3, 3, false, ALL),
        (CorrectAnswers, AfterLastAttempt, 4, 3, false, ALL),
        (Correctness, AfterLastAttempt, 3, 3, false, CORRECTNESS),
        (ScoreOnly, AfterLastAttempt, 3, 3, true, SCORE),
        (CorrectAnswers, AfterLastAttempt, 1, 3, true, ALL),
        // Unlimited attempts: only passing opens the review.
        (CorrectAnswers, AfterLastAttempt, 50, 0, false, SCORE),
        (CorrectAnswers, AfterLastAttempt, 2, 0, true, ALL),
    ];
    for (show, when, submitted, max, passed, (score, correctness, correct_answers)) in cases {
        assert_eq!(
            review_visibility(show, when, submitted, max, passed),
            Visibility {
                score,
                correctness,
                correct_answers
            },
            "{show} {when} {submitted}/{max} passed={passed}"
        );
    }
    assert_eq!(
        serde_json::to_value(review_visibility(ScoreOnly, Never, 0, 0, false)).unwrap(),
        json!({ "score": true, "correctness": false, "correct_answers": false })
    );
}

#[test]
fn erasure_keeps_every_answer_but_the_free_text() {
    let q = quiz();
    let responses =
        json!({"text": "Gafgen, as my colleague Ms Dupont said", "num": 20, "tf": true});
    let kept = super::without_free_text(&q, responses.as_object().unwrap());
    assert_eq!(Value::Object(kept), json!({"num": 20, "tf": true}));
}
