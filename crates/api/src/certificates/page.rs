//! The public verification page a browser gets for a certificate's code (the address its
//! QR code holds): whether the certificate is valid or revoked (and since when), whose it
//! is, for which course, when and by whom it was issued, and a link to its signed Open
//! Badges credential. In the certificate's language; plain HTML, no script.

use actix_web::HttpResponse;
use actix_web::http::header::{self, ContentType};
use help_lms_domain::markdown::escape;

use super::dto::Verification;
use super::wording;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}p.status{font-size:1.25rem;font-weight:700;padding:.75rem 1rem;border-radius:4px;border:2px solid}p.valid{color:#0b5d1e;border-color:#0b5d1e;background:#eef8f0}p.revoked{color:#8b0000;border-color:#8b0000;background:#fdf0f0}p.erased{color:#444;border-color:#444;background:#f4f4f4}dt{font-weight:600;margin-top:.75rem}dd{margin:0}a{color:#003399}";

pub fn verification(v: &Verification) -> HttpResponse {
    let w = wording::of(v.language);
    let (class, status) = if v.valid {
        ("valid", w.valid.to_owned())
    } else if matches!(v.status, super::dto::CertificateStatus::Erased) {
        ("erased", w.erased.to_owned())
    } else {
        let when = v
            .revoked_at
            .map(|d| format!(" {} {}.", w.revoked_on, w.date(d.date_naive())))
            .unwrap_or_default();
        ("revoked", format!("{}{when}", w.revoked))
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · HELP</title><style>{STYLE}</style></head><body><main><p>{programme}</p><h1>{title}</h1><p class=\"status {class}\" role=\"status\">{status}</p><dl><dt>{learner_l}</dt><dd>{learner}</dd><dt>{course_l}</dt><dd>{course}</dd><dt>{issued_l}</dt><dd><time datetime=\"{issued_iso}\">{issued}</time></dd><dt>{issuer_l}</dt><dd><a href=\"{issuer_url}\">{issuer}</a></dd><dt>{code_l}</dt><dd><code>{code}</code></dd></dl><p><a href=\"{credential_url}\" type=\"application/json\">{credential}</a><br>{hint}</p></main></body></html>",
        lang = w.lang,
        title = escape(w.page_title),
        programme = escape(w.programme),
        status = escape(&status),
        learner_l = escape(w.learner),
        learner = escape(&v.learner_name),
        course_l = escape(w.course),
        course = escape(&v.course_title),
        issued_l = escape(w.issued),
        issued_iso = escape(&v.issued_on),
        issued = escape(
            &v.issued_at
                .map(|d| w.date(d.date_naive()))
                .unwrap_or_default()
        ),
        issuer_l = escape(w.issuer),
        issuer_url = escape(&v.issuer.url),
        issuer = escape(&v.issuer.name),
        code_l = escape(w.code),
        code = escape(&v.code),
        credential_url = escape(&v.credential_url),
        credential = escape(w.credential),
        hint = escape(w.credential_hint),
    );
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::CONTENT_LANGUAGE, w.lang))
        .insert_header((header::VARY, "Accept"))
        .body(html)
}
