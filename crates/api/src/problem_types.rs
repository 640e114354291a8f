//! `GET /problems/{code}`: what a problem's `type` names, from the [`Code`] table, as JSON
//! or, for browsers (`Accept: text/html`), as a small page.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Code, problems};
use crate::negotiate;
use help_lms_domain::markdown::escape;

/// A problem type: what a problem with this `code` means and what to do about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemType {
    /// The URI reference problems of this type carry in `type`.
    #[serde(rename = "type")]
    pub type_: String,
    pub code: Code,
    /// The HTTP status of such problems.
    pub status: u16,
    pub title: &'static str,
    /// What the client, or the person using it, can do.
    pub what_to_do: &'static str,
}

impl From<Code> for ProblemType {
    fn from(code: Code) -> Self {
        ProblemType {
            type_: format!("/problems/{code}"),
            code,
            status: code.status().as_u16(),
            title: code.title(),
            what_to_do: code.advice(),
        }
    }
}

fn page(p: &ProblemType) -> String {
    let title = escape(p.title);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<p>HTTP status {status}, code <code>{code}</code>.</p>\n<p>{what}</p>\n</body>\n</html>\n",
        status = p.status,
        code = escape(p.code.as_str()),
        what = escape(p.what_to_do),
    )
}

/// Explain a problem type
///
/// Anyone; no token needed. The status, title and what to do about a problem `code` (the
/// target of a problem's `type`), as JSON or, with `Accept: text/html`, as a page.
///
/// Problems: `not_found` (404: no such code).
#[utoipa::path(
    tags = ["operations"],
    operation_id = "get_problem_type",
    params(("code" = Code, Path, description = "A problem code, as in a problem's `code` and the last segment of its `type`")),
    responses(
        (status = 200, description = "The problem type: its status, title and what to do; `Accept: text/html` gives the same as a page", content(
            (ProblemType = "application/json"),
            (String = "text/html"),
        )),
        problems::NotFound,
    )
)]
#[get("/problems/{code}")]
pub async fn problem_type(
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = Code::parse(&code).ok_or(ApiError::NotFound)?;
    let p = ProblemType::from(code);
    Ok(if negotiate::asks_for(&req, "text/html") {
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page(&p))
    } else {
        HttpResponse::Ok().json(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_page_that_says_what_to_do() {
        for c in Code::ALL {
            let p = ProblemType::from(*c);
            let html = page(&p);
            assert!(html.contains(&escape(c.advice())), "{c}");
            assert!(html.contains(&format!("<code>{c}</code>")), "{c}");
        }
    }

    #[test]
    fn the_json_is_pinned() {
        let j = serde_json::to_value(ProblemType::from(Code::CohortClosed)).unwrap();
        assert_eq!(j["type"], "/problems/cohort_closed");
        assert_eq!(j["code"], "cohort_closed");
        assert_eq!(j["status"], 409);
        assert_eq!(j["title"], Code::CohortClosed.title());
        assert_eq!(j["what_to_do"], Code::CohortClosed.advice());
    }

    #[test]
    fn text_is_escaped_in_pages() {
        assert_eq!(escape("<b>&'"), "&lt;b&gt;&amp;&#39;");
        // Every title reads back whole through the escape.
        let html = page(&ProblemType::from(Code::NotInvited));
        assert!(
            html.contains("<h1>The account is not waiting for its invitation</h1>"),
            "{html}"
        );
    }
}
