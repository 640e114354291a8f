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
    /// The user, or the API client when `via_client`.
    pub user_id: Uuid,
    pub role: Role,
    pub institution_id: Option<Uuid>,
    /// An institution's integration (client credentials) acting as its manager.
    pub via_client: bool,
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

    /// Whether this actor may see a cohort of `institution_id` tutored by `tutors`:
    /// admins all, managers their institution's, tutors the ones they tutor.
    pub fn can_view_cohort(&self, institution_id: Uuid, tutors: &[Uuid]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::NtiManager => self.institution_id == Some(institution_id),
            Role::Tutor => !self.via_client && tutors.contains(&self.user_id),
            Role::Learner => false,
        }
    }

    /// Which roles this actor may give to an account it creates in `institution_id`.
    pub fn may_assign_role(&self, role: Role, institution_id: Uuid) -> bool {
        match self.role {
            Role::Admin => role != Role::Admin,
            Role::NtiManager => self.institution_id == Some(institution_id) && role != Role::Admin,
            Role::Learner | Role::Tutor => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, institution_id: Option<Uuid>) -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            role,
            institution_id,
            via_client: false,
        }
    }

    #[test]
    fn managers_manage_only_their_institution() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let manager = actor(Role::NtiManager, Some(a));
        assert!(manager.manages_institution(a));
        assert!(!manager.manages_institution(b));
        assert!(actor(Role::Admin, None).manages_institution(b));
        assert!(!actor(Role::Tutor, Some(a)).manages_institution(a));
    }

    #[test]
    fn cohort_visibility() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let tutor = actor(Role::Tutor, Some(a));
        assert!(tutor.can_view_cohort(a, &[tutor.user_id]));
        assert!(!tutor.can_view_cohort(a, &[Uuid::now_v7()]));
        let manager = actor(Role::NtiManager, Some(a));
        assert!(manager.can_view_cohort(a, &[]));
        assert!(!manager.can_view_cohort(b, &[]));
        let learner = actor(Role::Learner, Some(a));
        assert!(!learner.can_view_cohort(a, &[learner.user_id]));
    }

    #[test]
    fn nobody_but_the_cli_makes_admins() {
        let a = Uuid::now_v7();
        let manager = actor(Role::NtiManager, Some(a));
        assert!(manager.may_assign_role(Role::Tutor, a));
        assert!(manager.may_assign_role(Role::NtiManager, a));
        assert!(!manager.may_assign_role(Role::Admin, a));
        assert!(!manager.may_assign_role(Role::Learner, Uuid::now_v7()));
        assert!(!actor(Role::Admin, None).may_assign_role(Role::Admin, a));
    }
}
