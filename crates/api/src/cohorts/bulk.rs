//! Reading the body of a bulk enrolment: a JSON list of rows, or a spreadsheet saved as CSV
//! (UTF-8 with or without BOM, comma or semicolon separated, with a header row), sent as it
//! is or as the file of a form. A JSON row's number is its place in the list (from 1); a CSV
//! row's is its line in the spreadsheet (the header is line 1, the first row line 2).

use actix_web::http::header::{CONTENT_TYPE, HeaderMap};
use actix_web::web::Bytes;
use help_lms_domain::ValidationErrors;
use help_lms_domain::enrolment::{MAX_BULK_ROWS, RowInput};
use help_lms_domain::values::{Country, Language, Profession};
use serde::Deserialize;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::body::{multipart, strict};
use crate::error::{ApiError, Code};

/// One row of a JSON bulk enrolment. The email and names are checked row by row (a wrong
/// one rejects its row, with the reason, and the others go through); a profession, country
/// or language outside its list is a malformed request, answered 422 for the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowJson {
    /// Checked per row: a malformed address rejects the row (`invalid_email`).
    pub email: String,
    /// Checked per row (`invalid_name`).
    pub given_name: String,
    /// Checked per row (`invalid_name`).
    pub family_name: String,
    pub profession: Profession,
    /// ISO 3166-1 alpha-2 code of a Council of Europe member state, in capitals (GR or EL
    /// for Greece), or `other`.
    pub country: Country,
    /// Absent or null: the cohort's language.
    #[serde(default)]
    pub language: Option<Language>,
}

/// The JSON body of a bulk enrolment: 1 to 5,000 rows.
pub struct RowList;

impl PartialSchema for RowList {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(Ref::from_schema_name(RowJson::name()))
            .min_items(Some(1))
            .max_items(Some(MAX_BULK_ROWS))
            .into()
    }
}
impl ToSchema for RowList {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((RowJson::name().into_owned(), RowJson::schema()));
        RowJson::schemas(schemas);
    }
}

/// Rows and the CSV columns that were not understood (ignored, and reported).
#[derive(Debug)]
pub struct Parsed {
    pub rows: Vec<RowInput>,
    pub ignored_columns: Vec<String>,
}

fn too_many(n: usize) -> ApiError {
    ApiError::field(
        "rows",
        "too_many_rows",
        format!("{n} rows; at most {MAX_BULK_ROWS} per request"),
    )
}

pub fn from_json(body: &[u8]) -> Result<Parsed, ApiError> {
    let rows: Vec<RowJson> = strict::from_slice(body).map_err(|e| {
        if e.error.is_data() {
            ApiError::field(
                &format!("rows{}", e.path),
                "invalid_rows",
                e.error.to_string(),
            )
        } else {
            ApiError::with(
                Code::InvalidJson,
                format!("the body is not valid JSON: {}", e.error),
            )
        }
    })?;
    if rows.is_empty() {
        return Err(ApiError::field("rows", "empty", "the list has no rows"));
    }
    if rows.len() > MAX_BULK_ROWS {
        return Err(too_many(rows.len()));
    }
    Ok(Parsed {
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| RowInput {
                row: i + 1,
                email: r.email,
                given_name: r.given_name,
                family_name: r.family_name,
                profession: r.profession.as_str().to_owned(),
                country: r.country.as_str().to_owned(),
                language: r
                    .language
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_default(),
            })
            .collect(),
        ignored_columns: Vec::new(),
    })
}

/// The canonical column a header names, accepting the usual spellings.
fn column(header: &str) -> Option<&'static str> {
    let h: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match h.as_str() {
        "email" | "e mail" | "email address" => "email",
        "given name" | "first name" | "forename" => "given_name",
        "family name" | "last name" | "surname" => "family_name",
        "profession" => "profession",
        "country" => "country",
        "language" => "language",
        _ => return None,
    })
}

/// The media types a bulk enrolment takes: JSON rows; CSV as `text/csv` or as
/// `application/vnd.ms-excel` (what browsers call a `.csv` file on Windows); or a form with
/// the CSV file (`multipart/form-data`). Each is read whole under the body limit.
pub async fn read(headers: &HeaderMap, body: Bytes) -> Result<Parsed, ApiError> {
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/json" => from_json(&body),
        "text/csv" | "application/vnd.ms-excel" => from_csv(&body),
        "multipart/form-data" => from_csv(&multipart::single_file(headers, body).await?),
        _ => Err(ApiError::with(
            Code::UnsupportedMediaType,
            "send application/json, text/csv (or application/vnd.ms-excel) or multipart/form-data with the CSV file",
        )),
    }
}

/// How to save a spreadsheet so that it can be read here.
const SAVE_AS_UTF8: &str = "in Excel, choose File > Save As > \"CSV UTF-8 (Comma delimited) (*.csv)\"; in LibreOffice, choose the character set \"Unicode (UTF-8)\"; then upload the file again";

