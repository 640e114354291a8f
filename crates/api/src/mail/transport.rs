//! How a message leaves: over SMTP (`HELP_SMTP_URL`: `smtp://host:25` plain,
//! `smtp://host:587?tls=required` STARTTLS, `smtps://host:465` TLS, with `user:password@`
//! for credentials; rustls with the Mozilla roots), or, in development without SMTP, as an
//! `.eml` file per message in a folder, complete with its links, so that `cargo run` alone
//! can finish a registration. Each message has a `Message-ID` made from its outbox id, the
//! same on every attempt, so a receiver can drop a duplicate.

use std::path::PathBuf;
use std::time::Duration;

use help_lms_persistence::outbox::OutgoingMail;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use uuid::Uuid;

/// A failed delivery: permanent ones (the server refused the message or its recipient for
/// good) are not tried again.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in this folder.
    Folder(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The URL may hold credentials: never printed.
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::Folder(p) => write!(f, "Transport::Folder({})", p.display()),
        }
    }
}

impl Transport {
    /// SMTP from a connection URL; connections time out after `timeout`.
    pub fn smtp(url: &str, timeout: Duration) -> Result<Transport, String> {
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("HELP_SMTP_URL cannot be used: {e}"))?;
        Ok(Transport::Smtp(builder.timeout(Some(timeout)).build()))
    }

    pub async fn send(&self, message: &Message, id: Uuid) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => {
                smtp.send(message.clone())
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        message: e.to_string(),
                        permanent: e.is_permanent(),
                    })
            }
            Transport::Folder(dir) => write_file(dir, message, id).await.map_err(|e| SendError {
                message: format!("cannot write to the mail folder: {e}"),
                permanent: false,
            }),
        }
    }
}

/// Writes the message whole, then renames it into place, so a reader never sees half a
/// file and a second delivery of the same message replaces the first.
async fn write_file(dir: &PathBuf, message: &Message, id: Uuid) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(".{id}.tmp"));
    tokio::fs::write(&tmp, message.formatted()).await?;
    tokio::fs::rename(&tmp, dir.join(format!("{id}.eml"))).await
}

/// The message for an outbox entry: text and HTML alternatives, a stable `Message-ID`.
pub fn build(
    mail: &OutgoingMail,
    id: Uuid,
    from: &Mailbox,
    domain: &str,
) -> Result<Message, SendError> {
    let to_address = mail
        .to
        .parse()
        .map_err(|e| SendError::permanent(format!("the recipient's address is invalid: {e}")))?;
    let name = mail.to_name.trim();
    let to = Mailbox::new((!name.is_empty()).then(|| name.to_owned()), to_address);
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.as_str())
        .message_id(Some(format!("<{id}@{domain}>")))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    let mut builder = builder;
    if !mail.language.is_empty() && mail.language.bytes().all(|b| b.is_ascii_alphabetic()) {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            mail.language.clone(),
        ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| SendError::permanent(format!("the message cannot be built: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            to: "stefan.vilcu@example.ro".into(),
            to_name: "Ștefan Vâlcu-Șerban".into(),
            language: "fr".into(),
            subject: "HELP : activez votre compte".into(),
            text: "https://help.example.org/account/activate?token=abc".into(),
            html: "<p>x</p>".into(),
        }
    }

    #[test]
    fn a_message_carries_its_stable_id_both_parts_and_its_language() {
        let from: Mailbox = "HELP <no-reply@help.example.org>".parse().unwrap();
        let id = Uuid::now_v7();
        let Ok(m) = build(&mail(), id, &from, "help.example.org") else {
            panic!("not built");
        };
        let raw = String::from_utf8_lossy(&m.formatted()).into_owned();
        assert!(
            raw.contains(&format!("Message-ID: <{id}@help.example.org>")),
            "{raw}"
        );
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
        assert!(raw.contains("Content-Language: fr"));
        assert!(raw.contains("Auto-Submitted: auto-generated"));
    }

    #[test]
    fn a_bad_recipient_is_a_permanent_failure() {
        let from: Mailbox = "no-reply@help.example.org".parse().unwrap();
        let bad = OutgoingMail {
            to: "not an address".into(),
            ..mail()
        };
        let Err(e) = build(&bad, Uuid::now_v7(), &from, "help.example.org") else {
            panic!("built");
        };
        assert!(e.permanent);
    }
}
