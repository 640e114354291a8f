//! The small pages help-lms serves itself under `/account/`, so that the links in its
//! emails work without a separate frontend: set a password (an invitation), confirm an
//! address (a registration), reset a password, ask for a reset, and answer an invitation to
//! join a cohort (signing in with the account's password). Plain HTML forms, no
//! script, in English or French by `Accept-Language`. Tokens arrive in the link's query and
//! leave in a form field; the pages are never cached and send no `Referer`. Forms post to
//! relative addresses, so the pages also work under a `HELP_PUBLIC_URL` with a path. A confirmation
//! takes a button press, so that a mail scanner opening the link confirms nothing.

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use help_lms_domain::markdown::escape;
use help_lms_domain::values::Language;
use serde::Deserialize;

use help_lms_persistence::cohorts::invitations;

use crate::auth::{account, password};
use crate::error::ApiError;
use crate::state::AppState;

struct Words {
    lang: &'static str,
    activate_title: &'static str,
    activate_intro: &'static str,
    confirm_title: &'static str,
    confirm_intro: &'static str,
    confirm_button: &'static str,
    reset_title: &'static str,
    reset_intro: &'static str,
    forgot_title: &'static str,
    forgot_intro: &'static str,
    forgot_button: &'static str,
    forgot_done: &'static str,
    password: &'static str,
    password_hint: &'static str,
    email: &'static str,
    save: &'static str,
    done_active: &'static str,
    done_reset: &'static str,
    failed: &'static str,
    no_token: &'static str,
    join_title: &'static str,
    join_intro: &'static str,
    current_password: &'static str,
    accept: &'static str,
    decline: &'static str,
    joined: &'static str,
    declined: &'static str,
}

const EN: Words = Words {
    lang: "en",
    activate_title: "Activate your HELP account",
    activate_intro: "Choose the password you will sign in with.",
    confirm_title: "Confirm your address",
    confirm_intro: "Press the button to confirm your address and activate your HELP account.",
    confirm_button: "Confirm my address",
    reset_title: "Set a new password",
    reset_intro: "Choose a new password. Every device signed in to your account will be signed out.",
    forgot_title: "Forgot your password?",
    forgot_intro: "Enter the address of your account: we will send you a link to set a new password.",
    forgot_button: "Send me a link",
    forgot_done: "If this address has an account, a message with a link is on its way. The link works for one hour.",
    password: "New password",
    password_hint: "At least 12 characters.",
    email: "Email address",
    save: "Save the password",
    done_active: "Your account is active. You can now sign in to HELP.",
    done_reset: "Your password is set, and every other session was signed out. You can now sign in to HELP.",
    failed: "That did not work",
    no_token: "This page needs the link from your message: open the link in the message again.",
    join_title: "Join a cohort",
    join_intro: "Sign in with your HELP account to answer the invitation. Nothing changes in your account unless you accept.",
    current_password: "Password",
    accept: "Accept and join",
    decline: "Decline",
    joined: "You have joined the cohort. The course is now among your enrolments.",
    declined: "You have declined the invitation. Nothing was changed in your account.",
};