/// The text of a CSV file, or a problem that says how to save it right: a workbook
/// instead of CSV, UTF-16 ("Unicode text"), or a legacy code page such as Windows-1250 or
/// Windows-1251 (Excel's "CSV (Comma delimited)").
fn text_of(body: &[u8]) -> Result<&str, ApiError> {
    if body.starts_with(b"PK\x03\x04") || body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ApiError::with(
            Code::InvalidCsv,
            format!("this is an Excel workbook, not a CSV file: {SAVE_AS_UTF8}"),
        ));
    }
    if body.starts_with(&[0xFF, 0xFE]) || body.starts_with(&[0xFE, 0xFF]) {
        return Err(ApiError::with(
            Code::InvalidEncoding,
            format!("the file is UTF-16 (\"Unicode text\"), not UTF-8: {SAVE_AS_UTF8}"),
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        let valid = &body[..e.valid_up_to()];
        let line = 1 + valid.iter().filter(|b| **b == b'\n').count();
        ApiError::with(
            Code::InvalidEncoding,
            format!(
                "the file is not UTF-8: line {line} has a character in another encoding (such as Windows-1250 or Windows-1251, which Excel's \"CSV (Comma delimited)\" writes); {SAVE_AS_UTF8}"
            ),
        )
    })
}

/// Line breaks in `s`: CRLF, LF and CR each count one.
fn line_breaks(s: &str) -> usize {
    s.replace("\r\n", "\n").matches(['\n', '\r']).count()
}

/// Where records start in the text, in lines. The reader's own line count lags behind with
/// CRLF, and its offset may sit on the line break before a record, so the breaks are
/// counted here, once, as the records come.
struct Lines<'a> {
    text: &'a str,
    scanned: usize,
    breaks: usize,
}

impl Lines<'_> {
    /// The line (from 1) of the first character of the record the reader places at `byte`.
    fn at(&mut self, byte: usize) -> usize {
        let start = self.text.get(byte..).map_or(self.text.len(), |rest| {
            byte + (rest.len() - rest.trim_start_matches(['\r', '\n']).len())
        });
        if start > self.scanned {
            self.breaks += self.text.get(self.scanned..start).map_or(0, line_breaks);
            self.scanned = start;
        }
        1 + self.breaks
    }
}

