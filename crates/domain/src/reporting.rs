//! The rules of the statistics: the reporting dimensions of an enrolment, who may count
//! which enrolments, what a target counts, rounding and the suppression of small cells.

mod filters;
pub mod marks;
mod median;
mod targets;

pub use filters::{Filters, RawFilters, list, parse_day, parse_group_by};
pub use median::{bucket_of, bucket_width, median_of_histogram};
pub use targets::{TargetDraft, TargetSpec, percent_achieved};

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// How an enrolment is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    SelfStudy,
    Tutored,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::SelfStudy, Mode::Tutored];

    /// Enrolments in a cohort are tutored; the others are self-study.
    pub fn of(in_cohort: bool) -> Mode {
        if in_cohort {
            Mode::Tutored
        } else {
            Mode::SelfStudy
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::SelfStudy => "self_study",
            Mode::Tutored => "tutored",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What completion statistics can be grouped and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Course,
    Country,
    Profession,
    Institution,
    Cohort,
    Language,
    Mode,
    Month,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Course,
        Dimension::Country,
        Dimension::Profession,
        Dimension::Institution,
        Dimension::Cohort,
        Dimension::Language,
        Dimension::Mode,
        Dimension::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Course => "course",
            Dimension::Country => "country",
            Dimension::Profession => "profession",
            Dimension::Institution => "institution",
            Dimension::Cohort => "cohort",
            Dimension::Language => "language",
            Dimension::Mode => "mode",
            Dimension::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Whether the values are ids (of a course, institution or cohort), shown with a name.
    pub fn is_id(self) -> bool {
        matches!(
            self,
            Dimension::Course | Dimension::Institution | Dimension::Cohort
        )
    }
}

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Distinct learners enrolled (in the period: enrolled in it).
    Enrolled,
    /// Distinct learners who completed (in the period: completed in it).
    Completed,
    /// Certificates issued and not revoked (in the period: issued in it).
    Certificates,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Enrolled, Metric::Completed, Metric::Certificates];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Enrolled => "enrolled",
            Metric::Completed => "completed",
            Metric::Certificates => "certificates",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Which enrolments a caller may count at all. Applied in addition to the filters, so no
/// filter can widen it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Admins.
    All,
    /// An NTI manager: enrolments in the cohorts of their institution.
    Institution(Uuid),
    /// A tutor: enrolments in the cohorts they tutor (possibly none).
    Cohorts(Vec<Uuid>),
}

impl Scope {
    /// Whether a cohort (of `institution_id`) lies within the scope.
    pub fn covers_cohort(&self, cohort_id: Uuid, institution_id: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Institution(mine) => *mine == institution_id,
            Scope::Cohorts(mine) => mine.contains(&cohort_id),
        }
    }
}

/// The month of a moment, as the statistics group it: `YYYY-MM` (UTC).
pub fn month_of(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}

/// Whole days from `from` to `to` (never negative).
pub fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i32 {
    i32::try_from(std::cmp::max((to - from).num_days(), 0)).unwrap_or(i32::MAX)
}

/// Whether a cell of `count` enrolments is too small to show to someone who is not an
/// admin (`threshold` 0 or 1 shows everything).
pub fn is_small(count: u64, threshold: u64) -> bool {
    count < threshold
}

/// `x` rounded to `decimals` decimals, as every figure of the statistics is.
pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// `part / of`, 4 decimals; none when `of` is 0.
pub fn share(part: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| round(part as f64 / of as f64, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_modes_and_metrics_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
            assert_eq!(
                serde_json::to_value(d).unwrap(),
                serde_json::json!(d.as_str())
            );
        }
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::json!(m.as_str())
            );
        }
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::json!(m.as_str())
            );
        }
        assert_eq!(Dimension::parse("planet"), None);
        assert_eq!(Dimension::parse("Course"), None);
        assert_eq!(Mode::parse("tutored"), Some(Mode::Tutored));
        assert_eq!(Mode::of(false), Mode::SelfStudy);
        assert_eq!(Mode::of(true), Mode::Tutored);
        assert_eq!(Metric::parse("certificates"), Some(Metric::Certificates));
        assert_eq!(Metric::parse("learners"), None);
    }

    #[test]
    fn ids_are_the_course_institution_and_cohort() {
        let ids: Vec<Dimension> = Dimension::ALL.into_iter().filter(|d| d.is_id()).collect();
        assert_eq!(
            ids,
            [Dimension::Course, Dimension::Institution, Dimension::Cohort]
        );
    }

    #[test]
    fn months_and_days() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let a = at("2026-01-31T23:00:00Z");
        let b = at("2026-02-02T22:59:59Z");
        assert_eq!(month_of(a), "2026-01");
        assert_eq!(month_of(b), "2026-02");
        assert_eq!(month_of(at("2026-03-01T00:30:00+01:00")), "2026-02");
        assert_eq!(days_between(a, b), 1);
        assert_eq!(days_between(b, a), 0);
        assert_eq!(days_between(a, a), 0);
    }

    #[test]
    fn small_cells() {
        for (count, threshold, small) in [
            (4, 5, true),
            (5, 5, false),
            (0, 0, false),
            (0, 1, true),
            (1, 1, false),
            (1_000, 5, false),
        ] {
            assert_eq!(is_small(count, threshold), small, "{count} < {threshold}");
        }
    }

    #[test]
    fn rounding_and_shares() {
        assert_eq!(round(2.0 / 3.0, 4), 0.6667);
        assert_eq!(round(2.0 / 3.0, 2), 0.67);
        assert_eq!(round(81.125, 0), 81.0);
        assert_eq!(share(1, 3), Some(0.3333));
        assert_eq!(share(3, 3), Some(1.0));
        assert_eq!(share(0, 0), None);
    }

    #[test]
    fn a_scope_covers_its_own_cohorts_only() {
        let (inst, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (c1, c2) = (Uuid::from_u128(10), Uuid::from_u128(20));
        assert!(Scope::All.covers_cohort(c1, other));
        assert!(Scope::Institution(inst).covers_cohort(c1, inst));
        assert!(!Scope::Institution(inst).covers_cohort(c1, other));
        assert!(Scope::Cohorts(vec![c1]).covers_cohort(c1, other));
        assert!(!Scope::Cohorts(vec![c1]).covers_cohort(c2, inst));
        assert!(!Scope::Cohorts(vec![]).covers_cohort(c1, inst));
    }
}
