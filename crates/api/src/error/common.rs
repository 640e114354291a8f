//! The problems every operation of a kind can answer, added to the document in one pass
//! instead of in every `#[utoipa::path]`: 401 for operations that need a token, the JSON
//! extractor's 400, 413, 415 and 422 for operations that read a JSON body, 400 for a UUID in
//! the path that does not parse, and 422 for a query parameter that does not. The same pass
//! drops `null` from the schemas of parameters: an optional parameter is one left out. And
//! 406 for every operation that answers with a body, since `Accept` can refuse it.

use utoipa::IntoResponses;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

use super::problems;

/// The operation answers RFC 6749 errors of its own, not problems.
const OAUTH_TOKEN: &str = "client_token";

fn add<R: IntoResponses>(op: &mut Operation) {
    for (status, response) in R::responses() {
        op.responses.responses.entry(status).or_insert(response);
    }
}

fn reads_json(op: &Operation) -> bool {
    matches!(&op.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"))
}

fn parameters(op: &Operation) -> impl Iterator<Item = &Parameter> {
    op.parameters.iter().flatten().filter_map(|p| match p {
        RefOr::T(p) => Some(p),
        RefOr::Ref(_) => None,
    })
}

/// A path parameter that actix parses as a UUID (a slug or code never fails to parse).
fn has_uuid_in_path(op: &Operation) -> bool {
    parameters(op).any(|p| {
        p.parameter_in == ParameterIn::Path
            && serde_json::to_value(&p.schema).is_ok_and(|s| s["format"] == "uuid")
    })
}

fn has_query(op: &Operation) -> bool {
    parameters(op).any(|p| p.parameter_in == ParameterIn::Query)
}

/// A 2xx answer with content, so an `Accept` can refuse it (406, `negotiate`).
fn answers_with_body(op: &Operation) -> bool {
    op.responses.responses.iter().any(|(status, r)| {
        status.starts_with('2') && matches!(r, RefOr::T(r) if !r.content.is_empty())
    })
}

fn needs_token(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|s| !s.is_empty())
}

/// `Option<T>` documents `T` or `null`; a query, path or header parameter cannot be null,
/// only absent (which `required: false` says already).
fn without_null(schema: &mut RefOr<Schema>) {
    let RefOr::T(s) = schema else { return };
    match s {
        Schema::Object(o) => {
            if let SchemaType::Array(types) = &o.schema_type {
                let rest: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                o.schema_type = match rest.as_slice() {
                    [one] => SchemaType::Type(one.clone()),
                    _ => SchemaType::Array(rest),
                };
            }
        }
        Schema::Array(a) => {
            if let SchemaType::Array(types) = &a.schema_type
                && types.contains(&Type::Null)
            {
                a.schema_type = SchemaType::Type(Type::Array);
            }
        }
        Schema::OneOf(one) => {
            one.items.retain(|i| {
                !matches!(i, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
            });
            if let [only] = one.items.as_slice() {
                *schema = only.clone();
            }
        }
        _ => {}
    }
}

/// Adds the problems an operation answers by virtue of its extractors, where its own
/// annotation does not already list that status.
pub fn document(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p
                    && let Some(schema) = &mut p.schema
                {
                    without_null(schema);
                }
            }
            if op.operation_id.as_deref() == Some(OAUTH_TOKEN) {
                continue;
            }
            if needs_token(op) {
                add::<problems::Unauthorized>(op);
            }
            if has_uuid_in_path(op) {
                add::<problems::BadRequest>(op);
            }
            if has_query(op) {
                add::<problems::Unprocessable>(op);
            }
            if answers_with_body(op) {
                add::<problems::NotAcceptable>(op);
            }
            if reads_json(op) {
                add::<problems::BadRequest>(op);
                add::<problems::PayloadTooLarge>(op);
                add::<problems::UnsupportedMediaType>(op);
                add::<problems::Unprocessable>(op);
            }
        }
    }
}
