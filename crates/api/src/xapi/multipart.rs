//! `multipart/mixed` bodies (RFC 2046) as xAPI uses them for attachments: the statements
//! as the first part, then each attachment's raw content with its `X-Experience-API-Hash`.
//! The whole body is in memory already (the store's body limit bounds it), so parsing is a
//! search for the boundary, not a stream.

use super::bad;
use crate::error::ApiError;

/// One part: its headers (names lower-cased) and its content.
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The boundary parameter of a `multipart/mixed` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let essence = parts.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The parts of a body with this boundary.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, ApiError> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut at =
        find(body, &delimiter, 0).ok_or_else(|| bad("the multipart body has no boundary"))?;
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            break;
        }
        // The rest of the delimiter line.
        let line_end =
            find(body, b"\r\n", at).ok_or_else(|| bad("a multipart part is cut short"))?;
        let start = line_end + 2;
        let head_end = find(body, b"\r\n\r\n", start)
            .map(|i| (i, i + 4))
            .or_else(|| {
                body[start..]
                    .starts_with(b"\r\n")
                    .then_some((start, start + 2))
            })
            .ok_or_else(|| bad("a multipart part has no end of headers"))?;
        let head = std::str::from_utf8(&body[start..head_end.0])
            .map_err(|_| bad("a multipart part's headers are not UTF-8"))?;
        let mut headers = Vec::new();
        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| bad("a multipart header has no colon"))?;
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
        let mut close = delimiter.clone();
        close.splice(0..0, b"\r\n".iter().copied());
        let next = find(body, &close, head_end.1)
            .ok_or_else(|| bad("a multipart part has no closing boundary"))?;
        parts.push(Part {
            headers,
            body: body[head_end.1..next].to_vec(),
        });
        at = next + 2;
    }
    Ok(parts)
}

/// A `multipart/mixed` answer: the JSON first, then each attachment.
pub fn build(json: &str, attachments: &[(String, String, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = format!("xapi-{}", uuid::Uuid::new_v4().simple());
    let mut out = Vec::with_capacity(json.len() + 256);
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(json.as_bytes());
    for (sha2, content_type, content) in attachments {
        out.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(content);
    }
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/mixed; boundary={boundary}"), out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_body_built_here_parses_back() {
        let files = vec![(
            "abc".to_owned(),
            "text/plain".to_owned(),
            b"hello\r\n--x".to_vec(),
        )];
        let (ct, body) = build("[{}]", &files);
        let b = boundary(&ct).unwrap();
        let parts = parse(&body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, b"[{}]");
        assert_eq!(parts[1].header("x-experience-api-hash"), Some("abc"));
        assert_eq!(parts[1].body, b"hello\r\n--x");
    }

    #[test]
    fn a_body_without_its_closing_boundary_is_refused() {
        let body = b"--b\r\nContent-Type: application/json\r\n\r\n{}";
        assert!(parse(body, "b").is_err());
        assert!(boundary("multipart/form-data; boundary=b").is_none());
        assert_eq!(
            boundary("multipart/mixed; boundary=\"b c\"").as_deref(),
            Some("b c")
        );
    }
}
