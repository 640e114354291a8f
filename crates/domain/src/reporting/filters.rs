//! What a statistics request asks for: the dimensions to group by and the filters, parsed
//! from comma-separated lists into domain values, every wrong field reported at once.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Dimension, Mode};
use crate::validation::{ValidationErrors, ValueError};
use crate::values::{Country, Language, Profession};

/// What the caller asked to count; an empty list means "any". The course ids are resolved
/// from slugs by the caller (they need the catalogue); everything else is parsed here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub courses: Vec<Uuid>,
    pub countries: Vec<Country>,
    pub professions: Vec<Profession>,
    pub institutions: Vec<Uuid>,
    pub cohorts: Vec<Uuid>,
    pub languages: Vec<Language>,
    pub modes: Vec<Mode>,
    /// Enrolled on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Enrolled on or before this day (UTC).
    pub to: Option<NaiveDate>,
}

/// The filters as a request carries them: each one value or a comma-separated list.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawFilters<'a> {
    pub country: Option<&'a str>,
    pub profession: Option<&'a str>,
    pub institution: Option<&'a str>,
    pub cohort: Option<&'a str>,
    pub language: Option<&'a str>,
    pub mode: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

/// The values of a comma-separated list, trimmed. A blank value stays, for its parser to
/// refuse: `country=` names no country, and is not the same as leaving the filter out.
pub fn list(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.into_iter().flat_map(|r| r.split(',')).map(str::trim)
}

/// A day as `YYYY-MM-DD`, when one is given; a blank one is not a day.
pub fn parse_day(raw: Option<&str>) -> Result<Option<NaiveDate>, ValueError> {
    let Some(v) = raw.map(str::trim) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ValueError::new("invalid_date", "a date as YYYY-MM-DD"))
}

fn each<T>(
    errors: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Vec<T> {
    list(raw)
        .filter_map(|v| errors.check(field, parse(v)))
        .collect()
}

fn quoted(v: &str) -> String {
    v.chars().take(40).collect()
}

impl Filters {
    /// Parses every filter but the course, recording each wrong value under its field.
    /// Country codes are case-insensitive (EL is Greece), professions and languages too.
    pub fn parse(raw: RawFilters<'_>, errors: &mut ValidationErrors) -> Filters {
        let countries = each(errors, "country", raw.country, Country::parse_lenient);
        let professions = each(errors, "profession", raw.profession, |v| {
            Profession::parse(&v.to_lowercase())
        });
        let languages = each(errors, "language", raw.language, |v| {
            Language::parse(&v.to_lowercase())
        });
        let modes = each(errors, "mode", raw.mode, |v| {
            Mode::parse(v).ok_or_else(|| {
                ValueError::new(
                    "invalid_mode",
                    format!(
                        "'{}' is not a mode; expected self_study or tutored",
                        quoted(v)
                    ),
                )
            })
        });
        let institutions = each(errors, "institution", raw.institution, |v| {
            Uuid::parse_str(v)
                .map_err(|_| ValueError::new("invalid_id", "an institution id (UUID)"))
        });
        let cohorts = each(errors, "cohort", raw.cohort, |v| {
            Uuid::parse_str(v).map_err(|_| ValueError::new("invalid_id", "a cohort id (UUID)"))
        });
        let from = errors.check("from", parse_day(raw.from)).flatten();
        let to = errors.check("to", parse_day(raw.to)).flatten();
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push("to", "before_from", "the range ends before it starts");
        }
        Filters {
            courses: Vec::new(),
            countries,
            professions,
            institutions,
            cohorts,
            languages,
            modes,
            from,
            to,
        }
    }
}

