//! The learning record store's tables: statements, documents, attachments, activity
//! definitions and the credentials of its clients. The xAPI rules (what a valid statement
//! is, how agents are keyed) live in the domain crate; the HTTP resources in the API crate.
//! Queries are plain SQL with `?` placeholders, rewritten for PostgreSQL by [`sql`].

pub mod activities;
pub mod columns;
pub mod credentials;
pub mod documents;
pub mod erasure;
pub mod forwards;
pub mod person;
pub mod platform;
pub mod statements;
#[cfg(test)]
mod tests;

use sea_orm::{ConnectionTrait, Value};

use crate::raw::{all, exec, one};

use crate::error::StoreError;

/// What a credential may read: everything, or the statements and documents of some scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    All,
    Scopes(Vec<String>),
    /// One learner's statements of one registration, in one scope.
    Learner {
        scope: String,
        learner_id: uuid::Uuid,
        registration: String,
    },
}

impl Visibility {
    /// The SQL condition on the statements of alias `t` (`""` for none), and its values.
    fn condition(&self, t: &str) -> (String, Vec<Value>) {
        let p = if t.is_empty() {
            String::new()
        } else {
            format!("{t}.")
        };
        match self {
            Visibility::All => ("1 = 1".to_owned(), Vec::new()),
            Visibility::Scopes(scopes) if scopes.is_empty() => ("1 = 0".to_owned(), Vec::new()),
            Visibility::Scopes(scopes) => (
                format!("{p}scope IN ({})", marks(scopes.len())),
                scopes.iter().map(|s| Value::from(s.clone())).collect(),
            ),
            Visibility::Learner {
                scope,
                learner_id,
                registration,
            } => (
                format!("({p}scope = ? AND {p}learner_id = ? AND {p}registration = ?)"),
                vec![
                    Value::from(scope.clone()),
                    Value::from(*learner_id),
                    Value::from(registration.clone()),
                ],
            ),
        }
    }
}

/// `n` comma-separated placeholders.
fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Microseconds since the Unix epoch: how the store orders and compares times.
pub fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

/// The institution whose scope holds what the platform records about an enrolment: its
/// cohort's institution, else the learner's own.
pub async fn institution_of<C: ConnectionTrait>(
    c: &C,
    cohort_id: Option<uuid::Uuid>,
    user_id: uuid::Uuid,
) -> Result<Option<uuid::Uuid>, StoreError> {
    if let Some(cohort) = cohort_id
        && let Some(row) = one(
            c,
            "SELECT institution_id FROM cohorts WHERE id = ?",
            vec![cohort.into()],
        )
        .await?
    {
        return Ok(row.try_get("", "institution_id")?);
    }
    match one(
        c,
        "SELECT institution_id FROM users WHERE id = ?",
        vec![user_id.into()],
    )
    .await?
    {
        Some(row) => Ok(row.try_get("", "institution_id")?),
        None => Ok(None),
    }
}
