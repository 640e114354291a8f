//! Checks on the formatted strings a statement carries: IRIs, mailto addresses, UUIDs,
//! RFC 5646 language tags, ISO 8601 durations, RFC 3339 timestamps, versions and media
//! types. Each check works on the string alone and knows nothing of where it appears.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::Value;

/// Whether `s` is an absolute IRI: a scheme as RFC 3987 defines it (a letter, then
/// letters, digits, `+`, `-` or `.`), a colon, and a non-empty rest without spaces, control
/// characters or the characters IRIs never contain (`<`, `>`, `"`, `{`, `}`, `|`, `\`, `^`,
/// `` ` ``). A `%` must start a percent-encoded octet.
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    let starts_with_letter = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_with_letter
        || !scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return false;
    }
    if rest.is_empty() {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    !rest.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
    })
}

/// Whether `s` is a `mailto:` IRI holding one e-mail address (the scheme may be written in
/// any case).
pub(crate) fn is_mailto(s: &str) -> bool {
    let Some(address) = strip_mailto(s) else {
        return false;
    };
    is_iri(s) && is_email(address)
}

/// The address part of a `mailto:` IRI, whatever the case of its scheme.
pub(crate) fn strip_mailto(s: &str) -> Option<&str> {
    let scheme = s.get(..7)?;
    scheme
        .eq_ignore_ascii_case("mailto:")
        .then(|| s.get(7..))
        .flatten()
}

/// A plain `local@domain` address: a non-empty local part without `@`, and a domain of
/// non-empty dot-separated labels made of letters, digits and hyphens (any non-ASCII letter
/// counts, for internationalised domains), not starting or ending with a hyphen.
fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || !c.is_ascii() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    local_ok
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
                })
        })
}

/// Whether `s` is a UUID in its hyphenated form (8-4-4-4-12 hexadecimal digits, in either
/// case). Any version and variant is accepted.
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether `s` is a string of hexadecimal digits of exactly `len` characters.
pub(crate) fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `v` is a language map: a JSON object whose keys are RFC 5646 language tags and
/// whose values are strings.
pub fn is_language_map(v: &Value) -> bool {
    v.as_object().is_some_and(|map| {
        map.iter()
            .all(|(tag, text)| is_language_tag(tag) && text.is_string())
    })
}

/// Tags RFC 5646 keeps from earlier registrations that do not follow its grammar.
const GRANDFATHERED: [&str; 26] = [
    "en-gb-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-be-fr",
    "sgn-be-nl",
    "sgn-ch-de",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

/// Whether `tag` is a well-formed RFC 5646 language tag (`en`, `en-US`, `zh-Hans-CN`,
/// `sr-Latn-RS`, `de-CH-1901`, `x-private`, `i-klingon`...). Subtags are compared without
/// regard to case; a tag repeating a variant or an extension singleton is refused.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    if GRANDFATHERED.contains(&lower.as_str()) {
        return true;
    }
    let subtags: Vec<&str> = lower.split('-').collect();
    if subtags
        .iter()
        .any(|s| s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let digit = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mut rest = subtags.as_slice();
    if rest.first() == Some(&"x") {
        return is_private_use(rest);
    }
    // language
    let Some((language, tail)) = rest.split_first() else {
        return false;
    };
    if !alpha(language) || language.len() < 2 {
        return false;
    }
    rest = tail;
    if language.len() <= 3 {
        // up to three extended language subtags
        let mut extlangs = 0;
        while extlangs < 3 && rest.first().is_some_and(|s| s.len() == 3 && alpha(s)) {
            rest = &rest[1..];
            extlangs += 1;
        }
    }
    // script
    if rest.first().is_some_and(|s| s.len() == 4 && alpha(s)) {
        rest = &rest[1..];
    }
    // region
    if rest
        .first()
        .is_some_and(|s| (s.len() == 2 && alpha(s)) || (s.len() == 3 && digit(s)))
    {
        rest = &rest[1..];
    }
    // variants
    let mut variants: Vec<&str> = Vec::new();
    while let Some(s) = rest.first() {
        let is_variant = (5..=8).contains(&s.len())
            || (s.len() == 4 && s.as_bytes().first().is_some_and(u8::is_ascii_digit));
        if !is_variant {
            break;
        }
        if variants.contains(s) {
            return false;
        }
        variants.push(s);
        rest = &rest[1..];
    }
    // extensions
    let mut singletons: Vec<&str> = Vec::new();
    while let Some(s) = rest.first() {
        if s.len() != 1 || *s == "x" {
            break;
        }
        if singletons.contains(s) {
            return false;
        }
        singletons.push(s);
        rest = &rest[1..];
        let mut parts = 0;
        while rest.first().is_some_and(|s| s.len() >= 2) {
            rest = &rest[1..];
            parts += 1;
        }
        if parts == 0 {
            return false;
        }
    }
    rest.is_empty() || (rest.first() == Some(&"x") && is_private_use(rest))
}

/// `x` followed by one or more subtags of one to eight characters (already checked to be
/// alphanumeric).
fn is_private_use(subtags: &[&str]) -> bool {
    subtags.len() >= 2 && subtags.first() == Some(&"x")
}

