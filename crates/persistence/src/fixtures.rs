//! Rows the service tests of cohorts and enrolments build on: an institution, its tutor
//! and an open cohort of the tiny test course.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::NaiveDate;
use help_lms_domain::cohorts::CohortDraft;
use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{
    Country, Email, Language, PersonName, Profession, Role, Title, UserStatus,
};
use uuid::Uuid;

use crate::accounts::{self, NewUser};
use crate::cohorts::{self, Cohort};
use crate::{Db, institutions};

/// The course of `test_support::tiny_course`, offered in English only.
pub const COURSE: &str = "tiny-course";

pub struct Nti {
    pub institution_id: Uuid,
    pub tutor_id: Uuid,
}

pub async fn nti(db: &Db) -> Nti {
    let inst = institutions::create(
        db,
        &Title::parse("Institut national").unwrap(),
        Country::Fr,
        InstitutionKind::JudicialTraining,
    )
    .await
    .unwrap();
    let tutor = accounts::insert(
        &db.conn,
        NewUser {
            email: Email::parse(&format!("tutor-{}@inm.example", Uuid::now_v7().simple())).unwrap(),
            name: PersonName::parse("Tuteur").unwrap(),
            profession: Profession::Judge,
            country: Country::Fr,
            language: Language::Fr,
            institution_id: Some(inst.id),
            role: Role::Tutor,
            status: UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap();
    Nti {
        institution_id: inst.id,
        tutor_id: tutor.id,
    }
}

pub fn draft(capacity: i32, tutor_ids: Vec<Uuid>) -> CohortDraft {
    CohortDraft {
        name: "Juges 2027".into(),
        language: "en".into(),
        starts_on: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2027, 4, 9).unwrap(),
        capacity,
        tutor_ids,
        after_end: None,
    }
}

/// Writes every message as its kind's name: for service tests that do not read mail.
pub struct PlainMail;

impl crate::outbox::Compose for PlainMail {
    fn compose(
        &self,
        to: crate::outbox::Recipient<'_>,
        notice: crate::outbox::Notice<'_>,
    ) -> crate::outbox::OutgoingMail {
        crate::outbox::OutgoingMail {
            to: to.email.to_owned(),
            to_name: to.name.to_owned(),
            language: to.language.as_str().to_owned(),
            subject: format!("{notice:?}"),
            text: String::new(),
            html: String::new(),
        }
    }
}

/// The course imported, an institution and an open cohort of it.
pub async fn cohort(db: &Db, capacity: i32) -> (Nti, Cohort) {
    crate::test_support::tiny_course(db).await;
    let nti = nti(db).await;
    let c = cohorts::create(
        db,
        nti.institution_id,
        COURSE,
        draft(capacity, vec![nti.tutor_id]),
    )
    .await
    .unwrap();
    (nti, c)
}
