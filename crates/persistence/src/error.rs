//! Errors of the storage layer, in terms the API can map to problems without guessing.

use help_lms_domain::ValidationErrors;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state conflict; `code` is stable for clients.
    #[error("conflict: {message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// Data in the database that the code cannot read back: a bug or a manual edit.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// True when the error is a violated unique constraint (on SQLite or PostgreSQL).
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
