//! CORS for browser front ends on other origins, by an exact allow-list (`HELP_CORS_ORIGINS`).
//! The API takes bearer tokens, not cookies, so credentials are never allowed; an empty list
//! sends no CORS headers at all. Preflights are answered here and never reach a route.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::Error;
use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use futures_util::future::LocalBoxFuture;

pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
pub const ALLOW_HEADERS: &str = "Authorization, Content-Type, Idempotency-Key, If-None-Match, Accept, Accept-Language, X-Request-Id";
pub const EXPOSE_HEADERS: &str =
    "ETag, Location, Retry-After, Content-Disposition, Content-Language, X-Request-Id";
/// How long a browser may reuse a preflight answer (Chromium caps this at two hours).
pub const MAX_AGE_SECS: u32 = 3600;

/// The origins as browsers send them (`https://help.example.org`, lower case, no path), from
/// a setting's entries; empty entries are skipped, a trailing `/` is dropped.
pub fn parse_origins<S: AsRef<str>>(entries: &[S]) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    for entry in entries {
        let raw = entry.as_ref().trim();
        if raw.is_empty() {
            continue;
        }
        let origin = raw.strip_suffix('/').unwrap_or(raw).to_ascii_lowercase();
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let valid = host.is_some_and(|h| {
            !h.is_empty()
                && !h.starts_with(':')
                && !h.contains(|c: char| "/?#*@".contains(c) || c.is_whitespace())
        });
        if !valid {
            return Err(format!(
                "`{raw}` is not an origin such as https://help.example.org (scheme and host, no path, no wildcard)"
            ));
        }
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// The middleware: answers preflights from listed origins, and marks the other answers to
/// them as readable.
#[derive(Clone, Debug, Default)]
pub struct Cors {
    origins: Arc<[String]>,
}

impl Cors {
    /// `origins` as [`parse_origins`] gives them.
    pub fn new(origins: Vec<String>) -> Self {
        Cors {
            origins: origins.into(),
        }
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        origin
            .to_str()
            .is_ok_and(|o| self.origins.iter().any(|allowed| allowed == o))
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            cors: self.clone(),
        }))
    }
}

pub struct CorsMiddleware<S> {
    service: S,
    cors: Cors,
}

fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if self.cors.origins.is_empty() {
            let fut = self.service.call(req);
            return Box::pin(async move { fut.await.map(ServiceResponse::map_into_left_body) });
        }
        let allowed = req
            .headers()
            .get(header::ORIGIN)
            .filter(|o| self.cors.allows(o))
            .cloned();
        if is_preflight(&req) {
            // Answered whatever the origin, so that an unlisted one meets no route (and no
            // 404 or 405) but simply finds no permission.
            let mut res = HttpResponse::NoContent();
            res.insert_header((header::VARY, "Origin"));
            if let Some(origin) = allowed {
                res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
                    .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS))
                    .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
                    .insert_header((header::ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECS.to_string()));
            }
            let res = req.into_response(res.finish()).map_into_right_body();
            return Box::pin(ready(Ok(res)));
        }
        let fut = self.service.call(req);
        Box::pin(async move {
            // Handlers' errors arrive here as answers; only a failing middleware's do not.
            let mut res = fut.await?.map_into_left_body();
            let headers = res.headers_mut();
            // Every answer depends on the origin once CORS is on: a cache must not hand one
            // origin's answer to another.
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
            if let Some(origin) = allowed {
                headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                headers.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static(EXPOSE_HEADERS),
                );
            }
            Ok(res)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::{TestRequest, call_service, init_service};
    use actix_web::{App, web};

    #[test]
    fn origins_are_normalised_and_checked() {
        assert_eq!(
            parse_origins(&[" https://Help.Example.org/ ", "", "http://localhost:5173"]).unwrap(),
            vec!["https://help.example.org", "http://localhost:5173"]
        );
        assert_eq!(parse_origins::<&str>(&[]).unwrap(), Vec::<String>::new());
        for bad in [
            "*",
            "help.example.org",
            "https://",
            "https://help.example.org/app",
            "https://*.example.org",
            "ftp://help.example.org",
            "null",
        ] {
            assert!(parse_origins(&[bad]).is_err(), "{bad} was accepted");
        }
    }

    async fn answer(origins: &[&str], req: TestRequest) -> ServiceResponse<impl MessageBody> {
        let app = init_service(
            App::new()
                .wrap(Cors::new(parse_origins(origins).unwrap()))
                .route("/x", web::get().to(HttpResponse::Ok)),
        )
        .await;
        call_service(&app, req.to_request()).await
    }

    #[actix_web::test]
    async fn credentials_are_never_allowed_and_wildcards_never_sent() {
        let res = answer(
            &["https://a.example"],
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/x")
                .insert_header((header::ORIGIN, "https://a.example"))
                .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "POST")),
        )
        .await;
        assert_eq!(res.status(), 204);
        let h = res.headers();
        assert_eq!(
            h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
            "https://a.example"
        );
        assert!(h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    }

    #[actix_web::test]
    async fn an_unlisted_origin_is_only_told_the_answer_varies() {
        let res = answer(
            &["https://a.example"],
            TestRequest::get()
                .uri("/x")
                .insert_header((header::ORIGIN, "https://a.example.evil")),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
        assert_eq!(res.headers().get(header::VARY).unwrap(), "Origin");
    }

    #[actix_web::test]
    async fn an_empty_list_changes_nothing() {
        let res = answer(
            &[],
            TestRequest::get()
                .uri("/x")
                .insert_header((header::ORIGIN, "https://a.example")),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert!(res.headers().get(header::VARY).is_none());
        assert!(
            res.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }
}
