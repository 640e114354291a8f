//! The account flows against a real database: what each writes, and what each refuses.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Mutex;

use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, UserStatus};

use super::*;
use crate::outbox::OutgoingMail;
use crate::test_support::TestDb;

/// Keeps the notices it was asked to write (recipient, kind, token).
#[derive(Default)]
struct Notes(Mutex<Vec<(String, String, Option<String>)>>);

impl Compose for Notes {
    fn compose(&self, to: Recipient<'_>, notice: Notice<'_>) -> OutgoingMail {
        let (kind, token) = match notice {
            Notice::Invitation { token, .. } => ("invitation", Some(token)),
            Notice::ConfirmAddress { token } => ("confirm", Some(token)),
            Notice::RegisteredAlready { reset_token } => ("registered_already", Some(reset_token)),
            Notice::RegistrationPending { activation_token } => {
                ("registration_pending", Some(activation_token))
            }
            Notice::PasswordReset { token } => ("reset", Some(token)),
            Notice::PasswordChanged => ("changed", None),
            Notice::CohortInvitation { token, .. } => ("join", Some(token)),
            Notice::CohortInvitationRefused { .. } => ("join_refused", None),
        };
        let token = token.map(str::to_owned);
        self.0
            .lock()
            .unwrap()
            .push((to.email.to_owned(), kind.to_owned(), token.clone()));
        OutgoingMail {
            to: to.email.to_owned(),
            to_name: to.name.to_owned(),
            language: to.language.as_str().to_owned(),
            subject: kind.to_owned(),
            text: token.unwrap_or_default(),
            html: String::new(),
        }
    }
}

