//! Completion statistics, the course funnel and targets, against a hand-built fixture:
//! two institutions (FR and DE) with three cohorts, self-study learners from other
//! countries, known completions (after known numbers of days), withdrawals, a revoked
//! certificate. Expected figures come from a plain re-computation over the fixture's own
//! table, and a few are spelled out by hand.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::progress::ProgressReport;
use help_lms_domain::reporting;
use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role, UserStatus};
use help_lms_persistence::accounts::{self, NewUser};
use help_lms_persistence::entities::enrolments as en;
use help_lms_persistence::{catalogue, enrolments, learning};
use help_lms_tests::{Nti, Options, Res, TestApp, institution, spawn_app, spawn_with};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

const DEMO: &str = "stats-demo";
const OTHER: &str = "stats-other";

fn text(s: &str) -> String {
    format!("{{ en = \"{s}\", fr = \"{s}\" }}")
}

fn demo_course() -> Value {
    let t = text;
    let question = |key: &str, body: &str| {
        format!(
            "\n[[questions]]\nkey = \"{key}\"\n{body}\nprompt = {}\nexplanation = {}\nfeedback_correct = {}\nfeedback_incorrect = {}\nreferences = [{{ kind = \"instrument\", citation = {} }}]\n",
            t("Q"),
            t("Because."),
            t("Yes."),
            t("No."),
            t("ECHR, Article 5")
        )
    };
    let quiz = format!(
        "title = {}\npass_mark = 60\nmax_attempts = 3\ngrading = \"last\"\nshuffle_questions = false\nshuffle_options = false\nreview = \"correct_answers\"\nreview_when = \"immediately\"\n{}{}{}",
        t("Check"),
        question("tf", "kind = \"true_false\"\nanswer = true"),
        question("num", "kind = \"numeric\"\nvalue = 10"),
        question("tf2", "kind = \"true_false\"\nanswer = false"),
    );
    let lesson = |key: &str| {
        format!(
            "\n  [[modules.lessons]]\n  key = \"{key}\"\n  title = {}\n  minutes = 5\n",
            t(key)
        )
    };
    let course = format!(
        "slug = \"{DEMO}\"\nlanguages = [\"en\", \"fr\"]\ntopics = [\"demo\"]\nestimated_hours = 2\nstatus = \"published\"\ntitle = {}\nsummary = {}\n\n[[modules]]\nkey = \"m1\"\ntitle = {}\nsummary = {}\n{}{}\n[[modules]]\nkey = \"m2\"\ntitle = {}\nsummary = {}\n{}",
        t("Statistics demo"),
        t("A demo."),
        t("One"),
        t("First."),
        lesson("a1"),
        lesson("a2"),
        t("Two"),
        t("Second."),
        lesson("b1"),
    );
    let mut files = serde_json::Map::new();
    files.insert("course.toml".into(), json!(course));
    for l in ["a1", "a2", "b1"] {
        for lang in ["en", "fr"] {
            files.insert(format!("lessons/{l}.{lang}.md"), json!("## Text\n\nBody."));
        }
    }
    files.insert("quizzes/m1.toml".into(), json!(quiz));
    json!({ "files": files })
}

fn other_course() -> Value {
    json!({"files": {
        "course.toml": format!("slug = \"{OTHER}\"\nlanguages = [\"en\"]\ntopics = [\"demo\"]\nestimated_hours = 1\nstatus = \"published\"\ntitle = {{ en = \"Other\" }}\nsummary = {{ en = \"Other.\" }}\n\n[[modules]]\nkey = \"n1\"\ntitle = {{ en = \"N\" }}\nsummary = {{ en = \"N.\" }}\n\n  [[modules.lessons]]\n  key = \"c1\"\n  title = {{ en = \"C\" }}\n  minutes = 5\n"),
        "lessons/c1.en.md": "## C\n\nBody.",
    }})
}

/// Where a learner is enrolled.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Cohort(usize),
    SelfStudy,
}

/// What the learner does: lessons completed in order (a1, a2, b1 / c1), quiz attempts (in
/// percent: 100, 67, 33 or 0, taken after the module's lessons), and a final withdrawal.
#[derive(Clone)]
struct Spec {
    country: &'static str,
    profession: &'static str,
    place: Place,
    course: &'static str,
    language: &'static str,
    lessons: usize,
    attempts: &'static [u32],
    withdraw: bool,
    /// Enrolled this many days (and an hour) ago.
    days_ago: i64,
}

/// One row of the fixture table, in column order.
#[allow(clippy::too_many_arguments)]
const fn s(
    country: &'static str,
    profession: &'static str,
    place: Place,
    course: &'static str,
    language: &'static str,
    lessons: usize,
    attempts: &'static [u32],
    withdraw: bool,
    days_ago: i64,
) -> Spec {
    Spec {
        country,
        profession,
        place,
        course,
        language,
        lessons,
        attempts,
        withdraw,
        days_ago,
    }
}

const A1: Place = Place::Cohort(0);
const A2: Place = Place::Cohort(1);
const B1: Place = Place::Cohort(2);
const SELF: Place = Place::SelfStudy;

