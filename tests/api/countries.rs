//! Black-box tests of the Council of Europe's member states and their languages: learners
//! from beyond the EU register, are invited and enrolled in bulk, and are counted under
//! their country; the codes the spec lists are exactly those the server takes.

use help_lms_domain::values::{Country, Language};
use help_lms_tests::{TestApp, institution, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

const COURSE: &str = "coe-demo";

/// A published course in English and French.
async fn course(app: &TestApp, admin: &str) {
    let files = json!({"files": {
        "course.toml": format!(r#"
slug = "{COURSE}"
languages = ["en", "fr"]
topics = ["demo"]
estimated_hours = 1
status = "published"
title = {{ en = "Member states", fr = "États membres" }}
summary = {{ en = "A demo.", fr = "Une démo." }}

[[modules]]
key = "m1"
title = {{ en = "One", fr = "Un" }}
summary = {{ en = "First.", fr = "Premier." }}

  [[modules.lessons]]
  key = "l1"
  title = {{ en = "Lesson", fr = "Leçon" }}
  minutes = 5
"#),
        "lessons/l1.en.md": "## One\n\nText.",
        "lessons/l1.fr.md": "## Un\n\nTexte.",
    }});
    let up = app
        .put(
            &format!("/api/v1/courses/{COURSE}/content"),
            &files,
            Some(admin),
        )
        .await;
    assert!(up.status.is_success(), "{}", up.text);
}

async fn by_country(app: &TestApp, token: &str, query: &str) -> Vec<(String, u64)> {
    let res = app
        .get(
            &format!("/api/v1/stats/completions?group_by=country{query}"),
            Some(token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut rows: Vec<(String, u64)> = res.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["country"].as_str().unwrap().to_owned(),
                r["enrolled"].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = pairs.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect();
    v.sort();
    v
}

#[tokio::test]
async fn learners_from_ukraine_turkiye_and_georgia_register_and_are_counted_under_their_country() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    course(&app, &admin).await;
    for (country, language, email) in [
        ("UA", "uk", "olena.kovalenko@sud.example"),
        ("TR", "tr", "ayse.yilmaz@adalet.example"),
        ("GE", "ka", "nino.beridze@court.example"),
    ] {
        let res = app
            .register_and_confirm(&json!({"email": email, "password": "a long enough passphrase", "name": "Member State Learner",
                    "profession": "judge", "country": country, "language": language}))
            .await;
        assert_eq!(res.body["user"]["country"], country);
        assert_eq!(res.body["user"]["language"], language);
        let token = res.body["access_token"].as_str().unwrap().to_owned();
        // The course has neither Ukrainian, Turkish nor Georgian: it is taken in English.
        let e = app
            .post(
                "/api/v1/enrolments",
                &json!({"course": COURSE}),
                Some(&token),
            )
            .await;
        assert_eq!(e.status, 201, "{}", e.text);
        assert_eq!(e.body["language"], "en", "{}", e.text);
    }
    let card = app
        .send(
            app.request(
                reqwest::Method::GET,
                &format!("/api/v1/courses/{COURSE}"),
                None,
            )
            .header("accept-language", "uk, tr;q=0.9"),
        )
        .await;
    assert_eq!(card.status, 200, "{}", card.text);
    assert_eq!(card.header("content-language"), Some("en"));
    assert_eq!(card.body["title"], "Member states");

    assert_eq!(
        by_country(&app, &admin, "").await,
        counts(&[("UA", 1), ("TR", 1), ("GE", 1)])
    );
    // Query strings take the codes in any case.
    assert_eq!(
        by_country(&app, &admin, "&country=UA&country=tr").await,
        counts(&[("UA", 1), ("TR", 1)])
    );
    // A target for one of them counts it.
    let target = app
        .post(
            "/api/v1/stats/targets",
            &json!({"name": "Ukrainian practitioners enrolled", "metric": "enrolled", "target": 2, "country": "UA"}),
            Some(&admin),
        )
        .await;
    assert_eq!(target.status, 201, "{}", target.text);
    assert_eq!(target.body["country"], "UA");
    assert_eq!(target.body["current"], 1);
    assert_eq!(target.body["percent_achieved"], 50.0);
}

/// The values of a component schema's enum in the served spec.
fn spec_enum(spec: &Value, name: &str) -> Vec<String> {
    spec["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_country_and_language_the_spec_lists_is_taken_in_json_and_nothing_else() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json", None).await.body;
    let countries = spec_enum(&spec, "Country");
    let languages = spec_enum(&spec, "Language");
    let mut expected: Vec<String> = Country::ALL.iter().map(|c| c.to_string()).collect();
    expected.insert(
        expected.iter().position(|c| c == "GR").unwrap() + 1,
        "EL".into(),
    );
    assert_eq!(countries, expected);
    assert_eq!(countries.len(), 46 + 2);
    let all_languages: Vec<String> = Language::ALL.iter().map(|l| l.to_string()).collect();
    assert_eq!(languages, all_languages);

    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "National School of Judges of Ukraine", "UA").await;
    let invite = |country: Option<&str>, language: &str| {
        let mut body = json!({
            "email": format!("p-{}@x.example", Uuid::new_v4().simple()),
            "name": "Invited Learner",
            "role": "learner",
            "language": language,
        });
        if let Some(c) = country {
            body["country"] = json!(c);
        }
        let path = format!("/api/v1/institutions/{}/users", nti.id);
        let app = &app;
        let manager = nti.manager.clone();
        async move { app.post(&path, &body, Some(&manager)).await }
    };
    // Every listed value is taken (each language with some country), answered canonically.
    for (i, code) in countries.iter().enumerate() {
        let language = &languages[i % languages.len()];
        let res = invite(Some(code), language).await;
        assert_eq!(res.status, 201, "{code}: {}", res.text);
        let canonical = if code == "EL" { "GR" } else { code.as_str() };
        assert_eq!(res.body["user"]["country"], canonical);
        assert_eq!(res.body["user"]["language"], *language);
    }
    // Without a country the invited person gets the institution's.
    let res = invite(None, "uk").await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["user"]["country"], "UA");
    // Anything else is refused: other case, non-members, unknown languages.
    let refused_countries = countries
        .iter()
        .map(|c| {
            if c == "other" {
                "OTHER".to_owned()
            } else {
                c.to_lowercase()
            }
        })
        .chain(["RU", "BY", "XK", "EU", ""].map(String::from));
    for code in refused_countries {
        let res = invite(Some(&code), "en").await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.problem_fields(), ["country"], "{code}");
    }
    for code in ["UK", "nb", "nn", "ru", "cnr", "me", "ua"] {
        let res = invite(Some("UA"), code).await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.problem_fields(), ["language"], "{code}");
    }
    // Registration and institutions follow the same list.
    let lower = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "l@x.example", "password": "a long enough passphrase", "name": "L",
                "profession": "judge", "country": "ua", "language": "uk"}),
            None,
        )
        .await;
    lower.assert_problem(422, "validation_failed");
    assert_eq!(lower.problem_fields(), ["country"]);
    let inst = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "Justice Academy of Türkiye", "country": "tr", "kind": "judicial_training"}),
            Some(&admin),
        )
        .await;
    inst.assert_problem(422, "validation_failed");
    let target = app
        .post(
            "/api/v1/stats/targets",
            &json!({"name": "x", "metric": "enrolled", "target": 1, "country": "ge"}),
            Some(&admin),
        )
        .await;
    target.assert_problem(422, "validation_failed");
    assert_eq!(target.problem_fields(), ["country"]);
}

