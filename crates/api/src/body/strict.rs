//! Reads JSON into the documented shape and nothing else: serde's derived structs also take
//! a JSON array (`[null, null]` fills the first two fields), which no client means and the
//! OpenAPI document does not allow. Here an object is the only way to write a struct, at
//! every depth.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Error, Value};

/// Why a body could not be read, and where in it.
#[derive(Debug)]
pub struct BodyError {
    /// The field at fault, as a path (`rows[2].email`); empty for the body as a whole.
    pub path: String,
    pub error: Error,
}

/// Like `serde_json::from_slice`, but a struct must be a JSON object, and a wrong value
/// comes back with the path of the field that holds it.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| BodyError {
        path: String::new(),
        error,
    })?;
    serde_path_to_error::deserialize(Strict(value)).map_err(|e| {
        let path = e.path().to_string();
        BodyError {
            path: if path == "." { String::new() } else { path },
            error: e.into_inner(),
        }
    })
}

/// A parsed JSON value that refuses to be read as a struct unless it is an object.
struct Strict(Value);

impl<'de> IntoDeserializer<'de, Error> for Strict {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> de::Deserializer<'de> for Strict {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(Strict));
                let out = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Value::Object(map) => {
                let mut entries =
                    MapDeserializer::new(map.into_iter().map(|(k, v)| (k, Strict(v))));
                let out = visitor.visit_map(&mut entries)?;
                entries.end()?;
                Ok(out)
            }
            // JSON Schema's `integer` includes 3.0; so does this reader.
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                    if f < 0.0 {
                        visitor.visit_i64(f as i64)
                    } else {
                        visitor.visit_u64(f as u64)
                    }
                }
                _ => Value::Number(n).deserialize_any(visitor),
            },
            leaf => leaf.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Only unit variants (strings) cross the API; their contents need no stricter reading.
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Row {
        name: String,
        age: Option<u32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        rows: Vec<Row>,
        #[serde(default)]
        tags: BTreeMap<String, String>,
    }

    #[test]
    fn objects_read_as_before() {
        let out: Outer =
            from_slice(br#"{"rows": [{"name": "Ana", "age": 41}, {"name": "Ion", "age": null}], "tags": {"a": "b"}}"#)
                .unwrap();
        assert_eq!(
            out.rows[0],
            Row {
                name: "Ana".into(),
                age: Some(41)
            }
        );
        assert_eq!(out.rows[1].age, None);
        assert_eq!(out.tags["a"], "b");
    }

    #[test]
    fn an_array_is_not_a_struct_at_any_depth() {
        // serde_json alone accepts both of these.
        assert!(serde_json::from_slice::<Row>(br#"["Ana", 41]"#).is_ok());
        let top = from_slice::<Row>(br#"["Ana", 41]"#).unwrap_err();
        assert!(top.error.is_data(), "{top:?}");
        assert!(
            top.error.to_string().contains("expected struct Row"),
            "{top:?}"
        );
        let nested = from_slice::<Outer>(br#"{"rows": [["Ana", 41]]}"#).unwrap_err();
        assert!(nested.error.is_data(), "{nested:?}");
        assert_eq!(nested.path, "rows[0]");
    }

    #[test]
    fn field_errors_still_name_the_field() {
        let unknown = from_slice::<Row>(br#"{"name": "Ana", "score": 100}"#).unwrap_err();
        assert!(
            unknown.error.to_string().contains("unknown field `score`"),
            "{unknown:?}"
        );
        let missing = from_slice::<Row>(br#"{"age": 3}"#).unwrap_err();
        assert!(
            missing.error.to_string().contains("missing field `name`"),
            "{missing:?}"
        );
        let wrong = from_slice::<Outer>(br#"{"rows": [{"name": "Ana", "age": -1}]}"#).unwrap_err();
        assert!(wrong.error.is_data(), "{wrong:?}");
        assert_eq!(wrong.path, "rows[0].age");
    }

    #[test]
    fn an_integral_number_is_an_integer_whatever_its_spelling() {
        let row: Row = from_slice(br#"{"name": "Ana", "age": 41.0}"#).unwrap();
        assert_eq!(row.age, Some(41));
        assert!(from_slice::<Row>(br#"{"name": "Ana", "age": 41.5}"#).is_err());
        #[derive(Deserialize)]
        struct Score {
            points: f64,
        }
        let s: Score = from_slice(br#"{"points": 2.0}"#).unwrap();
        assert_eq!(s.points, 2.0);
    }

    #[test]
    fn bad_json_stays_a_syntax_error() {
        let e = from_slice::<Row>(b"{bad json").unwrap_err();
        assert!(e.error.is_syntax(), "{e:?}");
    }
}
