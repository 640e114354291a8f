//! Tutored cohorts: which institutions run them, in which course and language, when, and
//! for how many learners.

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::enrolment::{AfterEnd, CohortStatus, InstitutionKind};
use help_lms_domain::values::{Country, Language};
use uuid::Uuid;

use super::Generator;
use super::people::Place;
use super::shape::{courses_of, preferred_language};
use crate::entities::{cohort_tutors, cohorts};

/// A cohort and the learners it is to take.
pub(super) struct CohortPlan {
    pub(super) id: Uuid,
    pub(super) institution_id: Uuid,
    pub(super) country: Country,
    pub(super) kind: InstitutionKind,
    pub(super) course: &'static str,
    pub(super) language: Language,
    pub(super) starts: DateTime<Utc>,
    pub(super) ends: DateTime<Utc>,
    pub(super) size: usize,
}

/// The cohorts with their rows, one tutor each.
pub(super) struct Cohorts {
    pub(super) plans: Vec<CohortPlan>,
    pub(super) cohorts: Vec<cohorts::Model>,
    pub(super) tutors: Vec<cohort_tutors::Model>,
}

impl Generator<'_> {
    /// Cohorts of 20 to 100 learners until they hold `tutored` learners in all.
    pub(super) fn cohorts(&mut self, places: &[(Place, f64)], tutored: usize) -> Cohorts {
        let mut out = Cohorts {
            plans: Vec::new(),
            cohorts: Vec::new(),
            tutors: Vec::new(),
        };
        let mut planned = 0;
        while planned < tutored {
            let Place {
                institution_id,
                country,
                kind,
                tutors,
            } = self.rng.weighted(places);
            let course_slug = self.rng.weighted(courses_of(kind));
            let size = (20 + self.rng.below(81)).min(tutored - planned).max(1);
            let starts = self.enrolment_time();
            let ends = starts + Duration::weeks(8 + self.rng.below(7) as i64);
            let course = self.courses.get(course_slug);
            let language = course
                .map(|c| c.language_for(preferred_language(country)))
                .unwrap_or(Language::En);
            let id = self.rng.id_at(starts - Duration::days(14));
            let n = out.plans.len() + 1;
            out.cohorts.push(cohorts::Model {
                id,
                institution_id,
                course_id: course.map(|c| c.id).unwrap_or_default(),
                course_version_id: course.map(|c| c.version_id).unwrap_or_default(),
                language: language.as_str().to_owned(),
                name: format!("{} cohort {n}", country.as_str()),
                starts_on: starts.date_naive(),
                ends_on: ends.date_naive(),
                capacity: i32::try_from(size + self.rng.below(11)).unwrap_or(i32::MAX),
                status: if ends < self.anchor {
                    CohortStatus::Closed
                } else {
                    CohortStatus::Open
                }
                .as_str()
                .to_owned(),
                after_end: AfterEnd::ReadOnly.as_str().to_owned(),
                created_at: starts - Duration::days(14),
                updated_at: starts - Duration::days(14),
            });
            let tutor = tutors[self.rng.below(2)];
            out.tutors.push(cohort_tutors::Model {
                cohort_id: id,
                user_id: tutor,
            });
            out.plans.push(CohortPlan {
                id,
                institution_id,
                country,
                kind,
                course: course_slug,
                language,
                starts,
                ends,
                size,
            });
            planned += size;
        }
        out
    }
}
