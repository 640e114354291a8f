//! The rules of a cohort's fields: what makes a new cohort, or a change to one, valid.
//! The store passes in what it knows (the course's languages, which ids are tutors, how many
//! seats are taken); every wrong field is reported at once.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::ValidationErrors;
use crate::enrolment::AfterEnd;
use crate::values::{Language, Title};

/// Seats a cohort may have.
pub const CAPACITY: std::ops::RangeInclusive<i32> = 1..=5000;

/// A new cohort as asked for, before checking.
#[derive(Debug, Clone)]
pub struct CohortDraft {
    pub name: String,
    pub language: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub tutor_ids: Vec<Uuid>,
    /// What learners may do after the end date; `read_only` when absent.
    pub after_end: Option<String>,
}

/// What the rules need to know about the world around a cohort.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The languages of the published course named, or `None` when there is no such course.
    pub course_languages: Option<&'a [Language]>,
    /// Those of the proposed tutor ids that are tutors of the cohort's institution.
    pub tutors: &'a BTreeSet<Uuid>,
}

/// A new cohort whose fields are valid; tutor ids sorted and without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCohort {
    pub name: Title,
    pub language: Language,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub tutor_ids: Vec<Uuid>,
    pub after_end: AfterEnd,
}

impl NewCohort {
    pub fn check(draft: CohortDraft, ctx: Context<'_>) -> Result<NewCohort, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if ctx.course_languages.is_none() {
            errors.push(
                "course",
                "unknown_course",
                "no published course has this slug",
            );
        }
        let language = errors.check("language", Language::parse(&draft.language));
        if let (Some(available), Some(l)) = (ctx.course_languages, language)
            && !available.contains(&l)
        {
            errors.push(
                "language",
                "language_not_available",
                format!(
                    "the course is available in: {}",
                    available
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        let name = errors.check("name", Title::parse(&draft.name));
        check_dates(draft.starts_on, draft.ends_on, &mut errors);
        if !CAPACITY.contains(&draft.capacity) {
            errors.push("capacity", "out_of_range", capacity_message());
        }
        let tutor_ids = check_tutors(draft.tutor_ids, ctx.tutors, &mut errors);
        let after_end = match draft.after_end.as_deref() {
            None => Some(AfterEnd::ReadOnly),
            Some(s) => errors.check("after_end", AfterEnd::parse(s)),
        };
        match (name, language, after_end) {
            (Some(name), Some(language), Some(after_end)) if errors.is_empty() => Ok(NewCohort {
                name,
                language,
                starts_on: draft.starts_on,
                ends_on: draft.ends_on,
                capacity: draft.capacity,
                tutor_ids,
                after_end,
            }),
            _ => Err(errors),
        }
    }
}

/// A change to a cohort as asked for: absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct CohortPatch {
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub tutor_ids: Option<Vec<Uuid>>,
    pub after_end: Option<String>,
}

/// The cohort a change applies to, as it stands when the change is made.
#[derive(Debug, Clone, Copy)]
pub struct Current {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Enrolments that take a seat.
    pub enrolled: u64,
}

/// A valid change to a cohort.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortChange {
    pub name: Option<Title>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub tutor_ids: Option<Vec<Uuid>>,
    pub after_end: Option<AfterEnd>,
}

impl CohortChange {
    /// Checks the change against the cohort as it is: the dates stay in order, and the
    /// capacity is never set below the seats already taken.
    pub fn check(
        patch: CohortPatch,
        current: Current,
        tutors: &BTreeSet<Uuid>,
    ) -> Result<CohortChange, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = patch
            .name
            .as_deref()
            .and_then(|n| errors.check("name", Title::parse(n)));
        check_dates(
            patch.starts_on.unwrap_or(current.starts_on),
            patch.ends_on.unwrap_or(current.ends_on),
            &mut errors,
        );
        if let Some(cap) = patch.capacity {
            if !CAPACITY.contains(&cap) {
                errors.push("capacity", "out_of_range", capacity_message());
            } else if u64::try_from(cap).unwrap_or(0) < current.enrolled {
                errors.push(
                    "capacity",
                    "below_enrolled",
                    format!("{} learners are already enrolled", current.enrolled),
                );
            }
        }
        let tutor_ids = patch
            .tutor_ids
            .map(|t| check_tutors(t, tutors, &mut errors));
        let after_end = patch
            .after_end
            .as_deref()
            .and_then(|s| errors.check("after_end", AfterEnd::parse(s)));
        errors.into_result()?;
        Ok(CohortChange {
            name,
            starts_on: patch.starts_on,
            ends_on: patch.ends_on,
            capacity: patch.capacity,
            tutor_ids,
            after_end,
        })
    }
}

fn capacity_message() -> String {
    format!(
        "capacity is {} to {} seats",
        CAPACITY.start(),
        CAPACITY.end()
    )
}

fn check_dates(starts_on: NaiveDate, ends_on: NaiveDate, errors: &mut ValidationErrors) {
    if ends_on < starts_on {
        errors.push(
            "ends_on",
            "before_start",
            "the cohort must end on or after its start",
        );
    }
}