/// Whether `s` is an ISO 8601 duration in the format of ISO 8601:2004 section 4.4.3.2:
/// `P` then years, months, days (`P1Y2M3D`), and after `T` hours, minutes, seconds
/// (`PT4H35M59.14S`), or weeks alone (`P4W`). Only the last component given may carry a
/// decimal fraction.
pub(crate) fn is_duration(s: &str) -> bool {
    let Some(body) = s.strip_prefix('P') else {
        return false;
    };
    if let Some(weeks) = body.strip_suffix('W') {
        return is_decimal(weeks);
    }
    let (date, time) = match body.split_once('T') {
        Some((date, time)) => {
            if time.is_empty() {
                return false;
            }
            (date, Some(time))
        }
        None => (body, None),
    };
    let mut components = Vec::new();
    if !split_components(date, &['Y', 'M', 'D'], &mut components) {
        return false;
    }
    if let Some(time) = time
        && !split_components(time, &['H', 'M', 'S'], &mut components)
    {
        return false;
    }
    let Some((last, earlier)) = components.split_last() else {
        return false;
    };
    earlier
        .iter()
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && is_decimal(last)
}

/// Splits `part` into its numbers, each followed by one of `designators` in that order
/// (each at most once). Returns false if anything else is found.
fn split_components<'a>(part: &'a str, designators: &[char], out: &mut Vec<&'a str>) -> bool {
    let mut rest = part;
    let mut next = 0;
    while !rest.is_empty() {
        let Some(end) = rest.find(|c: char| c.is_ascii_alphabetic()) else {
            return false;
        };
        let designator = rest[end..].chars().next().unwrap_or(' ');
        let Some(position) = designators[next..].iter().position(|d| *d == designator) else {
            return false;
        };
        next += position + 1;
        out.push(&rest[..end]);
        rest = &rest[end + designator.len_utf8()..];
    }
    true
}

/// One or more digits, optionally followed by `.` or `,` and one or more digits.
fn is_decimal(s: &str) -> bool {
    let (whole, fraction) = match s.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// Whether `s` is a version of xAPI a statement may declare: `1.0`, `1.0.x`, `2.0` or
/// `2.0.x`, where `x` is a number.
pub(crate) fn is_version(s: &str) -> bool {
    let patch = s.strip_prefix("1.0").or_else(|| s.strip_prefix("2.0"));
    match patch {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

/// Whether `s` is an Internet media type: `type/subtype`, both RFC 9110 tokens, optionally
/// followed by `;` and parameters.
pub(crate) fn is_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    token(kind) && token(subtype)
}

/// An RFC 3339 timestamp as the LRS stores it: converted to UTC and written
/// `YYYY-MM-DDThh:mm:ss[.fraction]Z`, keeping the fractional seconds digits as given (at most
/// nine; further digits are dropped).
///
/// The date and time must be complete (`2008-09-15T15:53:00`), seconds included, and a time
/// zone is required: `Z`, or an offset `+hh:mm`, `+hhmm` or `+hh`. The negative zero offsets
/// (`-00:00`, `-0000`, `-00`), which RFC 3339 reserves for an unknown local offset, are
/// refused, as are leap seconds and dates whose UTC year falls outside 0000 to 9999. `t` and
/// `z` may be written in lower case. Returns `None` for anything else.
pub fn normalise_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)?;
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut i = 19;
    let mut fraction = "";
    if matches!(b.get(i), Some(b'.' | b',')) {
        let start = i + 1;
        let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
        if end == start {
            return None;
        }
        fraction = &s[start..end];
        i = end;
    }
    let offset_seconds = match s.get(i..)? {
        "Z" | "z" => 0,
        zone => {
            let (sign, rest) = match zone.as_bytes().first()? {
                b'+' => (1, &zone[1..]),
                b'-' => (-1, &zone[1..]),
                _ => return None,
            };
            let (hh, mm) = match rest.len() {
                2 => (rest, "00"),
                4 => (&rest[..2], &rest[2..]),
                5 if rest.as_bytes()[2] == b':' => (&rest[..2], &rest[3..]),
                _ => return None,
            };
            let number = |p: &str| -> Option<i32> {
                p.bytes()
                    .all(|c| c.is_ascii_digit())
                    .then(|| p.parse().ok())
                    .flatten()
            };
            let (hh, mm) = (number(hh)?, number(mm)?);
            if hh > 23 || mm > 59 || (sign < 0 && hh == 0 && mm == 0) {
                return None;
            }
            sign * (hh * 3600 + mm * 60)
        }
    };
    let nanos = if fraction.is_empty() {
        0
    } else {
        let kept = &fraction[..fraction.len().min(9)];
        let padded = format!("{kept:0<9}");
        padded.parse().ok()?
    };
    // Seconds run to 59: chrono writes a leap second as a nanosecond overflow instead.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let local: DateTime<FixedOffset> = offset.from_local_datetime(&date.and_time(time)).single()?;
    let utc = local.with_timezone(&Utc);
    let year = utc.format("%Y").to_string();
    if year.len() != 4 || year.starts_with('-') {
        return None;
    }
    let mut out = utc.format("%Y-%m-%dT%H:%M:%S").to_string();
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(&fraction[..fraction.len().min(9)]);
    }
    out.push('Z');
    Some(out)
}
