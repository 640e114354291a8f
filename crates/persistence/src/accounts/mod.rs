//! Users: creation, lookup, self-service profile changes and the admin bootstrap; getting
//! into an account is in [`flows`].

pub mod erasure;
pub mod export;
pub mod flows;
pub mod retention;

use chrono::Utc;
use help_lms_domain::ValidationErrors;
use help_lms_domain::accounts::User;
use help_lms_domain::values::{
    Country, Email, Language, NewPassword, PersonName, Profession, Role, UserStatus,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::Db;
use crate::entities::users;
use crate::error::{StoreError, is_unique_violation};
use crate::passwords::PasswordHasher;

fn corrupt(field: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("users.{field} holds '{value}'"))
}

pub fn to_domain(m: users::Model) -> Result<User, StoreError> {
    Ok(User {
        id: m.id,
        email: Email::parse(&m.email).map_err(|_| corrupt("email", "?"))?,
        profession: Profession::parse(&m.profession)
            .map_err(|_| corrupt("profession", &m.profession))?,
        country: Country::parse(&m.country).map_err(|_| corrupt("country", &m.country))?,
        language: Language::parse(&m.language).map_err(|_| corrupt("language", &m.language))?,
        institution_id: m.institution_id,
        role: Role::parse(&m.role).map_err(|_| corrupt("role", &m.role))?,
        status: UserStatus::parse(&m.status).map_err(|_| corrupt("status", &m.status))?,
        created_at: m.created_at,
        name: m.name,
    })
}

/// A user to create; the password, if any, is already hashed.
pub struct NewUser {
    pub email: Email,
    pub name: PersonName,
    pub profession: Profession,
    pub country: Country,
    pub language: Language,
    pub institution_id: Option<Uuid>,
    pub role: Role,
    pub status: UserStatus,
    pub password_hash: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, new: NewUser) -> Result<User, StoreError> {
    let now = Utc::now();
    let model = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        name: Set(new.name.as_str().to_owned()),
        profession: Set(new.profession.as_str().to_owned()),
        country: Set(new.country.as_str().to_owned()),
        language: Set(new.language.as_str().to_owned()),
        institution_id: Set(new.institution_id),
        role: Set(new.role.as_str().to_owned()),
        status: Set(new.status.as_str().to_owned()),
        password_hash: Set(new.password_hash),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        status_before_disabled: Set(None),
        sessions_valid_from: Set(None),
        erased_at: Set(None),
    };
    match model.insert(conn).await {
        Ok(m) => to_domain(m),
        Err(e) if is_unique_violation(&e) => Err(StoreError::Validation(ValidationErrors::single(
            "email",
            "email_taken",
            "an account with this email already exists",
        ))),
        Err(e) => Err(e.into()),
    }
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<User>, StoreError> {
    users::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(to_domain)
        .transpose()
}

/// The user and the moment before which their access tokens no longer work, for checking
/// a request's token.
pub async fn find_for_request<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<Option<(User, Option<chrono::DateTime<Utc>>)>, StoreError> {
    let Some(m) = users::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let from = m.sessions_valid_from;
    Ok(Some((to_domain(m)?, from)))
}

/// The user and their password hash, by email (already normalised by `Email`).
pub async fn find_for_login<C: ConnectionTrait>(
    conn: &C,
    email: &Email,
) -> Result<Option<(User, Option<String>)>, StoreError> {
    let Some(m) = users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let hash = m.password_hash.clone();
    Ok(Some((to_domain(m)?, hash)))
}

pub async fn record_login(db: &Db, id: Uuid) -> Result<(), StoreError> {
    let txn = db.begin_write().await?;
    users::ActiveModel {
        id: Set(id),
        last_login_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The fields a user may change about themselves.
#[derive(Default)]
pub struct ProfileChange {
    pub name: Option<PersonName>,
    pub language: Option<Language>,
}

pub async fn update_profile(db: &Db, id: Uuid, change: ProfileChange) -> Result<User, StoreError> {
    let mut am = users::ActiveModel {
        id: Set(id),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(n) = change.name {
        am.name = Set(n.as_str().to_owned());
    }
    if let Some(l) = change.language {
        am.language = Set(l.as_str().to_owned());
    }
    let txn = db.begin_write().await?;
    let user = to_domain(am.update(&txn).await.map_err(|e| match e {
        sea_orm::DbErr::RecordNotUpdated => StoreError::NotFound,
        e => e.into(),
    })?)?;
    txn.commit().await?;
    Ok(user)
}

/// Creates an active admin; used by the `admin create` command and the development bootstrap.
pub async fn create_admin(
    db: &Db,
    hasher: &PasswordHasher,
    email: Email,
    name: PersonName,
    password: NewPassword,
) -> Result<User, StoreError> {
    let hash = hasher.hash(password.expose().to_owned()).await?;
    let txn = db.begin_write().await?;
    let user = insert(
        &txn,
        NewUser {
            email,
            name,
            profession: Profession::Other,
            country: Country::Other,
            language: Language::En,
            institution_id: None,
            role: Role::Admin,
            status: UserStatus::Active,
            password_hash: Some(hash),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

pub async fn count_admins<C: ConnectionTrait>(conn: &C) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq(Role::Admin.as_str()))
        .count(conn)
        .await?)
}