/// Cohorts: A1 (institution A, French), A2 (A, English), B1 (B, English).
fn specs() -> Vec<Spec> {
    vec![
        // 0..6: A1, French judges and prosecutors.
        s("FR", "judge", A1, DEMO, "fr", 3, &[100], false, 0),
        s("FR", "judge", A1, DEMO, "fr", 3, &[0, 67], false, 12),
        s("FR", "judge", A1, DEMO, "fr", 3, &[100], false, 3),
        s("FR", "prosecutor", A1, DEMO, "fr", 2, &[], false, 1),
        s("FR", "prosecutor", A1, DEMO, "fr", 1, &[], true, 2),
        s("FR", "judge", A1, DEMO, "fr", 0, &[], false, 40),
        // 6..9: A2.
        s("FR", "prosecutor", A2, DEMO, "en", 3, &[67], false, 20),
        s("FR", "prosecutor", A2, DEMO, "en", 1, &[], false, 20),
        s("FR", "court_staff", A2, DEMO, "en", 0, &[], false, 5),
        // 9..16: B1, German judges and lawyers.
        s("DE", "judge", B1, DEMO, "en", 3, &[100], false, 5),
        s("DE", "judge", B1, DEMO, "en", 3, &[33, 100], false, 5),
        s("DE", "judge", B1, DEMO, "en", 3, &[33], false, 7),
        s("DE", "judge", B1, DEMO, "en", 2, &[0], true, 7),
        s("DE", "lawyer", B1, DEMO, "en", 3, &[100], false, 30),
        s("DE", "lawyer", B1, DEMO, "en", 0, &[], false, 30),
        s("DE", "lawyer", B1, DEMO, "en", 2, &[0], false, 1),
        // 16..: self-study.
        s("IT", "judge", SELF, DEMO, "en", 3, &[100], false, 40),
        s("IT", "judge", SELF, DEMO, "en", 1, &[], false, 2),
        s("ES", "lawyer", SELF, DEMO, "en", 3, &[67], false, 7),
        s("ES", "lawyer", SELF, OTHER, "en", 1, &[], false, 2),
        s("ES", "lawyer", SELF, OTHER, "en", 0, &[], false, 2),
        s("BE", "prosecutor", SELF, DEMO, "fr", 3, &[0, 100], false, 1),
        s("BE", "prosecutor", SELF, DEMO, "fr", 2, &[33], false, 12),
        s("IT", "prison_staff", SELF, OTHER, "en", 1, &[], false, 0),
        s(
            "other",
            "law_enforcement",
            SELF,
            DEMO,
            "en",
            0,
            &[],
            false,
            3,
        ),
    ]
}

/// The learner whose certificate is revoked (a DE lawyer).
const REVOKED: usize = 13;

fn responses(percent: u32) -> serde_json::Map<String, Value> {
    let (tf, num, tf2) = match percent {
        100 => (true, 10, false),
        67 => (true, 10, true),
        33 => (true, 3, true),
        _ => (false, 3, true),
    };
    json!({"tf": tf, "num": num, "tf2": tf2})
        .as_object()
        .unwrap()
        .clone()
}

fn stored_percent(p: u32) -> f64 {
    match p {
        100 => 100.0,
        67 => 66.67,
        33 => 33.33,
        _ => 0.0,
    }
}

impl Spec {
    fn lesson_count(&self) -> usize {
        if self.course == DEMO { 3 } else { 1 }
    }
    fn passed(&self) -> bool {
        self.course != DEMO || self.attempts.last().is_some_and(|p| *p >= 60)
    }
    fn completed(&self) -> bool {
        self.lessons == self.lesson_count() && self.passed()
    }
    fn final_score(&self) -> Option<f64> {
        self.completed().then(|| {
            if self.course == DEMO {
                stored_percent(*self.attempts.last().unwrap())
            } else {
                100.0
            }
        })
    }
}

struct Enrolled {
    spec: Spec,
    id: Uuid,
    enrolled_at: DateTime<Utc>,
}

struct Fixture {
    app: TestApp,
    admin: String,
    a: Nti,
    b: Nti,
    cohorts: Vec<Uuid>,
    enrolments: Vec<Enrolled>,
    learner: String,
}

async fn cohort(app: &TestApp, nti: &Nti, language: &str, name: &str, tutored: bool) -> Uuid {
    let tutors: Vec<Uuid> = if tutored { vec![nti.tutor_id] } else { vec![] };
    let res = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": DEMO, "language": language, "name": name, "starts_on": "2027-01-04", "ends_on": "2027-03-26", "capacity": 50, "tutor_ids": tutors}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().parse().unwrap()
}

async fn upload(app: &TestApp, admin: &str, slug: &str, files: Value) {
    let up = app
        .put(
            &format!("/api/v1/courses/{slug}/content"),
            &files,
            Some(admin),
        )
        .await;
    assert!(up.status.is_success(), "{}", up.text);
}

/// Plays a spec out through the persistence layer, as the learner's requests would.
async fn play(app: &TestApp, e: &Enrolled) {
    let row = enrolments::find(&app.db.conn, e.id).await.unwrap().unwrap();
    let rt = catalogue::runtime::runtime(&app.db.conn, row.course_version_id)
        .await
        .unwrap();
    let mut lessons_left = e.spec.lessons;
    for m in &rt.modules {
        for l in m.lessons.iter().map(|l| l.id) {
            if lessons_left == 0 {
                return;
            }
            let report = ProgressReport {
                completed: true,
                time_spent_seconds: 60,
            };
            learning::record_progress(&app.db, e.id, l, report)
                .await
                .unwrap();
            lessons_left -= 1;
        }
        if let Some(q) = &m.quiz {
            for p in e.spec.attempts {
                let (a, _) = learning::start_attempt(&app.db, e.id, q.id).await.unwrap();
                learning::submit(&app.db, a.attempt.id, Some(responses(*p)))
                    .await
                    .unwrap();
            }
        }
    }
}

async fn fixture() -> Fixture {
    fixture_with(spawn_app().await).await
}

