//! The one file of a `multipart/form-data` upload, as a browser's file form sends it. The
//! body has already been read under the body limit; this takes the file out of it.
//!
//! Which part is the file: the part with a file name (`filename=` in its
//! `Content-Disposition`), or, when no part has one, the only part there is. Any other part is
//! refused rather than ignored: options such as `dry_run` go in the query string, and a
//! form field that said `dry_run=true` must not be taken for a real run.

use actix_multipart::Multipart;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use help_lms_domain::ValidationErrors;

use crate::error::{ApiError, Code};

struct Part {
    name: String,
    has_file_name: bool,
    bytes: Bytes,
}

fn unreadable(e: impl std::fmt::Display) -> ApiError {
    ApiError::with(
        Code::InvalidBody,
        format!("the multipart/form-data body could not be read: {e}"),
    )
}

async fn parts(headers: &HeaderMap, body: Bytes) -> Result<Vec<Part>, ApiError> {
    let limit = body.len();
    let stream = futures_util::stream::once(async move { Ok(body) });
    let mut form = Multipart::new(headers, stream);
    let mut parts = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        let has_file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .is_some();
        let bytes = field
            .bytes(limit)
            .await
            .map_err(unreadable)?
            .map_err(unreadable)?;
        parts.push(Part {
            name,
            has_file_name,
            bytes,
        });
    }
    Ok(parts)
}

/// The bytes of the form's one file.
pub async fn single_file(headers: &HeaderMap, body: Bytes) -> Result<Bytes, ApiError> {
    let mut parts = parts(headers, body).await?;
    let files = parts.iter().filter(|p| p.has_file_name).count();
    if files > 1 {
        return Err(ApiError::field(
            "file",
            "too_many_files",
            format!("the form holds {files} files; send one CSV file per request"),
        ));
    }
    let at = match parts.iter().position(|p| p.has_file_name) {
        Some(i) => i,
        None if parts.len() == 1 => 0,
        None => {
            return Err(ApiError::field(
                "file",
                "missing",
                "the form holds no file: attach the CSV file",
            ));
        }
    };
    let file = parts.remove(at);
    let mut others = ValidationErrors::new();
    for p in parts {
        let field = if p.name.is_empty() { "form" } else { &p.name };
        others.push(
            field,
            "unexpected_field",
            "only the file is read: give dry_run, reactivate and delivery in the query string",
        );
    }
    others.into_result()?;
    Ok(file.bytes)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{CONTENT_TYPE, HeaderValue};

    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        h
    }

    fn body(parts: &[(&str, Option<&str>, &str)]) -> Bytes {
        let mut b = String::new();
        for (name, file, content) in parts {
            b.push_str("--XyZ\r\n");
            match file {
                Some(f) => b.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/vnd.ms-excel\r\n\r\n"
                )),
                None => b.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                )),
            }
            b.push_str(content);
            b.push_str("\r\n");
        }
        b.push_str("--XyZ--\r\n");
        Bytes::from(b)
    }

    async fn field_of(parts: &[(&str, Option<&str>, &str)]) -> Vec<(String, String)> {
        match single_file(&headers(), body(parts)).await.unwrap_err() {
            ApiError::Validation(v) => {
                v.0.iter()
                    .map(|e| (e.field.clone(), e.code.to_owned()))
                    .collect()
            }
            e => panic!("{e:?}"),
        }
    }

    #[actix_web::test]
    async fn the_file_part_is_taken_whatever_its_name() {
        let csv = "email;given name\r\na@x.example;A\r\n";
        let got = single_file(&headers(), body(&[("upload", Some("cohort.csv"), csv)]))
            .await
            .unwrap();
        assert_eq!(got, csv.as_bytes());
        // A part without a file name, alone, is the file too (`curl -F 'file=<cohort.csv'`).
        let got = single_file(&headers(), body(&[("file", None, csv)]))
            .await
            .unwrap();
        assert_eq!(got, csv.as_bytes());
    }

    #[actix_web::test]
    async fn no_file_two_files_or_extra_fields_are_refused_by_name() {
        assert_eq!(
            field_of(&[("a", Some("a.csv"), "x"), ("b", Some("b.csv"), "y")]).await,
            [("file".to_owned(), "too_many_files".to_owned())]
        );
        assert_eq!(
            field_of(&[("a", None, "x"), ("b", None, "y")]).await,
            [("file".to_owned(), "missing".to_owned())]
        );
        assert_eq!(
            field_of(&[("file", Some("a.csv"), "x"), ("dry_run", None, "true")]).await,
            [("dry_run".to_owned(), "unexpected_field".to_owned())]
        );
        let no_parts = single_file(&headers(), Bytes::from_static(b"--XyZ--\r\n"))
            .await
            .unwrap_err();
        assert!(matches!(no_parts, ApiError::Validation(_)), "{no_parts:?}");
    }

    #[actix_web::test]
    async fn a_broken_body_is_unreadable() {
        let e = single_file(&headers(), Bytes::from_static(b"no boundary here"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::InvalidBody);
        let mut plain = HeaderMap::new();
        plain.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data"),
        );
        let e = single_file(&plain, body(&[("f", Some("a.csv"), "x")]))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::InvalidBody);
    }
}
