//! The programme's targets: what makes one valid, and how far along it is.

use chrono::NaiveDate;

use super::Metric;
use super::filters::parse_day;
use crate::validation::ValidationErrors;
use crate::values::{Country, Profession, Title};

/// A target as it is submitted, before validation.
#[derive(Debug, Clone, Copy)]
pub struct TargetDraft<'a> {
    pub name: &'a str,
    pub metric: &'a str,
    pub target: i64,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub profession: Option<&'a str>,
    pub country: Option<&'a str>,
}

/// A valid target: what it counts, how many, over which period and learners. The course
/// is resolved from its slug by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    pub name: Title,
    pub metric: Metric,
    pub target: i64,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub profession: Option<Profession>,
    pub country: Option<Country>,
}

impl TargetSpec {
    /// The largest number a target may ask for.
    pub const MAX: i64 = 100_000_000;

    /// Validates every field, recording each wrong one; `None` if any was.
    pub fn parse(d: TargetDraft<'_>, errors: &mut ValidationErrors) -> Option<TargetSpec> {
        let before = errors.0.len();
        let name = errors.check("name", Title::parse(d.name));
        let metric = Metric::parse(d.metric.trim());
        if metric.is_none() {
            errors.push(
                "metric",
                "invalid_metric",
                "the metric is enrolled, completed or certificates",
            );
        }
        if !(1..=Self::MAX).contains(&d.target) {
            errors.push("target", "out_of_range", "the target is 1 to 100,000,000");
        }
        let period_from = errors.check("from", parse_day(d.from)).flatten();
        let period_to = errors.check("to", parse_day(d.to)).flatten();
        if let (Some(f), Some(t)) = (period_from, period_to)
            && t < f
        {
            errors.push("to", "before_from", "the period ends before it starts");
        }
        let profession = blank(d.profession)
            .and_then(|p| errors.check("profession", Profession::parse(&p.to_lowercase())));
        let country = blank(d.country).and_then(|c| errors.check("country", Country::parse(c)));
        if errors.0.len() > before {
            return None;
        }
        Some(TargetSpec {
            name: name?,
            metric: metric?,
            target: d.target,
            period_from,
            period_to,
            profession,
            country,
        })
    }
}

fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// `current / target` in percent, 2 decimals (may exceed 100); 0 for a target of 0.
pub fn percent_achieved(current: u64, target: i64) -> f64 {
    if target > 0 {
        ((current as f64 / target as f64) * 10000.0).round() / 100.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft<'a>() -> TargetDraft<'a> {
        TargetDraft {
            name: "  Judges completing, 2027 ",
            metric: "completed",
            target: 500,
            from: Some("2027-01-01"),
            to: Some("2027-12-31"),
            profession: Some("Judge"),
            country: Some("EL"),
        }
    }

    fn codes(d: TargetDraft<'_>) -> Vec<(String, &'static str)> {
        let mut e = ValidationErrors::new();
        let spec = TargetSpec::parse(d, &mut e);
        assert_eq!(spec.is_none(), !e.is_empty());
        e.0.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn a_valid_target_is_trimmed_and_canonical() {
        let mut e = ValidationErrors::new();
        let t = TargetSpec::parse(draft(), &mut e).unwrap();
        assert!(e.is_empty());
        assert_eq!(t.name.as_str(), "Judges completing, 2027");
        assert_eq!(t.metric, Metric::Completed);
        assert_eq!(t.profession, Some(Profession::Judge));
        assert_eq!(t.country, Some(Country::Gr));
        assert_eq!(t.period_from, NaiveDate::from_ymd_opt(2027, 1, 1));
        let open = TargetSpec::parse(
            TargetDraft {
                from: None,
                to: None,
                profession: Some(" "),
                country: None,
                ..draft()
            },
            &mut e,
        )
        .unwrap();
        assert_eq!(
            (
                open.period_from,
                open.period_to,
                open.profession,
                open.country
            ),
            (None, None, None, None)
        );
    }

    #[test]
    fn each_wrong_field_is_named() {
        let f = |field: &str, code: &'static str| vec![(field.to_owned(), code)];
        let long = "x".repeat(201);
        for (d, expected) in [
            (
                TargetDraft {
                    name: " ",
                    ..draft()
                },
                f("name", "invalid_name"),
            ),
            (
                TargetDraft {
                    name: &long,
                    ..draft()
                },
                f("name", "invalid_name"),
            ),
            (
                TargetDraft {
                    metric: "learners",
                    ..draft()
                },
                f("metric", "invalid_metric"),
            ),
            (
                TargetDraft {
                    target: 0,
                    ..draft()
                },
                f("target", "out_of_range"),
            ),
            (
                TargetDraft {
                    target: TargetSpec::MAX + 1,
                    ..draft()
                },
                f("target", "out_of_range"),
            ),
            (
                TargetDraft {
                    from: Some("2027-06-01"),
                    to: Some("2027-05-31"),
                    ..draft()
                },
                f("to", "before_from"),
            ),
            (
                TargetDraft {
                    from: Some("June"),
                    ..draft()
                },
                f("from", "invalid_date"),
            ),
            (
                TargetDraft {
                    profession: Some("astronaut"),
                    ..draft()
                },
                f("profession", "invalid_profession"),
            ),
            (
                TargetDraft {
                    country: Some("XX"),
                    ..draft()
                },
                f("country", "invalid_country"),
            ),
            (
                // A JSON body takes the codes as the schema lists them.
                TargetDraft {
                    country: Some("ua"),
                    ..draft()
                },
                f("country", "invalid_country"),
            ),
        ] {
            assert_eq!(codes(d), expected);
        }
        assert_eq!(codes(draft()), vec![]);
    }

    #[test]
    fn the_percentage_achieved() {
        for (current, target, percent) in [
            (0, 10, 0.0),
            (1, 3, 33.33),
            (2, 3, 66.67),
            (15, 10, 150.0),
            (5, 0, 0.0),
        ] {
            assert_eq!(
                percent_achieved(current, target),
                percent,
                "{current}/{target}"
            );
        }
    }
}