async fn fixture_with(app: TestApp) -> Fixture {
    let admin = app.admin_token().await;
    upload(&app, &admin, DEMO, demo_course()).await;
    upload(&app, &admin, OTHER, other_course()).await;
    let a = institution(&app, &admin, "Institut national A", "FR").await;
    let b = institution(&app, &admin, "Akademie B", "DE").await;
    let cohorts = vec![
        cohort(&app, &a, "fr", "A1", true).await,
        cohort(&app, &a, "en", "A2", false).await,
        cohort(&app, &b, "en", "B1", true).await,
    ];
    let specs = specs();
    let mut enrolments_out = Vec::new();
    let now = Utc::now();
    for (i, spec) in specs.iter().enumerate() {
        let email = format!("learner{i}@stats.example");
        let id: Uuid = match spec.place {
            Place::Cohort(c) => {
                let nti = if c < 2 { &a } else { &b };
                let csv = format!(
                    "email,given name,family name,profession,country,language\n{email},L,{i},{},{},{}\n",
                    spec.profession, spec.country, spec.language
                );
                let res = app
                    .send(
                        app.request(
                            Method::POST,
                            &format!("/api/v1/cohorts/{}/enrolments", cohorts[c]),
                            Some(&nti.manager),
                        )
                        .header("content-type", "text/csv")
                        .body(csv),
                    )
                    .await;
                assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
                res.body["rows"][0]["enrolment_id"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            }
            Place::SelfStudy => {
                let user = accounts::insert(
                    &app.db.conn,
                    NewUser {
                        email: Email::parse(&email).unwrap(),
                        name: PersonName::parse(&format!("L {i}")).unwrap(),
                        profession: Profession::parse(spec.profession).unwrap(),
                        country: Country::parse(spec.country).unwrap(),
                        language: Language::En,
                        institution_id: None,
                        role: Role::Learner,
                        status: UserStatus::Active,
                        password_hash: None,
                    },
                )
                .await
                .unwrap();
                let c = catalogue::current_version(&app.db.conn, spec.course)
                    .await
                    .unwrap()
                    .unwrap();
                enrolments::self_enrol(
                    &app.db,
                    user.id,
                    c.course_id,
                    c.version_id,
                    Language::parse(spec.language).unwrap(),
                )
                .await
                .unwrap()
                .id
            }
        };
        // Enrolled `days_ago` days and an hour ago: completing now takes `days_ago` days.
        let enrolled_at = now - Duration::days(spec.days_ago) - Duration::hours(1);
        en::ActiveModel {
            id: Set(id),
            enrolled_at: Set(enrolled_at),
            enrolled_month: Set(Some(reporting::month_of(enrolled_at))),
            ..Default::default()
        }
        .update(&app.db.conn)
        .await
        .unwrap();
        let e = Enrolled {
            spec: spec.clone(),
            id,
            enrolled_at,
        };
        play(&app, &e).await;
        if spec.withdraw {
            let Place::Cohort(c) = spec.place else {
                unreachable!()
            };
            let nti = if c < 2 { &a } else { &b };
            let res = app
                .delete(
                    &format!("/api/v1/cohorts/{}/enrolments/{id}", cohorts[c]),
                    Some(&nti.manager),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.text);
        }
        enrolments_out.push(e);
    }
    let code = learning::certificate_of(&app.db.conn, enrolments_out[REVOKED].id)
        .await
        .unwrap()
        .unwrap()
        .code;
    let res = app
        .post(
            &format!("/api/v1/certificates/{code}/revoke"),
            &json!({"reason": "issued in error"}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let (_, learner) = app
        .user_with_token("a-learner@stats.example", Role::Learner, None)
        .await;
    Fixture {
        app,
        admin,
        a,
        b,
        cohorts,
        enrolments: enrolments_out,
        learner,
    }
}

// ----------------------------------------------------------------------------------------
// The oracle: the same figures, computed the plain way.

#[derive(Default, Debug)]
struct Expected {
    enrolled: u64,
    active: u64,
    completed: u64,
    withdrawn: u64,
    scores: Vec<f64>,
    days: Vec<i64>,
    certificates: u64,
}

impl Fixture {
    fn key(&self, e: &Enrolled, d: &str) -> Option<String> {
        let s = &e.spec;
        match d {
            "course" => Some(s.course.to_owned()),
            "country" => Some(s.country.to_owned()),
            "profession" => Some(s.profession.to_owned()),
            "institution" => match s.place {
                Place::Cohort(c) if c < 2 => Some(self.a.id.to_string()),
                Place::Cohort(_) => Some(self.b.id.to_string()),
                Place::SelfStudy => None,
            },
            "cohort" => match s.place {
                Place::Cohort(c) => Some(self.cohorts[c].to_string()),
                Place::SelfStudy => None,
            },
            "language" => Some(s.language.to_owned()),
            "mode" => Some(
                if s.place == SELF {
                    "self_study"
                } else {
                    "tutored"
                }
                .to_owned(),
            ),
            "month" => Some(reporting::month_of(e.enrolled_at)),
            other => panic!("{other}"),
        }
    }

    fn expected(
        &self,
        group_by: &[&str],
        keep: impl Fn(&Enrolled) -> bool,
    ) -> BTreeMap<Vec<Option<String>>, Expected> {
        let mut out: BTreeMap<Vec<Option<String>>, Expected> = BTreeMap::new();
        for (i, e) in self.enrolments.iter().enumerate() {
            if !keep(e) {
                continue;
            }
            let k = group_by.iter().map(|d| self.key(e, d)).collect();
            let x = out.entry(k).or_default();
            x.enrolled += 1;
            let s = &e.spec;
            if s.completed() {
                x.completed += 1;
                x.scores.push(s.final_score().unwrap());
                x.days.push(s.days_ago);
                if i != REVOKED {
                    x.certificates += 1;
                }
            } else if s.withdraw {
                x.withdrawn += 1;
            } else {
                x.active += 1;
            }
        }
        out
    }
}

fn row_key(row: &Value, group_by: &[&str]) -> Vec<Option<String>> {
    group_by
        .iter()
        .map(|d| row[*d].as_str().map(str::to_owned))
        .collect()
}

fn close(a: &Value, b: f64, tol: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() <= tol)
}

#[track_caller]
fn check(rows: &[Value], expected: &BTreeMap<Vec<Option<String>>, Expected>, group_by: &[&str]) {
    assert_eq!(
        rows.len(),
        expected.len(),
        "group_by {group_by:?}: {rows:#?} vs {expected:#?}"
    );
    for row in rows {
        let k = row_key(row, group_by);
        let x = expected
            .get(&k)
            .unwrap_or_else(|| panic!("unexpected group {k:?} for {group_by:?}"));
        let ctx = format!("group_by {group_by:?}, group {k:?}: {row}");
        assert_eq!(row["suppressed"], false, "{ctx}");
        assert_eq!(row["enrolled"], x.enrolled, "{ctx}");
        assert_eq!(row["active"], x.active, "{ctx}");
        assert_eq!(row["completed"], x.completed, "{ctx}");
        assert_eq!(row["withdrawn"], x.withdrawn, "{ctx}");
        assert_eq!(row["certificates_issued"], x.certificates, "{ctx}");
        assert!(
            close(
                &row["completion_rate"],
                ((x.completed as f64 / x.enrolled as f64) * 10000.0).round() / 10000.0,
                1e-9
            ),
            "{ctx}"
        );
        if x.scores.is_empty() {
            assert!(row["average_final_score"].is_null(), "{ctx}");
            assert!(row["median_days_to_complete"].is_null(), "{ctx}");
        } else {
            let mean = x.scores.iter().sum::<f64>() / x.scores.len() as f64;
            assert!(close(&row["average_final_score"], mean, 0.006), "{ctx}");
            let mut h = BTreeMap::new();
            for d in &x.days {
                *h.entry(reporting::bucket_of(*d)).or_insert(0u64) += 1;
            }
            let median = reporting::median_of_histogram(&h).unwrap();
            assert!(
                close(&row["median_days_to_complete"], median, 1e-9),
                "{ctx}"
            );
        }
    }
}

/// Rows come ordered by their keys: no value first, then by name (institution, cohort)
/// or value.
#[track_caller]
fn check_order(rows: &[Value], group_by: &[&str]) {
    let sort_key = |r: &Value| -> Vec<(bool, String)> {
        group_by
            .iter()
            .map(|d| {
                let v = &r[*d];
                let label = match *d {
                    "institution" => &r["institution_name"],
                    "cohort" => &r["cohort_name"],
                    _ => v,
                };
                (!v.is_null(), label.as_str().unwrap_or("").to_owned())
            })
            .collect()
    };
    let keys: Vec<_> = rows.iter().map(sort_key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "rows out of order for {group_by:?}");
}

const DIMENSIONS: [&str; 8] = [
    "course",
    "country",
    "profession",
    "institution",
    "cohort",
    "language",
    "mode",
    "month",
];

async fn completions(app: &TestApp, token: &str, query: &str) -> Res {
    app.get(&format!("/api/v1/stats/completions?{query}"), Some(token))
        .await
}

fn rows(res: &Res) -> Vec<Value> {
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["rows"].as_array().unwrap().clone()
}

// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn completion_counts_are_exact_for_every_dimension_and_every_pair() {
    let f = fixture().await;
    let app = &f.app;
    // No grouping: one row for everything.
    let all = completions(app, &f.admin, "").await;
    assert_eq!(all.body["group_by"], json!([]));
    assert_eq!(all.body["suppressed_threshold"], 0);
    check(&rows(&all), &f.expected(&[], |_| true), &[]);

    let mut groupings: Vec<Vec<&str>> = DIMENSIONS.iter().map(|d| vec![*d]).collect();
    for (i, a) in DIMENSIONS.iter().enumerate() {
        for b in &DIMENSIONS[i + 1..] {
            groupings.push(vec![*a, *b]);
        }
    }
    groupings.push(vec!["course", "country", "profession"]);
    for g in &groupings {
        let res = completions(app, &f.admin, &format!("group_by={}", g.join(","))).await;
        assert_eq!(res.body["group_by"], json!(g));
        let r = rows(&res);
        check(&r, &f.expected(g, |_| true), g);
        check_order(&r, g);
    }

    // Spelled out: the German cohort has 7 enrolments, 3 completed (after 5, 5 and 30
    // days), 1 withdrawn, 2 valid certificates (one was revoked).
    let by_country = rows(&completions(app, &f.admin, "group_by=country").await);
    let de = by_country.iter().find(|r| r["country"] == "DE").unwrap();
    assert_eq!(
        (
            &de["enrolled"],
            &de["active"],
            &de["completed"],
            &de["withdrawn"],
            &de["certificates_issued"]
        ),
        (&json!(7), &json!(3), &json!(3), &json!(1), &json!(2))
    );
    assert_eq!(de["median_days_to_complete"], 5.0);
    assert_eq!(de["completion_rate"], 0.4286);
    // Self-study has no institution: its row comes first, with nulls.
    let by_institution = rows(&completions(app, &f.admin, "group_by=institution").await);
    assert!(by_institution[0]["institution"].is_null());
    assert!(by_institution[0]["institution_name"].is_null());
    assert_eq!(by_institution[0]["enrolled"], 9);
    assert_eq!(by_institution[1]["institution_name"], "Akademie B");

    // Filters, alone and together; lists; EL is Greece, codes in any case.
    type Keep = Box<dyn Fn(&Enrolled) -> bool>;
    let cases: Vec<(String, Keep)> = vec![
        (
            "country=fr".into(),
            Box::new(|e: &Enrolled| e.spec.country == "FR"),
        ),
        (
            "profession=judge,lawyer".into(),
            Box::new(|e: &Enrolled| ["judge", "lawyer"].contains(&e.spec.profession)),
        ),
        (
            "mode=self_study&language=en".into(),
            Box::new(|e: &Enrolled| e.spec.place == SELF && e.spec.language == "en"),
        ),
        (
            format!("course={OTHER}"),
            Box::new(|e: &Enrolled| e.spec.course == OTHER),
        ),
        (
            format!("institution={}", f.b.id),
            Box::new(|e: &Enrolled| e.spec.place == B1),
        ),
        (
            format!("cohort={},{}", f.cohorts[0], f.cohorts[1]),
            Box::new(|e: &Enrolled| e.spec.place == A1 || e.spec.place == A2),
        ),
        ("country=EL".into(), Box::new(|_: &Enrolled| false)),
    ];
    for (query, keep) in cases {
        let g = ["country", "profession"];
        let r = rows(
            &completions(
                app,
                &f.admin,
                &format!("group_by=country,profession&{query}"),
            )
            .await,
        );
        check(&r, &f.expected(&g, keep), &g);
    }
    // The date range is on the enrolment day, both ends included.
    let today = Utc::now().date_naive();
    let from = today - Duration::days(10);
    let r = rows(
        &completions(
            app,
            &f.admin,
            &format!("group_by=month,mode&from={from}&to={today}"),
        )
        .await,
    );
    check(
        &r,
        &f.expected(&["month", "mode"], |e| {
            e.enrolled_at.date_naive() >= from && e.enrolled_at.date_naive() <= today
        }),
        &["month", "mode"],
    );
    let r = rows(&completions(app, &f.admin, &format!("to={from}")).await);
    check(
        &r,
        &f.expected(&[], |e| e.enrolled_at.date_naive() <= from),
        &[],
    );
}

#[tokio::test]
async fn unknown_dimensions_and_filter_values_are_422_naming_the_field() {
    let f = fixture_small().await;
    let app = &f.app;
    for (query, field) in [
        ("group_by=planet", "group_by"),
        ("group_by=country,,planet", "group_by"),
        ("country=US", "country"),
        ("profession=astronaut", "profession"),
        ("language=xx", "language"),
        ("mode=online", "mode"),
        ("institution=not-a-uuid", "institution"),
        ("cohort=42", "cohort"),
        ("course=no-such-course", "course"),
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("colour=blue", "colour"),
        (&format!("institution={}", Uuid::now_v7()), "institution"),
        (&format!("cohort={}", Uuid::now_v7()), "cohort"),
    ] {
        let res = completions(app, &f.admin, query).await;
        res.assert_problem(422, "validation_failed");
        assert!(
            res.problem_fields().contains(&field.to_owned()),
            "{query}: {}",
            res.text
        );
    }
    // Every wrong field at once.
    let res = completions(app, &f.admin, "group_by=x&country=US&mode=y").await;
    assert_eq!(res.problem_fields(), ["group_by", "country", "mode"]);
    let res = app
        .get(
            "/api/v1/stats/courses/stats-demo/funnel?language=xx",
            Some(&f.admin),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    app.get(
        "/api/v1/stats/courses/no-such-course/funnel",
        Some(&f.admin),
    )
    .await
    .assert_problem(404, "not_found");
}

/// Just the courses, the institutions and cohorts, and a few enrolments.
async fn fixture_small() -> Fixture {
    fixture_small_with(spawn_app().await).await
}

async fn fixture_small_with(app: TestApp) -> Fixture {
    let admin = app.admin_token().await;
    upload(&app, &admin, DEMO, demo_course()).await;
    let a = institution(&app, &admin, "Institut national A", "FR").await;
    let b = institution(&app, &admin, "Akademie B", "DE").await;
    let cohorts = vec![
        cohort(&app, &a, "fr", "A1", true).await,
        cohort(&app, &a, "en", "A2", false).await,
        cohort(&app, &b, "en", "B1", true).await,
    ];
    let mut csv = String::from("email,given name,family name,profession,country,language\n");
    for i in 0..6 {
        csv.push_str(&format!("small{i}@stats.example,S,{i},judge,FR,fr\n"));
    }
    let res = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cohorts/{}/enrolments", cohorts[0]),
                Some(&a.manager),
            )
            .header("content-type", "text/csv")
            .body(csv),
        )
        .await;
    assert_eq!(res.body["summary"]["created"], 6, "{}", res.text);
    let (_, learner) = app
        .user_with_token("a-learner@stats.example", Role::Learner, None)
        .await;
    Fixture {
        app,
        admin,
        a,
        b,
        cohorts,
        enrolments: Vec::new(),
        learner,
    }
}

