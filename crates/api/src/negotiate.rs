//! Content negotiation on `Accept`: which of an operation's representations the client
//! asked for, and 406 when it will take none of them. Media types compare without regard to
//! case; `q=0` means "not this".

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ACCEPT;
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, web};

use crate::allow::AllowTable;
use crate::error::{ApiError, Code};

/// Whether some range of an `Accept` value admits one of `produced` (`*/*` and `type/*`
/// included).
pub fn admits(accept: &str, produced: &[String]) -> bool {
    accept.split(',').any(|range| {
        let mime = range.split(';').next().unwrap_or("").trim();
        !refused(range)
            && produced.iter().any(|p| {
                mime == "*/*"
                    || mime.eq_ignore_ascii_case(p)
                    || mime.strip_suffix("/*").is_some_and(|t| {
                        p.split('/')
                            .next()
                            .is_some_and(|pt| pt.eq_ignore_ascii_case(t))
                    })
            })
    })
}

/// Middleware: an `Accept` that admits none of the operation's representations (as the
/// OpenAPI document lists them) gets 406 before the handler runs. No `Accept`, or an empty
/// one, takes anything.
pub async fn refuse_unacceptable(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let accept: Vec<&str> = req
        .headers()
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .collect();
    let refusal = match (accept.is_empty(), req.app_data::<web::Data<AllowTable>>()) {
        (false, Some(table)) => table
            .produces(req.path(), req.method().as_str())
            .filter(|types| !accept.iter().any(|a| admits(a, types)))
            .map(|types| {
                ApiError::with(
                    Code::NotAcceptable,
                    format!("this operation answers in {}", types.join(", ")),
                )
            }),
        _ => None,
    };
    match refusal {
        Some(e) => Ok(req.error_response(e).map_into_right_body()),
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

/// Whether the client's `Accept` names `media_type` (for example `text/csv`) with a
/// non-zero quality. Wildcards do not count: they mean the default representation (JSON).
pub fn asks_for(req: &HttpRequest, media_type: &str) -> bool {
    req.headers()
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| names(range, media_type))
}

/// Whether the client's `Accept` prefers `media_type` to `other`: it names `media_type`
/// with a quality above zero and above any it gives `other` (ties and wildcards go to
/// `other`, the default).
pub fn prefers(req: &HttpRequest, media_type: &str, other: &str) -> bool {
    let quality = |wanted: &str| {
        req.headers()
            .get_all(ACCEPT)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter(|range| {
                range
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case(wanted)
            })
            .map(q)
            .fold(0.0_f32, f32::max)
    };
    let wanted = quality(media_type);
    wanted > 0.0 && wanted > quality(other)
}

/// The quality of one range of an `Accept` value (1 when it gives none).
fn q(range: &str) -> f32 {
    range
        .split(';')
        .skip(1)
        .find_map(|p| {
            p.trim()
                .split_once('=')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .and_then(|(_, v)| v.trim().parse::<f32>().ok())
        })
        .unwrap_or(1.0)
}

fn names(range: &str, media_type: &str) -> bool {
    let mime = range.split(';').next().unwrap_or("").trim();
    mime.eq_ignore_ascii_case(media_type) && !refused(range)
}

/// A quality of zero refuses the range (RFC 9110, 12.4.2).
fn refused(range: &str) -> bool {
    range.split(';').skip(1).any(|p| {
        p.trim().split_once('=').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        })
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    #[test]
    fn browsers_prefer_pages_and_clients_json() {
        let with = |accept: &str| {
            TestRequest::default()
                .insert_header((ACCEPT, accept))
                .to_http_request()
        };
        let html = |a: &str| super::prefers(&with(a), "text/html", "application/json");
        assert!(html(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(html("application/json;q=0.5, text/html"));
        assert!(!html("application/json"));
        assert!(!html("*/*"));
        assert!(!html("application/json, text/html;q=0.5"));
        assert!(!html("text/html;q=0, application/json"));
        assert!(!html("text/html, application/json"));
        assert!(!super::prefers(
            &TestRequest::default().to_http_request(),
            "text/html",
            "application/json"
        ));
    }

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

    #[test]
    fn a_range_admits_what_it_names_or_covers() {
        let json_csv = ["application/json".to_owned(), "text/csv".to_owned()];
        for accept in [
            "application/json",
            "text/*",
            "*/*",
            "TEXT/CSV;q=0.5",
            "text/html, */*;q=0.1",
        ] {
            assert!(admits(accept, &json_csv), "{accept}");
        }
        for accept in [
            "text/html",
            "application/pdf",
            "application/*;q=0, text/html",
            "*/*;q=0",
        ] {
            assert!(!admits(accept, &json_csv), "{accept}");
        }
    }
}
