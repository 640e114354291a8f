//! Content negotiation on `Accept`: which of an operation's representations the client
//! asked for. Media types compare without regard to case; `q=0` means "not this".

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT;

/// Whether the client's `Accept` names `media_type` (for example `text/csv`) with a
/// non-zero quality. Wildcards do not count: they mean the default representation (JSON).
pub fn asks_for(req: &HttpRequest, media_type: &str) -> bool {
    req.headers()
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| names(range, media_type))
}

fn names(range: &str, media_type: &str) -> bool {
    let mut parts = range.split(';');
    let Some(mime) = parts.next().map(str::trim) else {
        return false;
    };
    if !mime.eq_ignore_ascii_case(media_type) {
        return false;
    }
    // A quality of zero refuses the type (RFC 9110, 12.4.2).
    !parts.any(|p| {
        p.trim().split_once('=').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        })
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn with(accept: &str) -> HttpRequest {
        TestRequest::default()
            .insert_header((ACCEPT, accept))
            .to_http_request()
    }

    #[test]
    fn finds_the_type_in_a_list_whatever_its_case() {
        assert!(asks_for(&with("text/csv"), "text/csv"));
        assert!(asks_for(
            &with("application/json, TEXT/CSV;q=0.9"),
            "text/csv"
        ));
        assert!(asks_for(&with("Application/PDF"), "application/pdf"));
    }

    #[test]
    fn wildcards_absence_and_zero_quality_do_not_ask() {
        assert!(!asks_for(
            &TestRequest::default().to_http_request(),
            "text/csv"
        ));
        assert!(!asks_for(&with("*/*"), "text/csv"));
        assert!(!asks_for(&with("text/*"), "text/csv"));
        assert!(!asks_for(&with("text/csv;q=0"), "text/csv"));
        assert!(!asks_for(&with("text/csvx"), "text/csv"));
    }
}