#[tokio::test]
async fn an_nti_manager_sees_only_their_institution_whatever_the_filters() {
    let f = fixture().await;
    let app = &f.app;
    let mine = |e: &Enrolled| e.spec.place == A1 || e.spec.place == A2;
    let created = app
        .post(
            &format!("/api/v1/institutions/{}/clients", f.a.id),
            &json!({"name": "Statistics sync"}),
            Some(&f.a.manager),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        created.body["id"].as_str().unwrap(),
        created.body["client_secret"].as_str().unwrap()
    );
    let client = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await;
    let client = client.body["access_token"].as_str().unwrap().to_owned();

    for token in [&f.a.manager, &client] {
        // Grouped by institution: theirs only, even without a filter.
        let res = completions(app, token, "group_by=institution").await;
        assert_eq!(res.body["suppressed_threshold"], 5);
        let r = rows(&res);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0]["institution"], f.a.id.to_string());
        assert_eq!(r[0]["enrolled"], 9);
        // Filters narrow inside the scope and never widen it.
        let r = rows(
            &completions(
                app,
                token,
                &format!("group_by=institution&institution={}", f.a.id),
            )
            .await,
        );
        assert_eq!(r.len(), 1);
        assert!(rows(&completions(app, token, "country=DE").await).is_empty());
        assert!(rows(&completions(app, token, "mode=self_study").await).is_empty());
        let r = rows(&completions(app, token, "group_by=country").await);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0]["country"], "FR");
        // Another institution, or its cohort, named explicitly: 404 as everywhere.
        for q in [
            format!("institution={}", f.b.id),
            format!("institution={},{}", f.a.id, f.b.id),
            format!("cohort={}", f.cohorts[2]),
            format!("institution={}", Uuid::now_v7()),
        ] {
            completions(app, token, &q)
                .await
                .assert_problem(404, "not_found");
            app.get(
                &format!("/api/v1/stats/courses/{DEMO}/funnel?{q}"),
                Some(token),
            )
            .await
            .assert_problem(404, "not_found");
        }
        // Their funnel counts their enrolments only.
        let funnel = app
            .get(&format!("/api/v1/stats/courses/{DEMO}/funnel"), Some(token))
            .await;
        assert_eq!(funnel.status, 200, "{}", funnel.text);
        assert_eq!(
            funnel.body["enrolled"],
            f.enrolments.iter().filter(|e| mine(e)).count()
        );
    }

    // A tutor sees the cohorts they tutor.
    let r = rows(&completions(app, &f.a.tutor, "group_by=cohort").await);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["cohort"], f.cohorts[0].to_string());
    assert_eq!(r[0]["cohort_name"], "A1");
    assert_eq!(r[0]["enrolled"], 6);
    for q in [
        format!("cohort={}", f.cohorts[1]),
        format!("cohort={}", f.cohorts[2]),
        format!("institution={}", f.b.id),
    ] {
        completions(app, &f.a.tutor, &q)
            .await
            .assert_problem(404, "not_found");
    }
    let r = rows(&completions(app, &f.b.tutor, "").await);
    assert_eq!(r[0]["enrolled"], 7);
    let (_, idle) = app
        .user_with_token("idle-tutor@stats.example", Role::Tutor, Some(f.a.id))
        .await;
    assert!(rows(&completions(app, &idle, "group_by=country").await).is_empty());

    // Learners have no statistics at all.
    for path in [
        "/api/v1/stats/completions".to_owned(),
        format!("/api/v1/stats/courses/{DEMO}/funnel"),
    ] {
        app.get(&path, Some(&f.learner))
            .await
            .assert_problem(403, "staff_only");
    }
    app.get("/api/v1/stats/targets", Some(&f.learner))
        .await
        .assert_problem(403, "admin_only");
    app.get("/api/v1/stats/completions", None)
        .await
        .assert_problem(401, "missing_token");
}

