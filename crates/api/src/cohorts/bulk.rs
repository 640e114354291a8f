//! Reading the body of a bulk enrolment: a JSON list of rows, or a spreadsheet saved as CSV
//! (UTF-8 with or without BOM, comma or semicolon separated, with a header row).

use help_lms_domain::ValidationErrors;
use help_lms_domain::enrolment::{MAX_BULK_ROWS, RowInput};
use help_lms_domain::values::{Country, Language, Profession};
use serde::Deserialize;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::body::strict;
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

pub fn from_csv(body: &[u8]) -> Result<Parsed, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::with(
            Code::InvalidEncoding,
            format!(
                "the CSV is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
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
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
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
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| ApiError::with(Code::InvalidCsv, format!("row {}: {e}", i + 1)))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_BULK_ROWS {
            let remaining = reader.records().count();
            return Err(too_many(MAX_BULK_ROWS + 1 + remaining));
        }
        let mut r = RowInput {
            row: i + 1,
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
            *slot = value.to_owned();
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
        assert_eq!(p.rows[1].row, 3);
        assert_eq!(p.rows[1].language, "");
        assert_eq!(p.ignored_columns, ["Notes"]);
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
