//! The bounds the OpenAPI document states are the ones the validators enforce: each is read
//! back from the document and compared with the constant the check uses.

use help_lms_domain::cohorts::CAPACITY;
use help_lms_domain::enrolment::MAX_BULK_ROWS;
use help_lms_domain::progress::MAX_LESSON_SECONDS;
use help_lms_domain::reporting::TargetSpec;
use help_lms_domain::values::{NewPassword, PersonName, Reason, Title};
use serde_json::Value;

use crate::pagination::MAX_LIMIT;

fn document() -> Value {
    serde_json::to_value(crate::openapi()).unwrap()
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

/// A property's schema, through `oneOf [X, null]` when the property is optional.
fn property<'a>(doc: &'a Value, name: &str, field: &str) -> &'a Value {
    let p = &schema(doc, name)["properties"][field];
    p.get("oneOf").and_then(|o| o.get(0)).unwrap_or(p)
}

#[test]
fn numbers_are_bounded_as_their_checks_bound_them() {
    let doc = document();
    for body in ["NewCohortDto", "CohortPatch"] {
        let capacity = property(&doc, body, "capacity");
        assert_eq!(capacity["minimum"], *CAPACITY.start(), "{body}");
        assert_eq!(capacity["maximum"], *CAPACITY.end(), "{body}");
    }
    let seconds = property(&doc, "ProgressWrite", "time_spent_seconds");
    assert_eq!(seconds["minimum"], 0);
    assert_eq!(seconds["maximum"], MAX_LESSON_SECONDS);
    let target = property(&doc, "NewTargetDto", "target");
    assert_eq!(target["minimum"], 1);
    assert_eq!(target["maximum"], TargetSpec::MAX);
    assert_eq!(schema(&doc, "RowList")["maxItems"], MAX_BULK_ROWS);
    let limit = doc["paths"]["/api/v1/stats/targets"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()
        .clone();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], MAX_LIMIT);
}

#[test]
fn texts_are_bounded_as_their_value_types_bound_them() {
    let doc = document();
    for (name, min, max) in [
        ("PersonName", 1, PersonName::MAX_CHARS),
        ("Title", 1, Title::MAX_CHARS),
        ("Reason", 1, Reason::MAX_CHARS),
        (
            "NewPassword",
            NewPassword::MIN_CHARS,
            NewPassword::MAX_CHARS,
        ),
    ] {
        assert_eq!(schema(&doc, name)["minLength"], min, "{name}");
        assert_eq!(schema(&doc, name)["maxLength"], max, "{name}");
    }
    assert_eq!(schema(&doc, "Email")["format"], "email");
    assert_eq!(
        property(&doc, "RegisterRequest", "name")["$ref"],
        "#/components/schemas/PersonName"
    );
}

#[test]
fn the_patterns_agree_with_the_parsers() {
    let doc = document();
    let pattern = |name: &str| {
        let p = schema(&doc, name)["pattern"].as_str().unwrap().to_owned();
        regex::Regex::new(&p).unwrap()
    };
    let samples = [
        "Ana Novak",
        " Ana Novak ",
        "",
        "   ",
        "a\u{7}b",
        "\u{85}x",
        "x\u{9f}",
        "Ștefan Vâlcu-Șerban",
        "Мария Иванова",
        "\u{a0}",
        "\u{2003}x",
        "tab\tinside",
        "\u{feff}",
    ];
    for name in ["PersonName", "Title"] {
        let re = pattern(name);
        for s in samples {
            let parsed = match name {
                "PersonName" => PersonName::parse(s).is_ok(),
                _ => Title::parse(s).is_ok(),
            };
            assert_eq!(re.is_match(s), parsed, "{name} {s:?}");
        }
    }
    let slug = pattern("Slug");
    for s in [
        "evidence-counter-terrorism",
        "m1",
        "",
        "-a",
        "a-",
        "a--b",
        "A",
        "a_b",
    ] {
        assert_eq!(
            slug.is_match(s),
            help_lms_domain::values::is_slug(s),
            "slug {s:?}"
        );
    }
}

#[test]
fn no_schema_is_a_bare_object() {
    fn walk(v: &Value, at: &str, found: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                let object = m.get("type") == Some(&Value::from("object"));
                if object
                    && !m.contains_key("properties")
                    && !m.contains_key("additionalProperties")
                {
                    found.push(at.to_owned());
                }
                for (k, x) in m {
                    walk(x, &format!("{at}/{k}"), found);
                }
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, &format!("{at}/{i}"), found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&document(), "", &mut found);
    assert!(found.is_empty(), "untyped objects: {found:?}");
}
