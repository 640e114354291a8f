//! The one CSV writer for every CSV the API answers, made for spreadsheets: UTF-8 with a BOM
//! (so Excel reads Bulgarian and Romanian names right), comma or semicolon as `?delimiter=`
//! says, CRLF line ends, timestamps in UTC to the second, text cells guarded against formula
//! injection, sent as an attachment with a meaningful file name.
//!
//! The injection rule, after OWASP's "CSV Injection": a text cell (anything that is a string
//! in the data: names, emails, free text, and the codes stored beside them) that begins with
//! `=`, `+`, `-`, `@`, Tab or CR is written with `'` before it, in double quotes, so that no
//! spreadsheet takes it for a formula. Cells the server formats itself (ids, counts, figures,
//! booleans, timestamps) are written as they are: a negative figure is a number, not text,
//! and stays one.
//!
//! ```ignore
//! let mut sheet = Sheet::new(q.delimiter, &["email", "name", "grade", "submitted_at"]);
//! sheet.row([Cell::text(&email), Cell::text(&name), Cell::number(grade), Cell::time(at)]);
//! Ok(sheet.into_response(&file_name(&["gradebook", &cohort.name], today())))
//! ```

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use unicode_normalization::UnicodeNormalization;
use utoipa::{IntoParams, ToSchema};

use crate::app::query_problem;
use crate::error::ApiError;

/// The media type of every CSV answer.
pub const CONTENT_TYPE_CSV: &str = "text/csv; charset=utf-8";

const BOM: &str = "\u{feff}";

/// The cell separator. Semicolon is the list separator of most European Excel locales:
/// there, a comma-separated file opens all in one column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    #[default]
    Comma,
    Semicolon,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }

    fn parse(text: &str) -> Option<Delimiter> {
        match text.trim().to_ascii_lowercase().as_str() {
            "comma" => Some(Delimiter::Comma),
            "semicolon" => Some(Delimiter::Semicolon),
            _ => None,
        }
    }
}

/// The query parameter of every CSV answer, for the OpenAPI document (`params(.., CsvParams)`);
/// [`CsvQuery`] reads it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvParams {
    /// With `Accept: text/csv`: the cell separator, `comma` (the default) or `semicolon` (for
    /// Excel in most European locales). Ignored for JSON.
    #[param(inline)]
    pub delimiter: Option<Delimiter>,
}

/// An operation's query parameters `T` plus `delimiter`: `delimiter` is taken out, the rest
/// is read as `T` (repeated keys joined by commas, as [`crate::lists::ListQuery`] does) with the
/// same problems as any query. A wrong delimiter answers 422 naming `delimiter`.
#[derive(Debug)]
pub struct CsvQuery<T> {
    pub params: T,
    pub delimiter: Delimiter,
}

impl<T> std::ops::Deref for CsvQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.params
    }
}

fn read_query<T: DeserializeOwned>(query: &str) -> Result<CsvQuery<T>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|e| query_problem(e.to_string()))?;
    let (ours, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == "delimiter");
    let mut delimiter = None;
    for (_, v) in &ours {
        let d = Delimiter::parse(v).ok_or_else(|| {
            ApiError::field(
                "delimiter",
                "invalid_query",
                format!("delimiter is `comma` or `semicolon`, not `{v}`"),
            )
        })?;
        if delimiter.is_some_and(|seen| seen != d) {
            return Err(ApiError::field(
                "delimiter",
                "invalid_query",
                "give one delimiter",
            ));
        }
        delimiter = Some(d);
    }
    let rest = serde_urlencoded::to_string(&rest).map_err(|e| query_problem(e.to_string()))?;
    Ok(CsvQuery {
        params: crate::lists::read(&rest)?,
        delimiter: delimiter.unwrap_or_default(),
    })
}

impl<T: DeserializeOwned> FromRequest for CsvQuery<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(read_query(req.query_string()).map_err(Into::into))
    }
}

/// One cell: text from the data (guarded), or a value the server formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A string from the data; guarded against formula injection when written.
    Text(String),
    /// Written as it is: only for what the server formats itself.
    Value(String),
}

