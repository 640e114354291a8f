//! The string formats: IRIs, language tags and maps, and timestamps.

use serde_json::json;

use crate::xapi::syntax::{is_duration, is_language_tag, is_mailto, is_uuid, is_version};
use crate::xapi::{is_iri, is_language_map, normalise_timestamp};

#[test]
fn an_iri_needs_a_scheme_and_a_rest() {
    for iri in [
        "http://adlnet.gov/expapi/verbs/attended",
        "https://example.com/ü/ñ?q=1#f",
        "urn:uuid:8f87ccde-bb56-4c2e-ab83-44982ef22df0",
        "mailto:xapi@adlnet.gov",
        "tag:example.com,2024:a%20b",
        "x-custom+scheme.1:path",
    ] {
        assert!(is_iri(iri), "{iri}");
    }
    for not_iri in [
        "",
        "abc",
        "not.a.valid.iri.com/verb",
        ":no-scheme",
        "http:",
        "1http://example.com",
        "ab=c://should.fail.com",
        "http://example.com/a b",
        "http://example.com/<a>",
        "http://example.com/%zz",
        "http://example.com/\u{7}",
    ] {
        assert!(!is_iri(not_iri), "{not_iri:?}");
    }
}

#[test]
fn a_mailto_iri_holds_one_address() {
    assert!(is_mailto("mailto:xapi@adlnet.gov"));
    assert!(is_mailto("mailto:first.last+tag@sub.example.co.uk"));
    for not_mailto in [
        "mailto:should.fail.com",
        "mailto:@example.com",
        "mailto:a@",
        "mailto:a@b@c",
        "mailto:a@-b.c",
        "mailto:.a@b.c",
    ] {
        assert!(!is_mailto(not_mailto), "{not_mailto}");
    }
}

#[test]
fn a_uuid_is_hyphenated_hex() {
    assert!(is_uuid("8f87ccde-bb56-4c2e-ab83-44982ef22df0"));
    assert!(is_uuid("00000000-0000-0000-0000-000000000000"));
    assert!(!is_uuid("8f87ccdebb564c2eab8344982ef22df0"));
    assert!(!is_uuid("{8f87ccde-bb56-4c2e-ab83-44982ef22df0}"));
    assert!(!is_uuid("8f87ccde-bb56-4c2e-ab83-44982ef22dfg"));
}

#[test]
fn language_tags_follow_rfc_5646() {
    for tag in [
        "en",
        "de",
        "en-US",
        "en-GB",
        "fr",
        "und",
        "tlh",
        "ase",
        "zh-Hans-CN",
        "zh-Hant",
        "sr-Latn-RS",
        "es-419",
        "de-CH-1901",
        "sl-rozaj-biske",
        "en-US-x-twain",
        "x-whatever",
        "zh-yue-HK",
        "en-a-bbb-x-a-ccc",
        "i-klingon",
        "EN-us",
        "hy-Latn-IT-arevela",
    ] {
        assert!(is_language_tag(tag), "{tag}");
    }
    for tag in [
        "",
        "something",
        "a12345",
        "a12345678",
        "en-",
        "-en",
        "en--US",
        "e",
        "en-US-US",
        "zh-z-aaa-z-bbb-c-ccc",
        "de-1901-1901",
        "en-a",
        "x",
        "en_US",
        "en-x-abcdefghi",
    ] {
        assert!(!is_language_tag(tag), "{tag}");
    }
}

#[test]
fn a_language_map_has_tag_keys_and_string_values() {
    assert!(is_language_map(
        &json!({"en-US": "attended", "es": "asistió"})
    ));
    assert!(is_language_map(&json!({})));
    assert!(!is_language_map(&json!({"en-US": 1})));
    assert!(!is_language_map(&json!({"a12345678": "should error"})));
    assert!(!is_language_map(&json!("attended")));
    assert!(!is_language_map(&json!(["en-US", "attended"])));
}

#[test]
fn durations_follow_iso_8601_section_4_4_3_2() {
    for duration in [
        "P1D",
        "PT1H0M0S",
        "PT4.5S",
        "P3W",
        "P1Y2M3DT4H5M6S",
        "PT0,5S",
        "PT1.5H",
        "P0D",
    ] {
        assert!(is_duration(duration), "{duration}");
    }
    for duration in [
        "", "P", "PT", "P1DT", "1D", "PT1S1M", "P1M1Y", "PT1.5H2M", "P1W2D", "P-1D", "PT.5S",
        "PT1SS", "p1d",
    ] {
        assert!(!is_duration(duration), "{duration}");
    }
}

#[test]
fn versions_are_1_0_or_2_0() {
    assert!(
        is_version("1.0") && is_version("1.0.9") && is_version("2.0.0") && is_version("2.0.10")
    );
    assert!(
        !is_version("1.1.0") && !is_version("0.95") && !is_version("2") && !is_version("2.0.a")
    );
}

#[test]
fn a_timestamp_is_normalised_to_utc() {
    let cases = [
        ("2023-05-04T12:00:00-05:00", "2023-05-04T17:00:00Z"),
        ("2008-09-15T15:53:00.601+00:00", "2008-09-15T15:53:00.601Z"),
        ("2013-05-18T05:32:34.804Z", "2013-05-18T05:32:34.804Z"),
        ("2013-05-18t05:32:34z", "2013-05-18T05:32:34Z"),
        ("2020-12-31T23:30:00.5-01:00", "2021-01-01T00:30:00.5Z"),
        ("2020-03-01T01:00:00+0200", "2020-02-29T23:00:00Z"),
        ("2020-03-01T01:00:00+02", "2020-02-29T23:00:00Z"),
        (
            "2020-01-01T00:00:00.123456789123Z",
            "2020-01-01T00:00:00.123456789Z",
        ),
        ("2020-01-01T00:00:00.100Z", "2020-01-01T00:00:00.100Z"),
    ];
    for (given, stored) in cases {
        assert_eq!(
            normalise_timestamp(given).as_deref(),
            Some(stored),
            "{given}"
        );
    }
}

#[test]
fn a_timestamp_without_a_valid_time_zone_is_refused() {
    for bad in [
        "should fail",
        "01/011/2015",
        "2008-09-15T15:53:00",
        "2008-09-15T15:53:00.601-00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00:00",
        "2008-09-15T15:53Z",
        "2008-09-15 15:53:00Z",
        "2008-02-30T15:53:00Z",
        "2008-09-15T24:00:00Z",
        "2008-09-15T23:59:60Z",
        "2008-09-15T15:53:00.Z",
        "2008-09-15T15:53:00+25:00",
        "2008-09-15T15:53:00Z+01:00",
        "0000-01-01T00:00:00+01:00",
        "20080915T155300Z",
    ] {
        assert_eq!(normalise_timestamp(bad), None, "{bad}");
    }
}
