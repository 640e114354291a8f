//! How a message leaves: over SMTP (`HELP_SMTP_URL`: `smtp://host:25` plain,
//! `smtp://host:587?tls=required` STARTTLS, `smtps://host:465` TLS, with `user:password@`
//! for credentials; rustls with the Mozilla roots), or, in development without SMTP, as an
//! `.eml` file per message in a folder, complete with its links (and its text part beside
//! it as `.txt`, where the links read whole), so that `cargo run` alone can finish a
//! registration. Each message has a `Message-ID` made from its outbox id, the
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

    /// Sends `message`; `text` is its plain-text part, which the folder also keeps readable.
    pub async fn send(&self, message: &Message, id: Uuid, text: &str) -> Result<(), SendError> {
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
            Transport::Folder(dir) => {
                write_files(dir, message, id, text)
                    .await
                    .map_err(|e| SendError {
                        message: format!("cannot write to the mail folder: {e}"),
                        permanent: false,
                    })
            }
        }
    }
}

/// Writes the message (`ID.eml`, as a mail server would get it, its parts encoded) and its
/// text part as plain UTF-8 (`ID.txt`, where a developer reads the link whole). Each is
/// written whole, then renamed into place, so a reader never sees half a file and a second
/// delivery of the same message replaces the first.
async fn write_files(
    dir: &PathBuf,
    message: &Message,
    id: Uuid,
    text: &str,
) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    for (extension, content) in [
        ("txt", text.as_bytes().to_vec()),
        ("eml", message.formatted()),
    ] {
        let tmp = dir.join(format!(".{id}.{extension}.tmp"));
        tokio::fs::write(&tmp, content).await?;
        tokio::fs::rename(&tmp, dir.join(format!("{id}.{extension}"))).await?;
    }
    Ok(())
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
            text: "Bonjour Ștefan,\n\nhttps://help.example.org/account/activate?token=abc\n".into(),
            html: "<!DOCTYPE html>\n<p>Bonjour Ștefan,</p>\n".into(),
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

    #[tokio::test]
    async fn the_folder_keeps_the_message_and_its_text_and_a_resend_replaces_them() {
        let dir = std::env::temp_dir().join(format!("help-mail-{}", Uuid::now_v7()));
        let from: Mailbox = "no-reply@help.example.org".parse().unwrap();
        let id = Uuid::now_v7();
        let Ok(m) = build(&mail(), id, &from, "help.example.org") else {
            panic!("not built");
        };
        let folder = Transport::Folder(dir.clone());
        for _ in 0..2 {
            assert!(folder.send(&m, id, &mail().text).await.is_ok());
        }
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let text = std::fs::read_to_string(dir.join(format!("{id}.txt"))).unwrap();
        assert!(text.contains("https://help.example.org/account/activate?token=abc"));
        let eml = std::fs::read_to_string(dir.join(format!("{id}.eml"))).unwrap();
        assert!(eml.contains(&format!("Message-ID: <{id}@help.example.org>")));
        let _ = std::fs::remove_dir_all(dir);
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
