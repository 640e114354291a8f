//! Mail: the messages the account flows write to the outbox ([`Composer`]: the wording of
//! `help_lms_domain::mail` with links to the page that takes each token), and the worker
//! that delivers them over SMTP or, in development without SMTP, as `.eml` files
//! ([`worker`], [`transport`]).

pub mod transport;
pub mod worker;

use help_lms_domain::mail::{Mail, MailKind, render};
use help_lms_persistence::accounts::flows::TokenLifetimes;
use help_lms_persistence::outbox::{Compose, Notice, OutgoingMail, Recipient};

use crate::public_url::PublicUrl;

/// Where the links in messages lead: the frontend's pages when `HELP_FRONTEND_URL` is set,
/// otherwise the small pages help-lms serves itself under `/account/`.
///
/// | link                        | with `HELP_FRONTEND_URL=F`        | without                          |
/// |-----------------------------|-----------------------------------|----------------------------------|
/// | activate an invitation      | `F/activate?token=T`              | `/account/activate?token=T`      |
/// | confirm a registration      | `F/confirm-email?token=T`         | `/account/confirm?token=T`       |
/// | reset a password            | `F/reset-password?token=T`        | `/account/reset-password?token=T`|
/// | ask for a reset             | `F/forgot-password`               | `/account/forgot-password`       |
/// | join a cohort (existing)    | `F/join?token=T`                  | `/account/join?token=T`          |
#[derive(Debug, Clone)]
pub struct Links {
    base: PublicUrl,
    frontend: bool,
}

impl Links {
    pub fn new(public_url: PublicUrl, frontend: Option<PublicUrl>) -> Links {
        match frontend {
            Some(f) => Links {
                base: f,
                frontend: true,
            },
            None => Links {
                base: public_url,
                frontend: false,
            },
        }
    }

    fn page(&self, frontend: &str, own: &str, token: Option<&str>) -> String {
        let path = if self.frontend { frontend } else { own };
        match token {
            Some(t) => self.base.link(&format!("{path}?token={t}")),
            None => self.base.link(path),
        }
    }

    pub fn activate(&self, token: &str) -> String {
        self.page("/activate", "/account/activate", Some(token))
    }

    pub fn confirm(&self, token: &str) -> String {
        self.page("/confirm-email", "/account/confirm", Some(token))
    }

    pub fn reset(&self, token: &str) -> String {
        self.page("/reset-password", "/account/reset-password", Some(token))
    }

    /// An invitation to join a cohort, for the owner of an existing account: the frontend's
    /// page signs them in and shows it; without a frontend, the API's own
    /// `POST /api/v1/me/invitations/accept` takes the token.
    pub fn join(&self, token: &str) -> String {
        self.page("/join", "/account/join", Some(token))
    }

    pub fn forgot_password(&self) -> String {
        self.page("/forgot-password", "/account/forgot-password", None)
    }
}

/// Writes the platform's messages: the domain's wording, these links, these lifetimes.
#[derive(Debug, Clone)]
pub struct Composer {
    pub links: Links,
    pub lifetimes: TokenLifetimes,
}

impl Compose for Composer {
    fn compose(&self, to: Recipient<'_>, notice: Notice<'_>) -> OutgoingMail {
        let hours = |d: chrono::Duration| d.num_hours().max(1);
        let l = self.lifetimes;
        let (kind, link, valid_hours) = match notice {
            Notice::Invitation { token, institution } => (
                MailKind::Invitation {
                    institution: institution.map(str::to_owned),
                    role: to.role,
                },
                self.links.activate(token),
                hours(l.invitation),
            ),
            Notice::ConfirmAddress { token } => (
                MailKind::ConfirmRegistration,
                self.links.confirm(token),
                hours(l.confirmation),
            ),
            Notice::RegisteredAlready { reset_token } => (
                MailKind::RegistrationAttemptActive,
                self.links.reset(reset_token),
                hours(l.reset),
            ),
            Notice::RegistrationPending { activation_token } => (
                MailKind::RegistrationAttemptPending,
                self.links.activate(activation_token),
                hours(l.invitation),
            ),
            Notice::PasswordReset { token } => (
                MailKind::PasswordReset,
                self.links.reset(token),
                hours(l.reset),
            ),
            Notice::PasswordChanged => (MailKind::PasswordChanged, self.links.forgot_password(), 0),
            Notice::CohortInvitation {
                token,
                institution,
                cohort,
            } => (
                MailKind::CohortInvitation {
                    institution: institution.to_owned(),
                    cohort: cohort.to_owned(),
                },
                self.links.join(token),
                hours(l.invitation),
            ),
            Notice::CohortInvitationRefused {
                institution,
                cohort,
            } => (
                MailKind::CohortInvitationRefused {
                    institution: institution.to_owned(),
                    cohort: cohort.to_owned(),
                },
                self.links.forgot_password(),
                0,
            ),
        };
        let rendered = render(
            &Mail {
                kind,
                name: to.name,
                link: &link,
                valid_hours,
            },
            to.language,
        );
        OutgoingMail {
            to: to.email.to_owned(),
            to_name: to.name.to_owned(),
            language: rendered.language.as_str().to_owned(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        }
    }
}

#[cfg(test)]
mod tests {
    use help_lms_domain::values::{Language, Role};

    use super::*;

    fn composer(frontend: Option<&str>) -> Composer {
        Composer {
            links: Links::new(
                PublicUrl::parse("https://help.example.org").unwrap_or_default(),
                frontend.and_then(|f| PublicUrl::parse(f).ok()),
            ),
            lifetimes: TokenLifetimes::default(),
        }
    }

    fn to(language: Language) -> Recipient<'static> {
        Recipient {
            email: "ana@example.ro",
            name: "Ana Popescu",
            language,
            role: Role::Learner,
        }
    }

    #[test]
    fn links_lead_to_the_own_pages_or_to_the_frontend() {
        let own = composer(None).compose(to(Language::Fr), Notice::PasswordReset { token: "T0K" });
        assert!(
            own.text
                .contains("https://help.example.org/account/reset-password?token=T0K"),
            "{}",
            own.text
        );
        assert_eq!(own.language, "fr");
        let front = composer(Some("https://learn.example.org/help")).compose(
            to(Language::Ro),
            Notice::Invitation {
                token: "T0K",
                institution: Some("INM"),
            },
        );
        assert!(
            front
                .text
                .contains("https://learn.example.org/help/activate?token=T0K"),
            "{}",
            front.text
        );
        // Romanian is not written yet: English.
        assert_eq!(front.language, "en");
        assert!(front.text.contains("INM"));
    }
}
