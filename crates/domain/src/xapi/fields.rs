//! Reading the properties of one JSON object of a statement, each refusal naming the path of
//! the property at fault.

use serde_json::{Map, Value};

use super::syntax::{is_iri, is_language_map, is_uuid};
use super::validate::Invalid;

/// The path of property `key` under `parent` (`"context"` + `"team"` → `"context.team"`).
pub(crate) fn at(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path of item `i` of the array at `parent` (`"attachments"` + 0 → `"attachments[0]"`).
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// One JSON object of a statement, checked to hold only the properties its kind allows and
/// no `null` value.
pub(crate) struct Fields<'a, 'p> {
    map: &'a Map<String, Value>,
    path: &'p str,
}

impl<'a, 'p> Fields<'a, 'p> {
    /// Checks that `value` is an object (`what` names it in the refusal), that each of its
    /// properties is one of `allowed` (names are case-sensitive) and that none is `null`.
    pub(crate) fn new(
        value: &'a Value,
        path: &'p str,
        what: &str,
        allowed: &[&str],
    ) -> Result<Self, Invalid> {
        let Some(map) = value.as_object() else {
            return Err(Invalid::new(
                path,
                format!("must be {what} (a JSON object)"),
            ));
        };
        for (key, item) in map {
            if !allowed.contains(&key.as_str()) {
                return Err(Invalid::new(
                    at(path, key),
                    format!("is not a property of {what}"),
                ));
            }
            if item.is_null() {
                return Err(Invalid::new(at(path, key), "must not be null"));
            }
        }
        Ok(Self { map, path })
    }

    /// The path of property `key` of this object.
    pub(crate) fn at(&self, key: &str) -> String {
        at(self.path, key)
    }

    /// Property `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// Whether property `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Property `key`, refused when absent.
    pub(crate) fn required(&self, key: &str) -> Result<&'a Value, Invalid> {
        self.get(key)
            .ok_or_else(|| Invalid::new(self.at(key), "is required"))
    }

    /// Property `key` as a string, if present; refused when it is not a string.
    pub(crate) fn string(&self, key: &str) -> Result<Option<&'a str>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Invalid::new(self.at(key), "must be a string")),
        }
    }

    /// Property `key` as a string, refused when absent or not a string.
    pub(crate) fn required_string(&self, key: &str) -> Result<&'a str, Invalid> {
        self.string(key)?
            .ok_or_else(|| Invalid::new(self.at(key), "is required"))
    }

    /// Property `key` as a string checked by `valid`, if present; `expected` describes the
    /// format in the refusal.
    pub(crate) fn formatted(
        &self,
        key: &str,
        valid: fn(&str) -> bool,
        expected: &str,
    ) -> Result<Option<&'a str>, Invalid> {
        match self.string(key) {
            Ok(Some(s)) if valid(s) => Ok(Some(s)),
            Ok(None) => Ok(None),
            _ => Err(Invalid::new(self.at(key), format!("must be {expected}"))),
        }
    }

    /// Property `key` as an absolute IRI, if present.
    pub(crate) fn iri(&self, key: &str) -> Result<Option<&'a str>, Invalid> {
        self.formatted(key, is_iri, "an absolute IRI (with a scheme)")
    }

    /// Property `key` as an absolute IRI, refused when absent.
    pub(crate) fn required_iri(&self, key: &str) -> Result<&'a str, Invalid> {
        self.required(key)?;
        self.iri(key)?
            .ok_or_else(|| Invalid::new(self.at(key), "is required"))
    }

    /// Property `key` as a hyphenated UUID, if present.
    pub(crate) fn uuid(&self, key: &str) -> Result<Option<&'a str>, Invalid> {
        self.formatted(key, is_uuid, "a UUID (8-4-4-4-12 hexadecimal digits)")
    }

    /// Property `key` as a boolean, if present.
    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Invalid::new(self.at(key), "must be true or false")),
        }
    }

    /// Property `key` as a number, if present.
    pub(crate) fn number(&self, key: &str) -> Result<Option<f64>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| Invalid::new(self.at(key), "must be a number")),
            Some(_) => Err(Invalid::new(self.at(key), "must be a number")),
        }
    }

    /// Property `key` as a language map, if present.
    pub(crate) fn language_map(&self, key: &str) -> Result<(), Invalid> {
        match self.get(key) {
            Some(v) if !is_language_map(v) => Err(Invalid::new(
                self.at(key),
                "must be a language map (RFC 5646 language tags to strings)",
            )),
            _ => Ok(()),
        }
    }

    /// Property `key` as an extensions object, if present: its keys must be IRIs; its values
    /// may be any JSON, `null` included.
    pub(crate) fn extensions(&self, key: &str) -> Result<(), Invalid> {
        let Some(value) = self.get(key) else {
            return Ok(());
        };
        let Some(map) = value.as_object() else {
            return Err(Invalid::new(
                self.at(key),
                "must be an object whose keys are IRIs",
            ));
        };
        match map.keys().find(|k| !is_iri(k)) {
            Some(k) => Err(Invalid::new(
                at(&self.at(key), k),
                "an extension key must be an absolute IRI",
            )),
            None => Ok(()),
        }
    }

    /// Property `key` as an array, if present.
    pub(crate) fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(Invalid::new(self.at(key), "must be an array")),
        }
    }

    /// The `objectType` property, if present; refused when it is not a string.
    pub(crate) fn object_type(&self) -> Result<Option<&'a str>, Invalid> {
        self.string("objectType")
    }
}
