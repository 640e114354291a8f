//! Institutions (national training institutions and others), their staff accounts and
//! their API clients.

use chrono::{DateTime, Utc};
use help_lms_domain::accounts::User;
use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{Country, Role, Title, UserStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{api_clients, institutions, users};
use crate::error::StoreError;
use crate::sessions::{random_token, token_hash};
use crate::{Db, accounts};

#[derive(Debug, Clone, Serialize)]
pub struct Institution {
    pub id: Uuid,
    pub name: String,
    pub country: Country,
    pub kind: InstitutionKind,
    pub created_at: DateTime<Utc>,
}

fn to_domain(m: institutions::Model) -> Result<Institution, StoreError> {
    Ok(Institution {
        id: m.id,
        country: Country::parse(&m.country).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        kind: InstitutionKind::parse(&m.kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: m.name,
        created_at: m.created_at,
    })
}

pub async fn create(
    db: &Db,
    name: &Title,
    country: Country,
    kind: InstitutionKind,
) -> Result<Institution, StoreError> {
    let m = institutions::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.as_str().to_owned()),
        country: Set(country.as_str().to_owned()),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(&db.conn)
    .await?;
    to_domain(m)
}

pub async fn find(db: &Db, id: Uuid) -> Result<Option<Institution>, StoreError> {
    institutions::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .map(to_domain)
        .transpose()
}

/// The name of institution `id`, if there is one (for messages that say who sent them).
pub(crate) async fn name_of<C: ConnectionTrait>(
    conn: &C,
    id: Option<Uuid>,
) -> Result<Option<String>, StoreError> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(institutions::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|i| i.name))
}

/// All institutions (for admins), or just one (for its staff), by name.
pub async fn list(db: &Db, only: Option<Uuid>) -> Result<Vec<Institution>, StoreError> {
    let mut q = institutions::Entity::find()
        .order_by_asc(institutions::Column::Name)
        .order_by_asc(institutions::Column::Id);
    if let Some(id) = only {
        q = q.filter(institutions::Column::Id.eq(id));
    }
    q.all(&db.conn).await?.into_iter().map(to_domain).collect()
}

/// The accounts of an institution, by email.
pub async fn staff(db: &Db, institution_id: Uuid) -> Result<Vec<User>, StoreError> {
    use sea_orm::Condition;
    users::Entity::find()
        .filter(users::Column::InstitutionId.eq(institution_id))
        // A learner shows once they have activated their account: until then they are a
        // pending line of their cohort's roster, as someone asked to join from elsewhere is.
        .filter(
            Condition::any()
                .add(users::Column::Role.ne(Role::Learner.as_str()))
                .add(users::Column::Status.ne(UserStatus::Invited.as_str())),
        )
        .order_by_asc(users::Column::Email)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(accounts::to_domain)
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiClient {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

fn client_of(m: api_clients::Model) -> ApiClient {
    ApiClient {
        id: m.id,
        institution_id: m.institution_id,
        name: m.name,
        created_at: m.created_at,
        revoked_at: m.revoked_at,
        last_used_at: m.last_used_at,
    }
}

/// Creates an API client and returns it with its secret, which is stored only as a hash.
/// Secrets are 256 random bits, so a fast hash is enough (no dictionary to guess from).
pub async fn create_client(
    db: &Db,
    institution_id: Uuid,
    name: &Title,
    created_by: Uuid,
) -> Result<(ApiClient, String), StoreError> {
    let secret = random_token()?;
    let m = api_clients::ActiveModel {
        id: Set(Uuid::now_v7()),
        institution_id: Set(institution_id),
        name: Set(name.as_str().to_owned()),
        secret_hash: Set(token_hash(&secret)),
        created_by: Set(created_by),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(&db.conn)
    .await?;
    Ok((client_of(m), secret))
}

pub async fn list_clients(db: &Db, institution_id: Uuid) -> Result<Vec<ApiClient>, StoreError> {
    Ok(api_clients::Entity::find()
        .filter(api_clients::Column::InstitutionId.eq(institution_id))
        .order_by_asc(api_clients::Column::CreatedAt)
        .order_by_asc(api_clients::Column::Id)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(client_of)
        .collect())
}

pub async fn find_client(db: &Db, id: Uuid) -> Result<Option<ApiClient>, StoreError> {
    Ok(api_clients::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .map(client_of))
}

pub async fn revoke_client(db: &Db, institution_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
    let res = api_clients::Entity::update_many()
        .col_expr(api_clients::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_clients::Column::Id.eq(id))
        .filter(api_clients::Column::InstitutionId.eq(institution_id))
        .filter(api_clients::Column::RevokedAt.is_null())
        .exec(&db.conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The client for these credentials, if they are right and the client is not revoked.
pub async fn authenticate_client(
    db: &Db,
    id: Uuid,
    secret: &str,
) -> Result<Option<ApiClient>, StoreError> {
    let Some(m) = api_clients::Entity::find_by_id(id).one(&db.conn).await? else {
        return Ok(None);
    };
    let presented = token_hash(secret);
    // Constant-time comparison of the two hex digests.
    let same = presented.len() == m.secret_hash.len()
        && presented
            .bytes()
            .zip(m.secret_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same || m.revoked_at.is_some() {
        return Ok(None);
    }
    api_clients::ActiveModel {
        id: Set(m.id),
        last_used_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&db.conn)
    .await?;
    Ok(Some(client_of(m)))
}