impl Cell {
    pub fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
    /// Text, or an empty cell.
    pub fn opt_text(s: Option<&str>) -> Cell {
        Cell::Text(s.unwrap_or_default().to_owned())
    }
    pub fn number(n: impl std::fmt::Display) -> Cell {
        Cell::Value(n.to_string())
    }
    /// A number, or an empty cell.
    pub fn opt_number<N: std::fmt::Display>(n: Option<N>) -> Cell {
        Cell::Value(n.map(|n| n.to_string()).unwrap_or_default())
    }
    pub fn id(id: uuid::Uuid) -> Cell {
        Cell::Value(id.to_string())
    }
    pub fn flag(b: bool) -> Cell {
        Cell::Value(b.to_string())
    }
    /// UTC to the second: `2026-12-01T17:05:09Z`.
    pub fn time(t: DateTime<Utc>) -> Cell {
        Cell::Value(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
    /// A timestamp, or an empty cell.
    pub fn opt_time(t: Option<DateTime<Utc>>) -> Cell {
        t.map(Cell::time).unwrap_or(Cell::Value(String::new()))
    }
    pub fn date(d: NaiveDate) -> Cell {
        Cell::Value(d.format("%Y-%m-%d").to_string())
    }
}

/// Whether a spreadsheet could take this text for a formula.
fn is_formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A CSV document being written: the BOM and the header first, then [`Sheet::row`] per
/// record, then [`Sheet::finish`] or [`Sheet::into_response`].
#[derive(Debug)]
pub struct Sheet {
    delimiter: u8,
    out: String,
}

impl Sheet {
    /// A sheet with its header row (column names are the server's, written as they are).
    pub fn new<S: AsRef<str>>(delimiter: Delimiter, header: &[S]) -> Sheet {
        let mut sheet = Sheet {
            delimiter: delimiter.byte(),
            out: String::from(BOM),
        };
        sheet.row(header.iter().map(|h| Cell::Value(h.as_ref().to_owned())));
        sheet
    }

    /// Appends one record.
    pub fn row(&mut self, cells: impl IntoIterator<Item = Cell>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(char::from(self.delimiter));
            }
            match cell {
                Cell::Text(s) if is_formula_like(&s) => self.quoted(&format!("'{s}")),
                Cell::Text(s) | Cell::Value(s) => {
                    if s.bytes()
                        .any(|b| matches!(b, b'"' | b'\r' | b'\n') || b == self.delimiter)
                    {
                        self.quoted(&s);
                    } else {
                        self.out.push_str(&s);
                    }
                }
            }
        }
        self.out.push_str("\r\n");
    }

    fn quoted(&mut self, s: &str) {
        self.out.push('"');
        self.out.push_str(&s.replace('"', "\"\""));
        self.out.push('"');
    }

    /// The document's bytes: UTF-8 with a BOM.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }

    /// The answer: `text/csv; charset=utf-8`, as an attachment named `file_name` (see
    /// [`file_name`]).
    pub fn into_response(self, file_name: &str) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, CONTENT_TYPE_CSV))
            .insert_header((CONTENT_DISPOSITION, content_disposition(file_name)))
            .body(self.finish())
    }
}

/// Today in UTC, the date file names carry.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Most characters a part of a file name keeps.
const MAX_PART: usize = 60;

/// Letters and digits (any script), the rest as single hyphens, at most [`MAX_PART`] long.
fn clean(part: &str) -> String {
    let mut out = String::new();
    for c in part.nfc() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.chars().take(MAX_PART).collect();
    out.trim_end_matches('-').to_owned()
}

/// A file name from its parts and a date: `roster-Juges-2027-2026-12-01.csv`. Each part keeps
/// its letters and digits, in any script; empty parts are left out.
pub fn file_name(parts: &[&str], on: NaiveDate) -> String {
    let mut words: Vec<String> = parts
        .iter()
        .map(|p| clean(p))
        .filter(|p| !p.is_empty())
        .collect();
    words.push(on.format("%Y-%m-%d").to_string());
    format!("{}.csv", words.join("-"))
}