pub fn from_csv(body: &[u8]) -> Result<Parsed, ApiError> {
    let text = text_of(body)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err(ApiError::field(
            "header",
            "empty",
            "the file is empty; the first line must name the columns",
        ));
    }
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    // Not trimmed by the reader: the line breaks inside quoted cells are counted below.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::with(Code::InvalidCsv, e.to_string()))?
        .clone();
    let mut index: Vec<Option<&'static str>> = Vec::new();
    let mut ignored = Vec::new();
    for h in headers.iter() {
        let c = column(h);
        if c.is_none() && !h.trim().is_empty() {
            ignored.push(h.trim().to_owned());
        }
        index.push(c);
    }
    let mut missing = ValidationErrors::new();
    // `language` may be left out, as in JSON rows: then every row takes the cohort's.
    for required in [
        "email",
        "given_name",
        "family_name",
        "profession",
        "country",
    ] {
        if !index.contains(&Some(required)) {
            missing.push(
                format!("header.{required}"),
                "missing_column",
                format!("the header has no '{}' column", required.replace('_', " ")),
            );
        }
    }
    missing.into_result()?;
    // A row's number is its line in the spreadsheet (the header is line 1): the line the
    // record starts on, less the line breaks inside quoted cells before it, which a
    // spreadsheet shows within one row. Blank lines are rows there too, and count.
    let breaks_in = |r: &csv::StringRecord| r.iter().map(line_breaks).sum::<usize>();
    let mut inner_breaks = breaks_in(&headers);
    let mut lines = Lines {
        text,
        scanned: 0,
        breaks: 0,
    };
    let mut rows = Vec::new();
    let mut records = reader.records();
    while let Some(record) = records.next() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ApiError::with(Code::InvalidCsv, format!("line {line}: {e}"))
        })?;
        let line = record.position().map_or(0, |p| lines.at(p.byte() as usize));
        let row = line.saturating_sub(inner_breaks);
        inner_breaks += breaks_in(&record);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_BULK_ROWS {
            let remaining = records.count();
            return Err(too_many(MAX_BULK_ROWS + 1 + remaining));
        }
        let mut r = RowInput {
            row,
            ..Default::default()
        };
        for (pos, value) in record.iter().enumerate() {
            let slot = match index.get(pos).copied().flatten() {
                Some("email") => &mut r.email,
                Some("given_name") => &mut r.given_name,
                Some("family_name") => &mut r.family_name,
                Some("profession") => &mut r.profession,
                Some("country") => &mut r.country,
                Some("language") => &mut r.language,
                _ => continue,
            };
            *slot = value.trim().to_owned();
        }
        rows.push(r);
    }
    if rows.is_empty() {
        return Err(ApiError::field(
            "rows",
            "empty",
            "the file has a header but no rows",
        ));
    }
    Ok(Parsed {
        rows,
        ignored_columns: ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_semicolon_csv_with_bom_and_odd_headers() {
        let csv = "\u{feff}E-mail;Given name;Family_Name;Profession;Country;Language;Notes\nana@x.example;Ana;Novak;judge;SI;sl;first\n;;;;;;\nbo@x.example;Bo;Berg;lawyer;SE;;\n";
        let p = from_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].email, "ana@x.example");
        // Spreadsheet lines: the header is line 1, the empty row line 3.
        assert_eq!((p.rows[0].row, p.rows[1].row), (2, 4));
        assert_eq!(p.rows[1].language, "");
        assert_eq!(p.ignored_columns, ["Notes"]);
    }

    #[test]
    fn row_numbers_are_the_lines_a_spreadsheet_shows() {
        // A blank line is a row in a spreadsheet; a line break inside a quoted cell is not.
        let csv = "email,given name,family name,profession,country\r\n\
                   a@x.example,\"Ana\nMaria\",  Novak ,judge,SI\r\n\
                   \r\n\
                   b@x.example,Bo,Berg,lawyer,SE\r\n\
                   c@x.example,Cy,Cole,lawyer,SE";
        for text in [
            csv.to_owned(),
            csv.replace("\r\n", "\n"),
            csv.replace("\r\n", "\r"),
        ] {
            let p = from_csv(text.as_bytes()).unwrap();
            let rows: Vec<usize> = p.rows.iter().map(|r| r.row).collect();
            assert_eq!(rows, [2, 4, 5], "{text:?}");
            assert_eq!(p.rows[0].family_name, "Novak");
            assert_eq!(p.rows[0].given_name, "Ana\nMaria");
        }
        // JSON rows are numbered by their place in the list.
        let j = from_json(br#"[{"email": "a@x.example", "given_name": "A", "family_name": "B", "profession": "judge", "country": "SI"}]"#).unwrap();
        assert_eq!(j.rows[0].row, 1);
    }

    #[test]
    fn files_in_another_encoding_say_how_to_save_them() {
        // "Brașov" in Windows-1250 is not UTF-8; the problem names the line and the fix.
        let mut cp1250 =
            b"email,given name,family name,profession,country\nx@y.example,Ana,".to_vec();
        cp1250.extend_from_slice(b"Bra\xbaov,judge,RO\n");
        let e = from_csv(&cp1250).unwrap_err();
        assert_eq!(e.code(), Code::InvalidEncoding);
        let detail = e.to_problem().detail.unwrap();
        assert!(
            detail.contains("line 2") && detail.contains("CSV UTF-8"),
            "{detail}"
        );
        let utf16 = [0xFF, 0xFE, b'e', 0, b'm', 0];
        assert_eq!(from_csv(&utf16).unwrap_err().code(), Code::InvalidEncoding);
        let xlsx = b"PK\x03\x04\x14\x00\x06\x00";
        let e = from_csv(xlsx).unwrap_err();
        assert_eq!(e.code(), Code::InvalidCsv);
        assert!(e.to_problem().detail.unwrap().contains("workbook"));
    }

    #[test]
    fn reports_missing_columns_and_bad_files() {
        let err = from_csv(b"email,given name,profession\nx@y.example,X,judge\n").unwrap_err();
        let ApiError::Validation(v) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = v.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["header.family_name", "header.country"]);
        // Without a language column, every row takes the cohort's language.
        let p = from_csv(
            b"email;given name;family name;profession;country\nx@y.example;X;Y;judge;RO\n",
        )
        .unwrap();
        assert_eq!(p.rows[0].language, "");
        assert!(matches!(from_csv(b""), Err(ApiError::Validation(_))));
        assert!(matches!(
            from_csv(b"email,given name,family name,profession,country,language\n"),
            Err(ApiError::Validation(_))
        ));
        assert!(matches!(
            from_csv(b"email,given name\n\xff\xfe,x\n"),
            Err(e) if e.code() == crate::error::Code::InvalidEncoding
        ));
    }

    #[test]
    fn refuses_more_than_the_limit() {
        let mut csv = String::from("email,given name,family name,profession,country,language\n");
        for i in 0..=MAX_BULK_ROWS {
            csv.push_str(&format!("u{i}@x.example,A,B,judge,FR,fr\n"));
        }
        let err = from_csv(csv.as_bytes()).unwrap_err();
        let ApiError::Validation(v) = err else {
            panic!()
        };
        assert_eq!(v.0[0].code, "too_many_rows");
        assert!(v.0[0].message.starts_with("5001 rows"));
    }
}