impl Notes {
    fn last(&self) -> (String, String, Option<String>) {
        self.0.lock().unwrap().last().cloned().unwrap()
    }
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

fn registration(email: &str) -> Registration {
    Registration {
        email: Email::parse(email).unwrap(),
        name: PersonName::parse("Olena Kovalenko").unwrap(),
        profession: Profession::Judge,
        country: Country::Ua,
        language: Language::Uk,
        password_hash: "hash-at-registration".into(),
    }
}

async fn status(db: &Db, id: Uuid) -> UserStatus {
    super::super::find(&db.conn, id)
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn a_registration_waits_for_its_address_and_a_second_one_only_tells_the_owner() {
    let t = TestDb::new().await;
    let notes = Notes::default();
    let life = TokenLifetimes::default();
    let first = register(&t.db, &notes, life, registration("olena@court.example"))
        .await
        .unwrap();
    let Registered::Pending(id) = first else {
        panic!("not created");
    };
    assert_eq!(status(&t.db, id).await, UserStatus::Invited);
    let (_, kind, confirm) = notes.last();
    assert_eq!(kind, "confirm");
    assert_eq!(outbox::pending(&t.db.conn, outbox::MAIL).await.unwrap(), 1);

    // Someone registers the address again: the owner gets an activation link of their own,
    // and the first registration's link no longer works.
    let again = register(&t.db, &notes, life, registration("Olena@Court.example"))
        .await
        .unwrap();
    assert_eq!(again, Registered::Existing);
    let (_, kind, activation) = notes.last();
    assert_eq!(kind, "registration_pending");
    let refused = confirm_address(&t.db, &confirm.unwrap()).await.unwrap();
    assert_eq!(refused.unwrap_err(), TokenRefused::Token(Refused::Spent));
    let user = activate(&t.db, &activation.unwrap(), "owner's hash".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.status, UserStatus::Active);

    // Once active, a registration with the address sends a reset link.
    register(&t.db, &notes, life, registration("olena@court.example"))
        .await
        .unwrap();
    assert_eq!(notes.last().1, "registered_already");
    assert_eq!(outbox::pending(&t.db.conn, outbox::MAIL).await.unwrap(), 3);
}

#[tokio::test]
async fn a_confirmed_registration_is_active_and_its_token_works_once() {
    let t = TestDb::new().await;
    let notes = Notes::default();
    let life = TokenLifetimes::default();
    register(&t.db, &notes, life, registration("a@court.example"))
        .await
        .unwrap();
    let token = notes.last().2.unwrap();
    let user = confirm_address(&t.db, &token).await.unwrap().unwrap();
    assert_eq!(user.status, UserStatus::Active);
    let again = confirm_address(&t.db, &token).await.unwrap();
    assert_eq!(again.unwrap_err(), TokenRefused::Token(Refused::Spent));
    // A token of one purpose does nothing for another.
    let other = activate(&t.db, &token, "h".into()).await.unwrap();
    assert_eq!(other.unwrap_err(), TokenRefused::Token(Refused::Unknown));
}

#[tokio::test]
async fn an_expired_token_says_so() {
    let t = TestDb::new().await;
    let notes = Notes::default();
    let life = TokenLifetimes {
        confirmation: Duration::seconds(-1),
        ..TokenLifetimes::default()
    };
    register(&t.db, &notes, life, registration("late@court.example"))
        .await
        .unwrap();
    let refused = confirm_address(&t.db, &notes.last().2.unwrap())
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err(), TokenRefused::Token(Refused::Expired));
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_every_session_and_tells_the_owner() {
    let t = TestDb::new().await;
    let notes = Notes::default();
    let life = TokenLifetimes::default();
    register(&t.db, &notes, life, registration("r@court.example"))
        .await
        .unwrap();
    let user = confirm_address(&t.db, &notes.last().2.unwrap())
        .await
        .unwrap()
        .unwrap();
    let refresh = sessions::issue(&t.db.conn, user.id, None, Duration::days(1))
        .await
        .unwrap();
    let email = Email::parse("r@court.example").unwrap();
    assert!(request_reset(&t.db, &notes, life, &email).await.unwrap());
    let first = notes.last().2.unwrap();
    // A second request replaces the first link.
    assert!(request_reset(&t.db, &notes, life, &email).await.unwrap());
    let second = notes.last().2.unwrap();
    let stale = complete_reset(&t.db, &notes, &first, "new".into())
        .await
        .unwrap();
    assert_eq!(stale.unwrap_err(), TokenRefused::Token(Refused::Spent));
    complete_reset(&t.db, &notes, &second, "new".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(notes.last().1, "changed");
    let rotated = sessions::rotate(&t.db, &refresh, Duration::days(1))
        .await
        .unwrap();
    assert_eq!(rotated.unwrap_err(), sessions::RefreshRefused::Revoked);
    // An unknown address gets nothing.
    let before = notes.count();
    let nobody = Email::parse("nobody@court.example").unwrap();
    assert!(!request_reset(&t.db, &notes, life, &nobody).await.unwrap());
    assert_eq!(notes.count(), before);
}

#[tokio::test]
async fn disabling_ends_sessions_and_enabling_restores_the_status_it_had() {
    let t = TestDb::new().await;
    let notes = Notes::default();
    let life = TokenLifetimes::default();
    let created = register(&t.db, &notes, life, registration("d@court.example"))
        .await
        .unwrap();
    let Registered::Pending(id) = created else {
        panic!("not created");
    };
    let refresh = sessions::issue(&t.db.conn, id, None, Duration::days(1))
        .await
        .unwrap();
    let disabled = set_disabled(&t.db, id, true).await.unwrap();
    assert_eq!(disabled.status, UserStatus::Disabled);
    let twice = set_disabled(&t.db, id, true).await.unwrap();
    assert_eq!(twice.status, UserStatus::Disabled);
    let rotated = sessions::rotate(&t.db, &refresh, Duration::days(1))
        .await
        .unwrap();
    assert!(rotated.is_err());
    // A disabled account cannot be confirmed, and comes back as it was: still unconfirmed.
    let refused = confirm_address(&t.db, &notes.last().2.unwrap())
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err(), TokenRefused::Disabled);
    let enabled = set_disabled(&t.db, id, false).await.unwrap();
    assert_eq!(enabled.status, UserStatus::Invited);
}
