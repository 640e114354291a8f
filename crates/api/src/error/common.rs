//! The problems every operation of a kind can answer, added to the document in one pass
//! instead of in every `#[utoipa::path]`: 401 for operations that need a token, and the
//! JSON extractor's 400, 413, 415 and 422 for operations that read a JSON body.

use utoipa::IntoResponses;
use utoipa::openapi::path::Operation;
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

fn needs_token(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|s| !s.is_empty())
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
            if op.operation_id.as_deref() == Some(OAUTH_TOKEN) {
                continue;
            }
            if needs_token(op) {
                add::<problems::Unauthorized>(op);
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
