//! Users and the rules of who may see and do what with them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::values::{Country, Email, Language, Profession, Role, UserStatus};

/// A platform account as the rules see it (no password material).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub email: Email,
    pub name: String,
    pub profession: Profession,
    pub country: Country,
    pub language: Language,
    pub institution_id: Option<Uuid>,
    pub role: Role,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
}

/// Who is making a request, as proven by their access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub institution_id: Option<Uuid>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this actor manages the given institution (admins manage every one).
    pub fn manages_institution(&self, institution_id: Uuid) -> bool {
        match self.role {
            Role::Admin => true,
            Role::NtiManager => self.institution_id == Some(institution_id),
            Role::Learner | Role::Tutor => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_manage_only_their_institution() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let manager = Actor {
            user_id: Uuid::now_v7(),
            role: Role::NtiManager,
            institution_id: Some(a),
        };
        assert!(manager.manages_institution(a));
        assert!(!manager.manages_institution(b));
        let admin = Actor {
            user_id: Uuid::now_v7(),
            role: Role::Admin,
            institution_id: None,
        };
        assert!(admin.manages_institution(b));
        let tutor = Actor {
            user_id: Uuid::now_v7(),
            role: Role::Tutor,
            institution_id: Some(a),
        };
        assert!(!tutor.manages_institution(a));
    }
}