/// The same name in ASCII, for clients that do not read `filename*`: accents dropped
/// (`Brașov` as `Brasov`), other letters left out.
fn ascii_fallback(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .collect();
    let mut out = String::new();
    for c in folded.chars() {
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let out = out.replace("-.", ".");
    if out.trim_matches(['-', '.']).is_empty() || out.starts_with('.') {
        format!("export{out}")
    } else {
        out
    }
}

/// RFC 5987's `attr-char`: what `filename*` may hold unencoded.
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `attachment; filename="..."`, plus `filename*=UTF-8''...` (RFC 6266, RFC 5987) when the
/// name is not ASCII; the plain `filename` is then its ASCII fallback.
pub fn content_disposition(name: &str) -> String {
    let plain = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control() && !matches!(c, '"' | '\\'))
            .collect::<String>()
    };
    if name.is_ascii() {
        return format!("attachment; filename=\"{}\"", plain(name));
    }
    let encoded: String = name
        .bytes()
        .map(|b| {
            if is_attr_char(b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        plain(&ascii_fallback(name))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix(BOM).expect("a BOM");
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_prefixed_and_quoted() {
        let mut s = Sheet::new(Delimiter::Comma, &["a", "b"]);
        for evil in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            s.row([Cell::text(evil), Cell::number(-3)]);
        }
        s.row([Cell::text("Ana-Maria"), Cell::text("a;b")]);
        let bytes = s.finish();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\",-3\r\n"), "{text}");
        assert!(text.contains("\"'+1\",-3\r\n"), "{text}");
        assert!(text.contains("\"'-2\",-3\r\n"), "{text}");
        assert!(text.contains("\"'@SUM(A1)\",-3\r\n"), "{text}");
        // A hyphen inside, or the other delimiter, is nothing to guard.
        assert!(text.ends_with("Ana-Maria,a;b\r\n"), "{text}");
        let rows = read_back(&bytes, b',');
        assert_eq!(rows[1], ["'=HYPERLINK(\"x\")", "-3"]);
        assert_eq!(rows[5][0], "'\tx");
        assert_eq!(rows[6][0], "'\rx");
    }

    #[test]
    fn semicolon_sheets_start_with_a_bom_and_read_back() {
        let mut s = Sheet::new(Delimiter::Semicolon, &["name", "score", "at"]);
        let at = DateTime::parse_from_rfc3339("2026-12-01T17:05:09.123456789+01:00")
            .unwrap()
            .with_timezone(&Utc);
        s.row([
            Cell::text("Ненчева; Мария"),
            Cell::number(88.5),
            Cell::time(at),
        ]);
        s.row([
            Cell::text("line\nbreak"),
            Cell::opt_number(None::<f64>),
            Cell::opt_time(None),
        ]);
        let bytes = s.finish();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let rows = read_back(&bytes, b';');
        assert_eq!(
            rows,
            [
                vec!["name", "score", "at"],
                vec!["Ненчева; Мария", "88.5", "2026-12-01T16:05:09Z"],
                vec!["line\nbreak", "", ""],
            ]
        );
    }

    #[test]
    fn file_names_keep_their_letters_and_fall_back_to_ascii() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            file_name(&["roster", "Juges 2027 / 1"], day),
            "roster-Juges-2027-1-2026-12-01.csv"
        );
        assert_eq!(file_name(&["roster", " ?? "], day), "roster-2026-12-01.csv");
        let ro = file_name(&["roster", "Brașov: judecători"], day);
        assert_eq!(ro, "roster-Brașov-judecători-2026-12-01.csv");
        assert_eq!(
            content_disposition(&ro),
            "attachment; filename=\"roster-Brasov-judecatori-2026-12-01.csv\"; \
             filename*=UTF-8''roster-Bra%C8%99ov-judec%C4%83tori-2026-12-01.csv"
        );
        let bg = file_name(&["roster", "Съдии"], day);
        assert!(
            content_disposition(&bg).starts_with(
                "attachment; filename=\"roster-2026-12-01.csv\"; filename*=UTF-8''roster-%D0%A1"
            ),
            "{}",
            content_disposition(&bg)
        );
        assert_eq!(
            content_disposition("completions-2026-12-01.csv"),
            "attachment; filename=\"completions-2026-12-01.csv\""
        );
        assert_eq!(ascii_fallback("Съдии.csv"), "export.csv");
        let long = "x".repeat(500);
        assert!(file_name(&[&long], day).len() < 80);
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        limit: Option<u32>,
        country: Option<String>,
    }

    #[test]
    fn the_delimiter_is_read_beside_the_operations_parameters() {
        let q: CsvQuery<Q> =
            read_query("delimiter=semicolon&limit=5&country=RO&country=BG").unwrap();
        assert_eq!(q.delimiter, Delimiter::Semicolon);
        assert_eq!(q.limit, Some(5));
        assert_eq!(q.country.as_deref(), Some("RO,BG"));
        let q: CsvQuery<Q> = read_query("").unwrap();
        assert_eq!(q.delimiter, Delimiter::Comma);
        let fields = |query: &str| match read_query::<Q>(query).unwrap_err() {
            ApiError::Validation(v) => v.0.iter().map(|e| e.field.clone()).collect::<Vec<_>>(),
            e => panic!("{e:?}"),
        };
        assert_eq!(fields("delimiter=tab"), ["delimiter"]);
        assert_eq!(fields("delimiter=comma&delimiter=semicolon"), ["delimiter"]);
        assert_eq!(fields("delimiter=comma&colour=red"), ["colour"]);
    }
}
