//! The HTTP Basic credentials of the learning record store. An admin's credential sees the
//! whole store; an institution's reads what the platform recorded about its learners and
//! what the institution's credentials wrote; a launch credential is one learner's, for one
//! registration, and short-lived. Secrets are 32 random bytes, kept as their SHA-256 only.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Visibility, all, exec, one};
use crate::error::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Admin,
    Institution,
    Launch,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Admin => "admin",
            Kind::Institution => "institution",
            Kind::Launch => "launch",
        }
    }

    fn parse(s: &str) -> Result<Kind, StoreError> {
        match s {
            "admin" => Ok(Kind::Admin),
            "institution" => Ok(Kind::Institution),
            "launch" => Ok(Kind::Launch),
            other => Err(StoreError::Corrupt(format!("credential kind {other}"))),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Credential {
    pub id: Uuid,
    /// The Basic user name.
    pub key: String,
    pub name: String,
    pub kind: Kind,
    pub institution_id: Option<Uuid>,
    pub learner_id: Option<Uuid>,
    pub registration: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The scope of what the platform records about a learner of `institution` (none: a
/// learner of no institution).
pub fn platform_scope(institution: Option<Uuid>) -> String {
    match institution {
        Some(i) => format!("platform:{i}"),
        None => "platform:".to_owned(),
    }
}

impl Credential {
    /// The scope of the statements and documents it writes.
    pub fn scope(&self) -> String {
        match self.kind {
            Kind::Admin => "admin".to_owned(),
            Kind::Institution => match self.institution_id {
                Some(i) => format!("institution:{i}"),
                None => "institution:".to_owned(),
            },
            Kind::Launch => platform_scope(self.institution_id),
        }
    }

    /// What it reads.
    pub fn visibility(&self) -> Visibility {
        match self.kind {
            Kind::Admin => Visibility::All,
            Kind::Institution => {
                Visibility::Scopes(vec![self.scope(), platform_scope(self.institution_id)])
            }
            Kind::Launch => match (self.learner_id, self.registration) {
                (Some(learner_id), Some(registration)) => Visibility::Learner {
                    scope: self.scope(),
                    learner_id,
                    registration: registration.to_string(),
                },
                _ => Visibility::Scopes(Vec::new()),
            },
        }
    }

    /// The scope of the documents it reads and writes: a launch credential's are its
    /// learner's own.
    pub fn document_scope(&self) -> String {
        match (self.kind, self.learner_id) {
            (Kind::Launch, Some(l)) => format!("learner:{l}"),
            _ => self.scope(),
        }
    }
}

/// What a new credential is for.
#[derive(Clone, Debug)]
pub struct NewCredential {
    pub name: String,
    pub kind: Kind,
    pub institution_id: Option<Uuid>,
    pub learner_id: Option<Uuid>,
    pub registration: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_token(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

const COLUMNS: &str = "id, key, name, kind, institution_id, learner_id, registration, \
                       created_by, created_at, expires_at, revoked_at";

fn read(r: &sea_orm::QueryResult) -> Result<Credential, StoreError> {
    Ok(Credential {
        id: r.try_get("", "id")?,
        key: r.try_get("", "key")?,
        name: r.try_get("", "name")?,
        kind: Kind::parse(&r.try_get::<String>("", "kind")?)?,
        institution_id: r.try_get("", "institution_id")?,
        learner_id: r.try_get("", "learner_id")?,
        registration: r.try_get("", "registration")?,
        created_by: r.try_get("", "created_by")?,
        created_at: r.try_get("", "created_at")?,
        expires_at: r.try_get("", "expires_at")?,
        revoked_at: r.try_get("", "revoked_at")?,
    })
}

/// Creates a credential; returns it with its secret, which is shown this once.
pub async fn create<C: ConnectionTrait>(
    c: &C,
    new: NewCredential,
    now: DateTime<Utc>,
) -> Result<(Credential, String), StoreError> {
    let id = Uuid::now_v7();
    let key = format!("lrs-{}", random_token(12)?);
    let secret = random_token(32)?;
    exec(
        c,
        &format!("INSERT INTO xapi_credentials ({COLUMNS}, secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        vec![
            Value::from(id),
            key.clone().into(),
            new.name.clone().into(),
            new.kind.as_str().into(),
            new.institution_id.into(),
            new.learner_id.into(),
            new.registration.into(),
            new.created_by.into(),
            now.into(),
            new.expires_at.into(),
            Value::from(None::<DateTime<Utc>>),
            digest(&secret).into(),
        ],
    )
    .await?;
    Ok((
        Credential {
            id,
            key,
            name: new.name,
            kind: new.kind,
            institution_id: new.institution_id,
            learner_id: new.learner_id,
            registration: new.registration,
            created_by: new.created_by,
            created_at: now,
            expires_at: new.expires_at,
            revoked_at: None,
        },
        secret,
    ))
}

/// The live credential with this key and secret: not revoked, not expired.
pub async fn authenticate<C: ConnectionTrait>(
    c: &C,
    key: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<Credential>, StoreError> {
    let row = one(
        c,
        &format!("SELECT {COLUMNS}, secret_hash FROM xapi_credentials WHERE key = ?"),
        vec![key.to_owned().into()],
    )
    .await?;
    let Some(row) = row else {
        // Spend the same work as a match, so that timing does not tell keys apart.
        let _ = digest(secret);
        return Ok(None);
    };
    let stored: String = row.try_get("", "secret_hash")?;
    let given = digest(secret);
    let same = stored.len() == given.len()
        && stored
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    let cred = read(&row)?;
    let live = cred.revoked_at.is_none() && cred.expires_at.is_none_or(|e| e > now);
    Ok((same && live).then_some(cred))
}

/// The credentials an admin (`None`: all but launch credentials) or an institution's
/// managers see, newest first.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    institution: Option<Uuid>,
) -> Result<Vec<Credential>, StoreError> {
    let (text, values) = match institution {
        Some(i) => (
            format!(
                "SELECT {COLUMNS} FROM xapi_credentials WHERE kind = 'institution' \
                 AND institution_id = ? ORDER BY created_at DESC, id DESC"
            ),
            vec![Value::from(i)],
        ),
        None => (
            format!(
                "SELECT {COLUMNS} FROM xapi_credentials WHERE kind <> 'launch' \
                 ORDER BY created_at DESC, id DESC"
            ),
            vec![],
        ),
    };
    all(c, &text, values).await?.iter().map(read).collect()
}

/// One credential, if `institution` (when given) owns it.
pub async fn find<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    institution: Option<Uuid>,
) -> Result<Option<Credential>, StoreError> {
    let row = one(
        c,
        &format!("SELECT {COLUMNS} FROM xapi_credentials WHERE id = ? AND kind <> 'launch'"),
        vec![id.into()],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    let cred = read(&row)?;
    if institution.is_some() && cred.institution_id != institution {
        return Ok(None);
    }
    Ok(Some(cred))
}

/// Revokes a credential (again: no change).
pub async fn revoke<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec(
        c,
        "UPDATE xapi_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        vec![now.into(), id.into()],
    )
    .await?;
    Ok(())
}