/// Reports every id that is not a tutor of the institution, the same way whether or not
/// the account exists, so nothing leaks about other institutions; returns the ids sorted
/// and deduplicated.
fn check_tutors(
    mut ids: Vec<Uuid>,
    tutors: &BTreeSet<Uuid>,
    errors: &mut ValidationErrors,
) -> Vec<Uuid> {
    for (i, id) in ids.iter().enumerate() {
        if !tutors.contains(id) {
            errors.push(
                format!("tutor_ids.{i}"),
                "not_a_tutor",
                "not a tutor of this institution",
            );
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn draft() -> CohortDraft {
        CohortDraft {
            name: "  Juges 2027 ".into(),
            language: "fr".into(),
            starts_on: day("2027-01-11"),
            ends_on: day("2027-04-09"),
            capacity: 50,
            tutor_ids: Vec::new(),
            after_end: None,
        }
    }

    fn codes(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|f| (f.field.as_str(), f.code)).collect()
    }

    const EN_FR: &[Language] = &[Language::En, Language::Fr];

    #[test]
    fn a_valid_draft_is_trimmed_and_its_tutors_sorted_once() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let tutors = BTreeSet::from([a, b]);
        let mut d = draft();
        d.tutor_ids = vec![b, a, b];
        let c = NewCohort::check(
            d,
            Context {
                course_languages: Some(EN_FR),
                tutors: &tutors,
            },
        )
        .unwrap();
        assert_eq!(c.name.as_str(), "Juges 2027");
        assert_eq!(c.language, Language::Fr);
        assert_eq!(c.tutor_ids, vec![a, b]);
    }

    #[test]
    fn every_wrong_field_of_a_draft_is_reported_in_field_order() {
        let stranger = Uuid::now_v7();
        let d = CohortDraft {
            name: " ".into(),
            language: "xx".into(),
            starts_on: day("2027-05-01"),
            ends_on: day("2027-01-01"),
            capacity: 0,
            tutor_ids: vec![stranger],
            after_end: Some("forever".into()),
        };
        let e = NewCohort::check(
            d,
            Context {
                course_languages: None,
                tutors: &BTreeSet::new(),
            },
        )
        .unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("course", "unknown_course"),
                ("language", "invalid_language"),
                ("name", "invalid_name"),
                ("ends_on", "before_start"),
                ("capacity", "out_of_range"),
                ("tutor_ids.0", "not_a_tutor"),
                ("after_end", "invalid_after_end"),
            ]
        );
    }

    #[test]
    fn the_language_must_be_one_of_the_courses() {
        let mut d = draft();
        d.language = "de".into();
        let e = NewCohort::check(
            d,
            Context {
                course_languages: Some(EN_FR),
                tutors: &BTreeSet::new(),
            },
        )
        .unwrap_err();
        assert_eq!(codes(&e), [("language", "language_not_available")]);
        assert_eq!(e.0[0].message, "the course is available in: en, fr");
    }

    #[test]
    fn capacity_bounds() {
        for (cap, ok) in [
            (0, false),
            (1, true),
            (5000, true),
            (5001, false),
            (-3, false),
        ] {
            let mut d = draft();
            d.capacity = cap;
            let r = NewCohort::check(
                d,
                Context {
                    course_languages: Some(EN_FR),
                    tutors: &BTreeSet::new(),
                },
            );
            assert_eq!(r.is_ok(), ok, "{cap}");
        }
    }

    fn current(enrolled: u64) -> Current {
        Current {
            starts_on: day("2027-01-11"),
            ends_on: day("2027-04-09"),
            enrolled,
        }
    }

    #[test]
    fn a_change_is_checked_against_the_cohort_as_it_is() {
        // Moving only the start past the current end is refused.
        let e = CohortChange::check(
            CohortPatch {
                starts_on: Some(day("2027-05-01")),
                ..Default::default()
            },
            current(0),
            &BTreeSet::new(),
        )
        .unwrap_err();
        assert_eq!(codes(&e), [("ends_on", "before_start")]);
        // Moving both together is fine.
        let c = CohortChange::check(
            CohortPatch {
                starts_on: Some(day("2027-05-01")),
                ends_on: Some(day("2027-06-01")),
                name: Some(" Juges ".into()),
                ..Default::default()
            },
            current(0),
            &BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(c.name.unwrap().as_str(), "Juges");
    }

    #[test]
    fn capacity_never_drops_below_the_seats_taken() {
        let patch = |cap| CohortPatch {
            capacity: Some(cap),
            ..Default::default()
        };
        let e = CohortChange::check(patch(2), current(3), &BTreeSet::new()).unwrap_err();
        assert_eq!(codes(&e), [("capacity", "below_enrolled")]);
        assert_eq!(e.0[0].message, "3 learners are already enrolled");
        assert!(CohortChange::check(patch(3), current(3), &BTreeSet::new()).is_ok());
        let e = CohortChange::check(patch(0), current(0), &BTreeSet::new()).unwrap_err();
        assert_eq!(codes(&e), [("capacity", "out_of_range")]);
    }

    #[test]
    fn every_wrong_field_of_a_change_is_reported() {
        let e = CohortChange::check(
            CohortPatch {
                name: Some(String::new()),
                ends_on: Some(day("2026-01-01")),
                capacity: Some(1),
                tutor_ids: Some(vec![Uuid::now_v7()]),
                ..Default::default()
            },
            current(2),
            &BTreeSet::new(),
        )
        .unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("name", "invalid_name"),
                ("ends_on", "before_start"),
                ("capacity", "below_enrolled"),
                ("tutor_ids.0", "not_a_tutor"),
            ]
        );
    }
}