/// The dimensions to group by, in the order asked, each once; case-insensitive.
pub fn parse_group_by(raw: Option<&str>, errors: &mut ValidationErrors) -> Vec<Dimension> {
    let mut out: Vec<Dimension> = Vec::new();
    for v in list(raw) {
        match Dimension::parse(&v.to_lowercase()) {
            Some(d) if !out.contains(&d) => out.push(d),
            Some(_) => {}
            None => errors.push(
                "group_by",
                "unknown_dimension",
                format!(
                    "'{}' is not a dimension; expected any of: {}",
                    quoted(v),
                    Dimension::ALL
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|f| (f.field.as_str(), f.code)).collect()
    }

    #[test]
    fn lists_are_trimmed_and_keep_blanks_for_their_parsers_to_refuse() {
        assert_eq!(
            list(Some(" a, b ,,c ")).collect::<Vec<_>>(),
            ["a", "b", "", "c"]
        );
        assert_eq!(list(Some("")).collect::<Vec<_>>(), [""]);
        assert_eq!(list(None).count(), 0);
        let mut e = ValidationErrors::new();
        Filters::parse(
            RawFilters {
                mode: Some(""),
                country: Some("RO,"),
                ..Default::default()
            },
            &mut e,
        );
        let named: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["country", "mode"], "{e:?}");
    }

    #[test]
    fn group_by_keeps_the_order_asked_once_each() {
        for (raw, expected) in [
            (None, vec![]),
            (Some("country"), vec![Dimension::Country]),
            (
                Some("Month, course,month"),
                vec![Dimension::Month, Dimension::Course],
            ),
            (
                Some("mode,INSTITUTION"),
                vec![Dimension::Mode, Dimension::Institution],
            ),
        ] {
            let mut e = ValidationErrors::new();
            assert_eq!(parse_group_by(raw, &mut e), expected, "{raw:?}");
            assert!(e.is_empty(), "{raw:?}");
        }
        let mut e = ValidationErrors::new();
        parse_group_by(Some(""), &mut e);
        assert_eq!(e.0[0].code, "unknown_dimension", "a blank is no dimension");
    }

    #[test]
    fn an_unknown_dimension_is_named_with_the_known_ones() {
        let mut e = ValidationErrors::new();
        let got = parse_group_by(Some("country,planet,galaxy"), &mut e);
        assert_eq!(got, [Dimension::Country]);
        assert_eq!(
            fields(&e),
            [
                ("group_by", "unknown_dimension"),
                ("group_by", "unknown_dimension")
            ]
        );
        assert_eq!(
            e.0[0].message,
            "'planet' is not a dimension; expected any of: course, country, profession, \
             institution, cohort, language, mode, month"
        );
    }

    #[test]
    fn filters_parse_into_canonical_values() {
        let inst = Uuid::from_u128(7);
        let mut e = ValidationErrors::new();
        let f = Filters::parse(
            RawFilters {
                country: Some("fr, el,DE"),
                profession: Some("Judge,lawyer"),
                institution: Some(&inst.to_string()),
                cohort: None,
                language: Some("EN"),
                mode: Some("tutored"),
                from: Some(" 2026-01-01 "),
                to: Some("2026-12-31"),
            },
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(f.countries, [Country::Fr, Country::Gr, Country::De]);
        assert_eq!(f.professions, [Profession::Judge, Profession::Lawyer]);
        assert_eq!(f.institutions, [inst]);
        assert!(f.cohorts.is_empty() && f.courses.is_empty());
        assert_eq!(f.languages, [Language::En]);
        assert_eq!(f.modes, [Mode::Tutored]);
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(f.to, NaiveDate::from_ymd_opt(2026, 12, 31));
    }

    #[test]
    fn every_wrong_filter_is_named_in_field_order() {
        let mut e = ValidationErrors::new();
        let f = Filters::parse(
            RawFilters {
                country: Some("XX,FR"),
                profession: Some("astronaut"),
                institution: Some("nope"),
                cohort: Some("also-nope"),
                language: Some("tlh"),
                mode: Some("remote"),
                from: Some("2026-13-01"),
                to: Some("yesterday"),
            },
            &mut e,
        );
        assert_eq!(
            fields(&e),
            [
                ("country", "invalid_country"),
                ("profession", "invalid_profession"),
                ("language", "invalid_language"),
                ("mode", "invalid_mode"),
                ("institution", "invalid_id"),
                ("cohort", "invalid_id"),
                ("from", "invalid_date"),
                ("to", "invalid_date"),
            ]
        );
        assert_eq!(f.countries, [Country::Fr]);
        assert_eq!(
            e.0[3].message,
            "'remote' is not a mode; expected self_study or tutored"
        );
    }

    #[test]
    fn a_range_may_not_end_before_it_starts() {
        for (from, to, ok) in [
            ("2026-02-01", "2026-01-31", false),
            ("2026-02-01", "2026-02-01", true),
        ] {
            let mut e = ValidationErrors::new();
            Filters::parse(
                RawFilters {
                    from: Some(from),
                    to: Some(to),
                    ..Default::default()
                },
                &mut e,
            );
            let expected: &[(&str, &str)] = if ok { &[] } else { &[("to", "before_from")] };
            assert_eq!(fields(&e), expected, "{from}..{to}");
        }
        let mut e = ValidationErrors::new();
        Filters::parse(
            RawFilters {
                from: Some(""),
                to: Some("2026-01-31"),
                ..Default::default()
            },
            &mut e,
        );
        assert_eq!(
            fields(&e),
            [("from", "invalid_date")],
            "a blank day is not a day"
        );
    }

    #[test]
    fn days_are_iso_dates_when_given() {
        assert_eq!(parse_day(None), Ok(None));
        assert!(parse_day(Some("")).is_err());
        assert!(parse_day(Some("  ")).is_err());
        assert_eq!(
            parse_day(Some("2026-02-28")),
            Ok(NaiveDate::from_ymd_opt(2026, 2, 28))
        );
        for bad in ["2026-02-30", "28/02/2026", "2026-2"] {
            assert_eq!(
                parse_day(Some(bad)).unwrap_err().code,
                "invalid_date",
                "{bad}"
            );
        }
    }
}