const FR: Words = Words {
    lang: "fr",
    activate_title: "Activez votre compte HELP",
    activate_intro: "Choisissez le mot de passe avec lequel vous vous connecterez.",
    confirm_title: "Confirmez votre adresse",
    confirm_intro: "Appuyez sur le bouton pour confirmer votre adresse et activer votre compte HELP.",
    confirm_button: "Confirmer mon adresse",
    reset_title: "Définissez un nouveau mot de passe",
    reset_intro: "Choisissez un nouveau mot de passe. Tous les appareils connectés à votre compte seront déconnectés.",
    forgot_title: "Mot de passe oublié ?",
    forgot_intro: "Saisissez l'adresse de votre compte : nous vous enverrons un lien pour définir un nouveau mot de passe.",
    forgot_button: "M'envoyer un lien",
    forgot_done: "Si cette adresse correspond à un compte, un message contenant un lien est en route. Le lien est valable une heure.",
    password: "Nouveau mot de passe",
    password_hint: "Au moins 12 caractères.",
    email: "Adresse électronique",
    save: "Enregistrer le mot de passe",
    done_active: "Votre compte est actif. Vous pouvez maintenant vous connecter à HELP.",
    done_reset: "Votre mot de passe est défini et toutes les autres sessions ont été fermées. Vous pouvez maintenant vous connecter à HELP.",
    failed: "Cela n'a pas fonctionné",
    no_token: "Cette page a besoin du lien de votre message : ouvrez à nouveau le lien du message.",
    join_title: "Rejoindre une session",
    join_intro: "Connectez-vous avec votre compte HELP pour répondre à l'invitation. Rien ne change dans votre compte si vous n'acceptez pas.",
    current_password: "Mot de passe",
    accept: "Accepter et rejoindre",
    decline: "Décliner",
    joined: "Vous avez rejoint la session. Le cours figure désormais parmi vos inscriptions.",
    declined: "Vous avez décliné l'invitation. Rien n'a été modifié dans votre compte.",
};

fn words(req: &HttpRequest) -> &'static Words {
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let preferred = crate::language::parse_accept_language(header)
        .into_iter()
        .find(|l| matches!(l, Language::En | Language::Fr));
    if preferred == Some(Language::Fr) {
        &FR
    } else {
        &EN
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}label{display:block;font-weight:600;margin-top:1rem}input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}button{margin-top:1.25rem;font-size:1rem;padding:.6rem 1.2rem;background:#003399;color:#fff;border:0;border-radius:4px}p.error{color:#8b0000}";

fn page(w: &Words, status: actix_web::http::StatusCode, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · HELP</title><style>{STYLE}</style></head><body><main><h1>{title}</h1>{body}</main></body></html>",
        lang = w.lang,
        title = escape(title),
    );
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::CONTENT_LANGUAGE, w.lang))
        .body(html)
}

fn ok(w: &Words, title: &str, body: &str) -> HttpResponse {
    page(w, actix_web::http::StatusCode::OK, title, body)
}

fn password_form(w: &Words, action: &str, intro: &str, token: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<p>{intro}</p>{error}<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><label for=\"password\">{label}</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" maxlength=\"256\" required aria-describedby=\"hint\"><p id=\"hint\">{hint}</p><button type=\"submit\">{save}</button></form>",
        intro = escape(intro),
        token = escape(token),
        label = escape(w.password),
        hint = escape(w.password_hint),
        save = escape(w.save),
    )
}

