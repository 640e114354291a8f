//! Choosing the language to serve: `?lang=`, else `Accept-Language` by quality, else English,
//! else the course's original language. The answer's `Content-Language` names the choice.

use actix_web::HttpRequest;
use help_lms_domain::values::Language;

use crate::error::ApiError;

/// The languages the client asked for, best first.
pub fn requested(req: &HttpRequest, lang_param: Option<&str>) -> Result<Vec<Language>, ApiError> {
    if let Some(l) = lang_param {
        return Ok(vec![requested_param(l)?]);
    }
    let header = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(parse_accept_language(header))
}

/// The language a `lang` query parameter names; 422 naming `lang` otherwise.
pub fn requested_param(l: &str) -> Result<Language, ApiError> {
    Language::parse(&l.to_ascii_lowercase()).map_err(|e| ApiError::field("lang", e.code, e.message))
}

/// Parses `Accept-Language` (RFC 9110): ranges with optional `q`, ordered by quality, ties in
/// header order; regional variants count as their language (`fr-BE` is `fr`), and so do
/// Norwegian's two written standards (`nb-NO` and `nn` are `no`); `q=0` excludes.
pub fn parse_accept_language(header: &str) -> Vec<Language> {
    let mut ranked: Vec<(f32, usize, Language)> = Vec::new();
    for (i, part) in header.split(',').enumerate() {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 || tag.is_empty() || tag == "*" {
            continue;
        }
        let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
        let primary = match primary.as_str() {
            "nb" | "nn" => "no",
            other => other,
        };
        if let Ok(l) = Language::parse(primary)
            && !ranked.iter().any(|(_, _, x)| *x == l)
        {
            ranked.push((q, i, l));
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, l)| l).collect()
}

/// The language to serve from `available` for these preferences.
pub fn choose(preferences: &[Language], available: &[Language]) -> Language {
    preferences
        .iter()
        .find(|l| available.contains(l))
        .copied()
        .or_else(|| {
            available
                .contains(&Language::FALLBACK)
                .then_some(Language::FALLBACK)
        })
        .or_else(|| available.first().copied())
        .unwrap_or(Language::FALLBACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(
            parse_accept_language("de;q=0.5, fr-BE, en;q=0.8"),
            vec![Language::Fr, Language::En, Language::De]
        );
        assert_eq!(parse_accept_language("fr;q=0, en"), vec![Language::En]);
        assert_eq!(
            parse_accept_language("*, xx, en-GB;q=0.3"),
            vec![Language::En]
        );
        assert!(parse_accept_language("").is_empty());
        assert_eq!(
            parse_accept_language("nb-NO, nn;q=0.9, uk;q=0.8, tr-TR;q=0.7, ka;q=0.5"),
            vec![Language::No, Language::Uk, Language::Tr, Language::Ka]
        );
    }

    #[test]
    fn choice_falls_back_to_english_then_original() {
        assert_eq!(
            choose(&[Language::Fr], &[Language::En, Language::Fr]),
            Language::Fr
        );
        assert_eq!(
            choose(&[Language::De], &[Language::En, Language::Fr]),
            Language::En
        );
        assert_eq!(choose(&[Language::De], &[Language::Fr]), Language::Fr);
        assert_eq!(choose(&[], &[Language::En]), Language::En);
        // A preferred language no course has yet: English where the course has it.
        assert_eq!(
            choose(&[Language::Uk, Language::Tr], &[Language::Fr, Language::En]),
            Language::En
        );
    }
}
