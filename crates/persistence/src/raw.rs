//! Plain SQL for the modules that write it by hand (the learning record store, the audit
//! trail): `?` placeholders, rewritten as `$1`, `$2`… for PostgreSQL. Those queries put no
//! `?` inside a literal.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::StoreError;

/// A statement for `backend` from SQL with `?` placeholders.
pub(crate) fn sql(backend: DbBackend, text: &str, values: Vec<Value>) -> Statement {
    let text = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(text.len() + 16);
            let mut n = 0;
            for ch in text.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => text.to_owned(),
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// The rows `text` selects.
pub(crate) async fn all<C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, StoreError> {
    Ok(c.query_all_raw(sql(c.get_database_backend(), text, values))
        .await?)
}

/// The first row `text` selects, if any.
pub(crate) async fn one<C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<Option<QueryResult>, StoreError> {
    Ok(c.query_one_raw(sql(c.get_database_backend(), text, values))
        .await?)
}

/// Runs `text`; how many rows it changed.
pub(crate) async fn exec<C: ConnectionTrait>(
    c: &C,
    text: &str,
    values: Vec<Value>,
) -> Result<u64, StoreError> {
    Ok(c.execute_raw(sql(c.get_database_backend(), text, values))
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgresql_only() {
        let pg = sql(DbBackend::Postgres, "a = ? AND b IN (?, ?)", vec![]);
        assert_eq!(pg.sql, "a = $1 AND b IN ($2, $3)");
        let lite = sql(DbBackend::Sqlite, "a = ?", vec![]);
        assert_eq!(lite.sql, "a = ?");
    }
}
