//! The people of the demo: training institutions with their manager and tutors, and the
//! learner accounts.

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{Country, Language, Profession, Role, UserStatus};
use uuid::Uuid;

use super::Generator;
use super::batch::Batch;
use super::shape::{COUNTRIES, KINDS, kind_name, kind_weight};
use crate::entities::{institutions, users};

/// A learner as the rest of the generator needs them.
pub(super) struct Learner {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) country: Country,
    pub(super) profession: Profession,
    pub(super) language: Language,
}

/// A training institution that runs cohorts, with its two tutors.
#[derive(Clone, Copy)]
pub(super) struct Place {
    pub(super) institution_id: Uuid,
    pub(super) country: Country,
    pub(super) kind: InstitutionKind,
    pub(super) tutors: [Uuid; 2],
}

/// The institutions and their staff, before any learner.
pub(super) struct Institutions {
    pub(super) institutions: Vec<institutions::Model>,
    pub(super) staff: Vec<users::Model>,
    /// Where cohorts can run, weighted by how likely each place is to run one.
    pub(super) places: Vec<(Place, f64)>,
}

impl Generator<'_> {
    /// Institutions with their manager and two tutors, in every member state.
    pub(super) fn institutions(&mut self) -> Institutions {
        let mut institution_rows = Vec::new();
        let mut staff = Vec::new();
        let mut places = Vec::new();
        for &(country, weight, language, n) in COUNTRIES {
            for (i, kind) in KINDS.iter().take(n).enumerate() {
                let created = self.start - Duration::days(30);
                let id = self.rng.id_at(created);
                institution_rows.push(institutions::Model {
                    id,
                    name: format!("{} {}", kind_name(*kind), country.as_str()),
                    country: country.as_str().to_owned(),
                    kind: kind.as_str().to_owned(),
                    created_at: created,
                });
                let cc = country.as_str().to_lowercase();
                let mut people = Vec::new();
                for (role, who) in [
                    (Role::NtiManager, "manager"),
                    (Role::Tutor, "tutor1"),
                    (Role::Tutor, "tutor2"),
                ] {
                    let row = self.user(
                        format!("{who}.{i}@{cc}.demo.help-lms.example"),
                        format!("Demo {who} {} {i}", country.as_str()),
                        Profession::Other,
                        country,
                        language,
                        Some(id),
                        role,
                        created,
                    );
                    people.push(row.id);
                    staff.push(row);
                }
                places.push((
                    Place {
                        institution_id: id,
                        country,
                        kind: *kind,
                        tutors: [people[1], people[2]],
                    },
                    weight * kind_weight(*kind),
                ));
            }
        }
        Institutions {
            institutions: institution_rows,
            staff,
            places,
        }
    }

    /// An account: active with the demo password if there is one, else invited.
    #[allow(clippy::too_many_arguments)]
    fn user(
        &mut self,
        email: String,
        name: String,
        profession: Profession,
        country: Country,
        language: Language,
        institution_id: Option<Uuid>,
        role: Role,
        at: DateTime<Utc>,
    ) -> users::Model {
        let id = self.rng.id_at(at);
        let (status, hash) = match &self.password_hash {
            Some(h) => (UserStatus::Active, Some(h.clone())),
            None => (UserStatus::Invited, None),
        };
        users::Model {
            id,
            email,
            name,
            profession: profession.as_str().to_owned(),
            country: country.as_str().to_owned(),
            language: language.as_str().to_owned(),
            institution_id,
            role: role.as_str().to_owned(),
            status: status.as_str().to_owned(),
            password_hash: hash,
            created_at: at,
            updated_at: at,
            last_login_at: None,
            status_before_disabled: None,
            sessions_valid_from: None,
            erased_at: None,
        }
    }

    /// The next learner, registered the day before `at`; their account goes in the batch.
    pub(super) fn learner(
        &mut self,
        batch: &mut Batch,
        country: Country,
        profession: Profession,
        language: Language,
        institution_id: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Learner {
        let n = self.next_learner;
        self.next_learner += 1;
        let name = format!("Demo Learner {n}");
        let email = format!(
            "learner{n:06}@{}.demo.help-lms.example",
            country.as_str().to_lowercase()
        );
        let row = self.user(
            email,
            name.clone(),
            profession,
            country,
            language,
            institution_id,
            Role::Learner,
            at - Duration::days(1),
        );
        let id = row.id;
        batch.users.push(row);
        batch.learners += 1;
        Learner {
            id,
            name,
            country,
            profession,
            language,
        }
    }
}