#[tokio::test]
async fn small_groups_are_suppressed_for_managers_and_tutors_but_not_admins() {
    let f = fixture().await;
    let app = &f.app;
    // A1 has 6 enrolments, A2 has 3: A2 is withheld from the manager.
    let r = rows(&completions(app, &f.a.manager, "group_by=cohort").await);
    assert_eq!(r.len(), 2);
    let a1 = r.iter().find(|x| x["cohort_name"] == "A1").unwrap();
    let a2 = r.iter().find(|x| x["cohort_name"] == "A2").unwrap();
    assert_eq!(a1["suppressed"], false);
    assert_eq!(a1["enrolled"], 6);
    assert_eq!(a2["suppressed"], true);
    assert_eq!(a2["cohort"], f.cohorts[1].to_string());
    for k in [
        "enrolled",
        "active",
        "completed",
        "completion_rate",
        "withdrawn",
        "average_final_score",
        "median_days_to_complete",
        "certificates_issued",
    ] {
        assert!(a2[k].is_null(), "{k} leaked: {a2}");
    }
    // A handful of prosecutors in one country cannot be singled out.
    let r = rows(&completions(app, &f.a.manager, "group_by=country,profession").await);
    for row in &r {
        let n = f
            .enrolments
            .iter()
            .filter(|e| {
                (e.spec.place == A1 || e.spec.place == A2) && row["profession"] == e.spec.profession
            })
            .count();
        assert_eq!(row["suppressed"], n < 5, "{row}");
    }
    // The tutor of A1 too: grouped by profession, 4 judges and 2 prosecutors.
    let r = rows(&completions(app, &f.a.tutor, "group_by=profession").await);
    assert!(r.iter().all(|x| x["suppressed"] == true), "{r:?}");
    // Admins see every cell.
    let r = rows(&completions(app, &f.admin, "group_by=cohort,profession").await);
    assert!(r.iter().all(|x| x["suppressed"] == false));
    check(
        &r,
        &f.expected(&["cohort", "profession"], |_| true),
        &["cohort", "profession"],
    );

    // The funnel likewise: the manager's 9 enrolments show, the module only 4 finished
    // does not, nor the quiz 4 of them took.
    let funnel = app
        .get(
            &format!("/api/v1/stats/courses/{DEMO}/funnel"),
            Some(&f.a.manager),
        )
        .await;
    assert_eq!(funnel.body["enrolled"], 9, "{}", funnel.text);
    let m1 = &funnel.body["modules"][0];
    let m2 = &funnel.body["modules"][1];
    assert_eq!(m1["suppressed"], false);
    assert_eq!(m1["started"], 7);
    assert_eq!(m1["quiz"]["suppressed"], true);
    assert!(m1["quiz"]["passed"].is_null() && m1["quiz"]["average_score"].is_null());
    assert!(m1["quiz"]["questions"][0]["share_correct"].is_null());
    assert_eq!(m2["suppressed"], true);
    assert!(m2["started"].is_null());
}