#[tokio::test]
async fn bulk_enrolment_takes_el_for_greece_in_json_and_any_case_in_csv() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    course(&app, &admin).await;
    let nti = institution(&app, &admin, "National School of Judges", "EL").await;
    let cohort = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": COURSE, "language": "en", "name": "Member states 2027", "starts_on": "2027-01-04",
                "ends_on": "2027-03-26", "capacity": 20, "tutor_ids": []}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(cohort.status, 201, "{}", cohort.text);
    let path = format!(
        "/api/v1/cohorts/{}/enrolments",
        cohort.body["id"].as_str().unwrap()
    );

    let json_rows = json!([
        {"email": "eleni@dikastirio.example", "given_name": "Eleni", "family_name": "Papadopoulou",
            "profession": "judge", "country": "EL", "language": "en"},
        {"email": "taras@sud.example", "given_name": "Taras", "family_name": "Shevchuk",
            "profession": "prosecutor", "country": "UA", "language": "fr"},
    ]);
    let res = app.post(&path, &json_rows, Some(&nti.manager)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["summary"]["created"], 2, "{}", res.text);

    // In JSON the codes are the schema's: lower case is a malformed list.
    let lower = json!([{"email": "x@sud.example", "given_name": "X", "family_name": "Y",
        "profession": "judge", "country": "ua"}]);
    let res = app.post(&path, &lower, Some(&nti.manager)).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.problem_fields(), ["rows[0].country"]);

    // A spreadsheet may have them in any case.
    let csv = "email;given name;family name;profession;country;language\n\
        nino@court.example;Nino;Beridze;Judge;ge;EN\n\
        nikos@dikastirio.example;Nikos;Georgiou;lawyer;el;\n";
    let res = app
        .send(
            app.request(reqwest::Method::POST, &path, Some(&nti.manager))
                .header("content-type", "text/csv")
                .body(csv),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["summary"]["created"], 2, "{}", res.text);

    let roster = app.get(&path, Some(&nti.manager)).await;
    assert_eq!(roster.status, 200, "{}", roster.text);
    let mut seen: Vec<(String, String)> = roster.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["email"].as_str().unwrap().to_owned(),
                r["country"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("eleni@dikastirio.example", "GR"),
            ("nikos@dikastirio.example", "GR"),
            ("nino@court.example", "GE"),
            ("taras@sud.example", "UA"),
        ]
        .map(|(e, c)| (e.to_owned(), c.to_owned()))
    );
    assert_eq!(
        by_country(&app, &admin, "").await,
        counts(&[("GR", 2), ("GE", 1), ("UA", 1)])
    );
    // EL filters Greece, in any case.
    assert_eq!(
        by_country(&app, &admin, "&country=el").await,
        counts(&[("GR", 2)])
    );
}