fn reasons(e: &help_lms_domain::ValidationErrors) -> String {
    e.0.iter()
        .map(|f| f.message.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The page for a failure: what the problem's code says to do. A wrong password keeps the
/// form, with the reason above it.
fn failure(w: &Words, e: &ApiError) -> HttpResponse {
    let code = e.code();
    let text = match e {
        ApiError::Validation(errors) => reasons(errors),
        _ => format!("{} {}", code.title(), code.advice()),
    };
    page(
        w,
        code.status(),
        w.failed,
        &format!("<p class=\"error\" role=\"alert\">{}</p>", escape(&text)),
    )
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    token: String,
    password: String,
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    token: String,
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    email: String,
}

fn token(q: &TokenQuery) -> Option<&str> {
    q.token.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn missing_token(w: &Words) -> HttpResponse {
    page(
        w,
        actix_web::http::StatusCode::BAD_REQUEST,
        w.failed,
        &format!("<p>{}</p>", escape(w.no_token)),
    )
}

/// The two pages that take a token and a new password.
#[derive(Clone, Copy)]
enum PasswordPage {
    Activate,
    Reset,
}

impl PasswordPage {
    fn action(self) -> &'static str {
        match self {
            PasswordPage::Activate => "activate",
            PasswordPage::Reset => "reset-password",
        }
    }

    /// Title, introduction and what a success says, in `w`'s language.
    fn words(self, w: &Words) -> (&'static str, &'static str, &'static str) {
        match self {
            PasswordPage::Activate => (w.activate_title, w.activate_intro, w.done_active),
            PasswordPage::Reset => (w.reset_title, w.reset_intro, w.done_reset),
        }
    }

    fn form(self, req: &HttpRequest, q: &TokenQuery) -> HttpResponse {
        let w = words(req);
        let (title, intro, _) = self.words(w);
        match token(q) {
            Some(t) => ok(w, title, &password_form(w, self.action(), intro, t, None)),
            None => missing_token(w),
        }
    }

    /// Sets the password; a password the policy refuses shows the form again, with why.
    async fn submit(self, state: &AppState, req: &HttpRequest, f: &PasswordForm) -> HttpResponse {
        let w = words(req);
        let (title, intro, done) = self.words(w);
        let set = match self {
            PasswordPage::Activate => account::activation(state, req, &f.token, &f.password).await,
            PasswordPage::Reset => password::reset(state, req, &f.token, &f.password).await,
        };
        match set {
            Ok(_) => ok(w, title, &format!("<p>{}</p>", escape(done))),
            Err(ApiError::Validation(e)) => ok(
                w,
                title,
                &password_form(w, self.action(), intro, &f.token, Some(&reasons(&e))),
            ),
            Err(e) => failure(w, &e),
        }
    }
}

async fn activate_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    // A link to join a cohort delivered as an activation link: its owner has an account.
    if let Some(t) = token(&q)
        && matches!(
            invitations::is_waiting_token(&state.db.conn, t).await,
            Ok(true)
        )
    {
        let w = words(&req);
        return ok(w, w.join_title, &join_body(w, t, None));
    }
    PasswordPage::Activate.form(&req, &q)
}

async fn activate(
    state: web::Data<AppState>,
    req: HttpRequest,
    f: web::Form<PasswordForm>,
) -> HttpResponse {
    PasswordPage::Activate.submit(&state, &req, &f).await
}

async fn reset_form(req: HttpRequest, q: web::Query<TokenQuery>) -> HttpResponse {
    PasswordPage::Reset.form(&req, &q)
}

async fn reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    f: web::Form<PasswordForm>,
) -> HttpResponse {
    PasswordPage::Reset.submit(&state, &req, &f).await
}

async fn confirm_form(req: HttpRequest, q: web::Query<TokenQuery>) -> HttpResponse {
    let w = words(&req);
    match token(&q) {
        Some(t) => ok(
            w,
            w.confirm_title,
            &format!(
                "<p>{intro}</p><form method=\"post\" action=\"confirm\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><button type=\"submit\">{button}</button></form>",
                intro = escape(w.confirm_intro),
                token = escape(t),
                button = escape(w.confirm_button),
            ),
        ),
        None => missing_token(w),
    }
}

async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    f: web::Form<TokenForm>,
) -> HttpResponse {
    let w = words(&req);
    match account::confirmation(&state, &req, &f.token).await {
        Ok(_) => ok(
            w,
            w.confirm_title,
            &format!("<p>{}</p>", escape(w.done_active)),
        ),
        Err(e) => failure(w, &e),
    }
}

fn forgot_body(w: &Words, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<p>{intro}</p>{error}<form method=\"post\" action=\"forgot-password\"><label for=\"email\">{label}</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" maxlength=\"254\" required><button type=\"submit\">{button}</button></form>",
        intro = escape(w.forgot_intro),
        label = escape(w.email),
        button = escape(w.forgot_button),
    )
}

async fn forgot_form(req: HttpRequest) -> HttpResponse {
    let w = words(&req);
    ok(w, w.forgot_title, &forgot_body(w, None))
}