#[tokio::test]
async fn the_threshold_is_configurable() {
    let app = spawn_with(Options {
        extra: vec!["--stats-min-cell".into(), "10".into()],
        ..Default::default()
    })
    .await;
    let f = fixture_small_with(app).await;
    let res = completions(&f.app, &f.a.manager, "").await;
    assert_eq!(res.body["suppressed_threshold"], 10);
    assert_eq!(rows(&res)[0]["suppressed"], true);
    let res = completions(&f.app, &f.admin, "").await;
    assert_eq!(rows(&res)[0]["enrolled"], 6);
}

#[tokio::test]
async fn csv_gives_the_same_rows_as_json() {
    let f = fixture().await;
    let app = &f.app;
    for (token, query) in [
        (&f.admin, "group_by=institution,cohort,mode"),
        (&f.admin, "group_by=course,month&country=DE,FR"),
        (&f.a.manager, "group_by=cohort,language"),
        (&f.admin, ""),
    ] {
        let json_rows = rows(&completions(app, token, query).await);
        let res = app
            .send(
                app.request(
                    Method::GET,
                    &format!("/api/v1/stats/completions?{query}"),
                    Some(token),
                )
                .header("accept", "text/csv"),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert!(res.header("content-type").unwrap().starts_with("text/csv"));
        assert!(
            res.header("content-disposition")
                .unwrap()
                .starts_with("attachment; filename=\"completions-")
        );
        let mut reader = csv::Reader::from_reader(res.text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), json_rows.len(), "{query}");
        for (rec, row) in records.iter().zip(&json_rows) {
            let obj = row.as_object().unwrap();
            // Every JSON field is a column, and every column a JSON field.
            assert_eq!(header.len(), obj.len(), "{header:?} vs {row}");
            for (name, cell) in header.iter().zip(rec.iter()) {
                let v = &obj[name];
                match v {
                    Value::Null => assert_eq!(cell, "", "{name}"),
                    Value::String(s) => assert_eq!(cell, s, "{name}"),
                    Value::Bool(b) => assert_eq!(cell, b.to_string(), "{name}"),
                    Value::Number(n) => {
                        assert_eq!(cell.parse::<f64>().unwrap(), n.as_f64().unwrap(), "{name}")
                    }
                    other => panic!("{other}"),
                }
            }
        }
    }
}

async fn post_target(app: &TestApp, token: &str, body: Value) -> Res {
    app.post("/api/v1/stats/targets", &body, Some(token)).await
}

#[tokio::test]
async fn targets_track_the_programme_and_only_admins_see_them() {
    let f = fixture().await;
    let app = &f.app;
    let today = Utc::now().date_naive();
    let year_ago = today - Duration::days(365);
    let judges_done = f
        .enrolments
        .iter()
        .filter(|e| e.spec.profession == "judge" && e.spec.completed())
        .count();
    assert_eq!(judges_done, 6);
    let cases = [
        (
            json!({"name": "Judges completing any course this year", "metric": "completed", "target": 10, "from": year_ago.to_string(), "to": today.to_string(), "profession": "judge"}),
            6,
            60.0,
        ),
        (
            json!({"name": "French practitioners enrolled", "metric": "enrolled", "target": 4, "country": "FR"}),
            9,
            225.0,
        ),
        (
            json!({"name": "Certificates in the other course", "metric": "certificates", "target": 2, "course": OTHER}),
            2,
            100.0,
        ),
        (
            // 12 completions, one certificate revoked.
            json!({"name": "Certificates", "metric": "certificates", "target": 300}),
            11,
            3.67,
        ),
        (
            json!({"name": "300 practitioners completing any course in 2020-2021", "metric": "completed", "target": 300, "from": "2020-01-01", "to": "2021-12-31"}),
            0,
            0.0,
        ),
    ];
    let mut ids = Vec::new();
    for (body, current, percent) in &cases {
        let res = post_target(app, &f.admin, body.clone()).await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["current"], *current, "{body}: {}", res.text);
        assert!(
            close(&res.body["percent_achieved"], *percent, 1e-9),
            "{}",
            res.text
        );
        ids.push(res.body["id"].as_str().unwrap().to_owned());
    }
    let list = app.get("/api/v1/stats/targets", Some(&f.admin)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total"], cases.len());
    // A misspelt parameter is named, not ignored.
    let misspelt = app
        .get("/api/v1/stats/targets?limt=5", Some(&f.admin))
        .await;
    misspelt.assert_problem(422, "validation_failed");
    assert_eq!(misspelt.problem_fields(), ["limt"]);
    let items = list.body["items"].as_array().unwrap();
    for (item, (body, current, _)) in items.iter().zip(&cases) {
        assert_eq!(item["name"], body["name"]);
        assert_eq!(item["current"], *current);
    }
    assert_eq!(items[0]["profession"], "judge");
    assert_eq!(items[0]["from"], year_ago.to_string());
    assert_eq!(items[1]["country"], "FR");
    assert_eq!(items[2]["course"], OTHER);
    assert!(items[3]["course"].is_null());

    // The current value follows the platform.
    let one = app
        .get(&format!("/api/v1/stats/targets/{}", ids[0]), Some(&f.admin))
        .await;
    assert_eq!(one.body["current"], 6);

    // Bad targets are refused field by field.
    for (body, field) in [
        (
            json!({"name": "", "metric": "completed", "target": 1}),
            "name",
        ),
        (
            json!({"name": "x", "metric": "views", "target": 1}),
            "metric",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 0}),
            "target",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 1, "course": "nope"}),
            "course",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 1, "country": "US"}),
            "country",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 1, "profession": "pilot"}),
            "profession",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 1, "from": "2021-01-01", "to": "2020-01-01"}),
            "to",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 1, "from": "01/01/2020"}),
            "from",
        ),
        (
            json!({"name": "x", "metric": "enrolled", "target": 1, "colour": "red"}),
            "colour",
        ),
    ] {
        let res = post_target(app, &f.admin, body.clone()).await;
        res.assert_problem(422, "validation_failed");
        assert!(
            res.problem_fields().contains(&field.to_owned()),
            "{body}: {}",
            res.text
        );
    }

    // Only admins record or read targets.
    for token in [&f.a.manager, &f.a.tutor] {
        post_target(app, token, cases[0].0.clone())
            .await
            .assert_problem(403, "admin_only");
        app.get("/api/v1/stats/targets", Some(token))
            .await
            .assert_problem(403, "admin_only");
        app.get(&format!("/api/v1/stats/targets/{}", ids[0]), Some(token))
            .await
            .assert_problem(403, "admin_only");
    }
    post_target(app, &f.learner, cases[0].0.clone())
        .await
        .assert_problem(403, "admin_only");

    // Deleting one.
    let del = app
        .delete(&format!("/api/v1/stats/targets/{}", ids[4]), Some(&f.admin))
        .await;
    assert_eq!(del.status, 204);
    app.get(&format!("/api/v1/stats/targets/{}", ids[4]), Some(&f.admin))
        .await
        .assert_problem(404, "not_found");
    app.delete(&format!("/api/v1/stats/targets/{}", ids[4]), Some(&f.admin))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_funnel_follows_each_module_quiz_and_question_by_language() {
    let f = fixture().await;
    let app = &f.app;
    let res = app
        .get(
            &format!("/api/v1/stats/courses/{DEMO}/funnel"),
            Some(&f.admin),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let body = &res.body;
    let demo: Vec<&Enrolled> = f
        .enrolments
        .iter()
        .filter(|e| e.spec.course == DEMO)
        .collect();
    assert_eq!(body["course"], DEMO);
    assert_eq!(body["suppressed"], false);
    assert_eq!(body["enrolled"], demo.len());
    assert_eq!(
        body["completed"],
        demo.iter().filter(|e| e.spec.completed()).count()
    );
    let modules = body["modules"].as_array().unwrap();
    assert_eq!(modules.len(), 2);
    assert_eq!(
        (
            &modules[0]["position"],
            &modules[0]["key"],
            &modules[0]["title"]
        ),
        (&json!(1), &json!("m1"), &json!("One"))
    );

    // Module 1: started with any lesson; completed with both lessons and the quiz passed.
    let count = |p: &dyn Fn(&Spec) -> bool| demo.iter().filter(|e| p(&e.spec)).count();
    let m1 = &modules[0];
    assert_eq!(m1["started"], count(&|s| s.lessons >= 1));
    assert_eq!(m1["completed"], count(&|s| s.lessons >= 2 && s.passed()));
    let m2 = &modules[1];
    assert_eq!(m2["started"], count(&|s| s.lessons >= 3));
    assert_eq!(m2["completed"], count(&|s| s.lessons >= 3));
    assert!(m2["quiz"].is_null());

    // The quiz: passes by its grading method (the last attempt), attempts, scores.
    let q = &m1["quiz"];
    let attempts: Vec<u32> = demo
        .iter()
        .flat_map(|e| e.spec.attempts.iter().copied())
        .collect();
    let learners = count(&|s| !s.attempts.is_empty());
    assert_eq!(q["pass_mark"], 60);
    assert_eq!(
        q["passed"],
        count(&|s| s.attempts.last().is_some_and(|p| *p >= 60))
    );
    assert_eq!(q["learners"], learners);
    assert_eq!(q["attempts"], attempts.len());
    let mean = attempts.iter().map(|p| stored_percent(*p)).sum::<f64>() / attempts.len() as f64;
    assert!(
        close(&q["average_score"], (mean * 100.0).round() / 100.0, 1e-9),
        "{q}"
    );
    assert!(close(
        &q["average_attempts"],
        ((attempts.len() as f64 / learners as f64) * 100.0).round() / 100.0,
        1e-9
    ));

    // Questions: right when the attempt's percent says so; and per attempt language.
    let right = |key: &str, p: u32| match key {
        "tf" => p >= 33,
        "num" => p >= 67,
        _ => p == 100,
    };
    let questions = q["questions"].as_array().unwrap();
    assert_eq!(
        questions
            .iter()
            .map(|x| x["key"].clone())
            .collect::<Vec<_>>(),
        [json!("tf"), json!("num"), json!("tf2")]
    );
    for question in questions {
        let key = question["key"].as_str().unwrap();
        let correct = attempts.iter().filter(|p| right(key, **p)).count();
        assert_eq!(question["attempts"], attempts.len());
        assert_eq!(question["correct"], correct, "{key}");
        assert!(close(
            &question["share_correct"],
            ((correct as f64 / attempts.len() as f64) * 10000.0).round() / 10000.0,
            1e-9
        ));
        let langs = question["by_language"].as_array().unwrap();
        assert_eq!(
            langs
                .iter()
                .map(|l| l["language"].clone())
                .collect::<Vec<_>>(),
            [json!("en"), json!("fr")]
        );
        for l in langs {
            let lang = l["language"].as_str().unwrap();
            let in_lang: Vec<u32> = demo
                .iter()
                .filter(|e| e.spec.language == lang)
                .flat_map(|e| e.spec.attempts.iter().copied())
                .collect();
            assert_eq!(l["attempts"], in_lang.len(), "{key} {lang}");
            assert_eq!(
                l["correct"],
                in_lang.iter().filter(|p| right(key, **p)).count(),
                "{key} {lang}"
            );
            assert_eq!(
                l["learners"],
                demo.iter()
                    .filter(|e| e.spec.language == lang && !e.spec.attempts.is_empty())
                    .count()
            );
        }
    }

    // Filters narrow the funnel: the French cohort alone.
    let res = app
        .get(
            &format!(
                "/api/v1/stats/courses/{DEMO}/funnel?cohort={}",
                f.cohorts[0]
            ),
            Some(&f.admin),
        )
        .await;
    assert_eq!(res.body["enrolled"], 6);
    assert_eq!(res.body["completed"], 3);
    assert_eq!(res.body["modules"][0]["started"], 5);
    assert_eq!(res.body["modules"][0]["quiz"]["attempts"], 4);
    let tf2_fr = &res.body["modules"][0]["quiz"]["questions"][2]["by_language"];
    assert_eq!(tf2_fr.as_array().unwrap().len(), 1);
    assert_eq!(tf2_fr[0]["correct"], 2);
    // The other course has no quiz.
    let res = app
        .get(
            &format!("/api/v1/stats/courses/{OTHER}/funnel"),
            Some(&f.admin),
        )
        .await;
    assert_eq!(res.body["enrolled"], 3);
    assert_eq!(res.body["modules"][0]["started"], 2);
    assert_eq!(res.body["modules"][0]["completed"], 2);
}

#[tokio::test]
async fn enrolments_carry_the_learner_and_cohort_they_were_made_with() {
    let f = fixture_small().await;
    let app = &f.app;
    // A self-study learner (a French judge, by their account) …
    let (_, learner) = app
        .user_with_token("self@stats.example", Role::Learner, None)
        .await;
    let e = app
        .post(
            "/api/v1/enrolments",
            &json!({"course": DEMO}),
            Some(&learner),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let r = rows(&completions(app, &f.admin, "group_by=mode,country,profession").await);
    let own = r.iter().find(|x| x["mode"] == "self_study").unwrap();
    assert_eq!(
        (&own["country"], &own["profession"], &own["enrolled"]),
        (&json!("FR"), &json!("judge"), &json!(1))
    );
    // … joins cohort A1 through a spreadsheet that describes them differently: the
    // enrolment becomes tutored in institution A, and keeps what their account says.
    let res = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cohorts/{}/enrolments", f.cohorts[0]),
                Some(&f.a.manager),
            )
            .header("content-type", "text/csv")
            .body("email,given name,family name,profession,country,language\nself@stats.example,S,L,lawyer,DE,fr\n"),
        )
        .await;
    // Not an account the institution manages: they are asked, and join when they accept.
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
    let waiting = app.get("/api/v1/me/invitations", Some(&learner)).await;
    let accepted = app
        .post(
            &format!(
                "/api/v1/me/invitations/{}/accept",
                waiting.body[0]["id"].as_str().unwrap()
            ),
            &json!({}),
            Some(&learner),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(
        accepted.body["id"], e.body["id"],
        "the self-study enrolment joins"
    );
    let r = rows(&completions(app, &f.admin, "group_by=mode,institution").await);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["mode"], "tutored");
    assert_eq!(r[0]["institution"], f.a.id.to_string());
    assert_eq!(r[0]["enrolled"], 7);
    let r = rows(&completions(app, &f.a.manager, "group_by=cohort,profession").await);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["profession"], "judge");
    assert_eq!(r[0]["enrolled"], 7);
    assert!(rows(&completions(app, &f.admin, "country=DE").await).is_empty());
    // Months are YYYY-MM of the enrolment.
    let r = rows(&completions(app, &f.admin, "group_by=month").await);
    assert_eq!(r[0]["month"], Utc::now().format("%Y-%m").to_string());
}