async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    f: web::Form<EmailForm>,
) -> HttpResponse {
    let w = words(&req);
    match password::reset_request(&state, &req, &f.email).await {
        Ok(()) => ok(
            w,
            w.forgot_title,
            &format!("<p>{}</p>", escape(w.forgot_done)),
        ),
        Err(ApiError::Validation(e)) => {
            let reason = reasons(&e);
            ok(w, w.forgot_title, &forgot_body(w, Some(&reason)))
        }
        Err(e) => failure(w, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    token: String,
    email: String,
    password: String,
    answer: String,
}

/// The join form; it posts to `join` beside the page it is on (`/account/join`, or the
/// activation page showing it).
fn join_body(w: &Words, token: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<p>{intro}</p>{error}<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><label for=\"email\">{email}</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" maxlength=\"254\" required><label for=\"password\">{password}</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" maxlength=\"256\" required><button type=\"submit\" name=\"answer\" value=\"accept\">{accept}</button> <button type=\"submit\" name=\"answer\" value=\"decline\">{decline}</button></form>",
        intro = escape(w.join_intro),
        action = "join",
        token = escape(token),
        email = escape(w.email),
        password = escape(w.current_password),
        accept = escape(w.accept),
        decline = escape(w.decline),
    )
}

async fn join_form(req: HttpRequest, q: web::Query<TokenQuery>) -> HttpResponse {
    let w = words(&req);
    match token(&q) {
        Some(t) => ok(w, w.join_title, &join_body(w, t, None)),
        None => missing_token(w),
    }
}

/// Signs in with the form's credentials (under the login throttle) and answers the
/// invitation of the token, which must be addressed to that account.
async fn join(
    state: web::Data<AppState>,
    req: HttpRequest,
    f: web::Form<JoinForm>,
) -> HttpResponse {
    let w = words(&req);
    let f = f.into_inner();
    let user =
        match crate::auth::routes::verify_credentials(&state, &req, &f.email, f.password).await {
            Ok(u) => u,
            Err(ApiError::Validation(e)) => {
                return ok(w, w.join_title, &join_body(w, &f.token, Some(&reasons(&e))));
            }
            Err(e) => return failure(w, &e),
        };
    let which = invitations::Which::Token(f.token.trim());
    let answered = match f.answer.as_str() {
        "decline" => invitations::decline(&state.db, user.id, which)
            .await
            .map(|_| w.declined),
        "accept" => invitations::accept(&state.db, user.id, which)
            .await
            .map(|_| w.joined),
        // Only the form's two buttons answer.
        _ => return missing_token(w),
    };
    match answered {
        Ok(done) => ok(w, w.join_title, &format!("<p>{}</p>", escape(done))),
        Err(e) => failure(w, &ApiError::from(e)),
    }
}

/// A form that cannot be read (a missing field): the same page as a missing token.
fn form_error(err: actix_web::error::UrlencodedError, req: &HttpRequest) -> actix_web::Error {
    let w = words(req);
    let response = page(
        w,
        actix_web::http::StatusCode::BAD_REQUEST,
        w.failed,
        &format!("<p>{}</p>", escape(w.no_token)),
    );
    actix_web::error::InternalError::from_response(err, response).into()
}

/// Registers the pages on an app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/account")
            .app_data(
                web::FormConfig::default()
                    .limit(16 * 1024)
                    .error_handler(form_error),
            )
            .route("/activate", web::get().to(activate_form))
            .route("/activate", web::post().to(activate))
            .route("/confirm", web::get().to(confirm_form))
            .route("/confirm", web::post().to(confirm))
            .route("/reset-password", web::get().to(reset_form))
            .route("/reset-password", web::post().to(reset))
            .route("/forgot-password", web::get().to(forgot_form))
            .route("/forgot-password", web::post().to(forgot))
            .route("/join", web::get().to(join_form))
            .route("/join", web::post().to(join)),
    );
}
