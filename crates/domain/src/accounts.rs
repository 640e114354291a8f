//! Users and the rules of who may see and do what with them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::ValidationErrors;
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

/// Why an actor may not do what they asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The thing is not theirs: answered as if it did not exist.
    Hidden,
    /// They can see it but may not do this; only these may.
    Forbidden(OnlyFor),
    /// The request must say more, e.g. which institution.
    Invalid(ValidationErrors),
}

/// Who may do what an actor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlyFor {
    Admins,
    /// Tutors, managers and admins.
    Staff,
    /// The institution's managers, and admins.
    Managers,
}

/// Which cohorts a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortScope {
    /// Only this institution's; `None` for every institution.
    pub institution: Option<Uuid>,
    /// Only those this user tutors.
    pub tutor: Option<Uuid>,
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

    /// The institution a new cohort belongs to: admins must name one; managers get their
    /// own (naming another is answered as if it did not exist); nobody else creates cohorts.
    pub fn institution_for_new_cohort(&self, named: Option<Uuid>) -> Result<Uuid, Refusal> {
        match (self.role, named, self.institution_id) {
            (Role::Admin, Some(i), _) => Ok(i),
            (Role::Admin, None, _) => Err(Refusal::Invalid(ValidationErrors::single(
                "institution_id",
                "required",
                "admins name the institution",
            ))),
            (Role::NtiManager, None, Some(own)) => Ok(own),
            (Role::NtiManager, Some(i), Some(own)) if i == own => Ok(own),
            (Role::NtiManager, Some(_), _) => Err(Refusal::Hidden),
            _ => Err(Refusal::Forbidden(OnlyFor::Managers)),
        }
    }

    /// The cohorts a listing may show, optionally narrowed to one institution: admins any,
    /// managers their institution's, tutors those they tutor; learners none.
    pub fn cohort_scope(&self, institution: Option<Uuid>) -> Result<CohortScope, Refusal> {
        let own_only = || {
            if institution.is_some_and(|i| Some(i) != self.institution_id) {
                Err(Refusal::Hidden)
            } else {
                Ok(())
            }
        };
        match self.role {
            Role::Admin => Ok(CohortScope {
                institution,
                tutor: None,
            }),
            Role::NtiManager => {
                own_only()?;
                Ok(CohortScope {
                    // A manager without an institution sees no cohort at all.
                    institution: Some(self.institution_id.unwrap_or(Uuid::nil())),
                    tutor: None,
                })
            }
            Role::Tutor => {
                own_only()?;
                Ok(CohortScope {
                    institution: None,
                    tutor: Some(self.user_id),
                })
            }
            Role::Learner => Err(Refusal::Forbidden(OnlyFor::Staff)),
        }
    }

    /// May this actor read a cohort: hidden when they cannot see it.
    pub fn view_cohort(&self, institution_id: Uuid, tutors: &[Uuid]) -> Result<(), Refusal> {
        if self.can_view_cohort(institution_id, tutors) {
            Ok(())
        } else {
            Err(Refusal::Hidden)
        }
    }

    /// May this actor change a cohort: hidden when they cannot see it, forbidden when they
    /// only tutor it.
    pub fn manage_cohort(&self, institution_id: Uuid, tutors: &[Uuid]) -> Result<(), Refusal> {
        self.view_cohort(institution_id, tutors)?;
        if self.manages_institution(institution_id) {
            Ok(())
        } else {
            Err(Refusal::Forbidden(OnlyFor::Managers))
        }
    }

    /// Only admins create institutions.
    pub fn create_institution(&self) -> Result<(), Refusal> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Refusal::Forbidden(OnlyFor::Admins))
        }
    }

    /// Which institutions a listing shows: `None` for all (admins), else the one of the
    /// staff member; learners and staff without an institution are refused.
    pub fn institution_scope(&self) -> Result<Option<Uuid>, Refusal> {
        if self.is_admin() {
            return Ok(None);
        }
        match self.institution_id {
            Some(id) if self.role != Role::Learner => Ok(Some(id)),
            _ => Err(Refusal::Forbidden(OnlyFor::Staff)),
        }
    }

    /// May this actor read an institution: admins any, its own people theirs; hidden else.
    pub fn view_institution(&self, institution_id: Uuid) -> Result<(), Refusal> {
        if self.is_admin() || self.institution_id == Some(institution_id) {
            Ok(())
        } else {
            Err(Refusal::Hidden)
        }
    }

    /// May this actor manage an institution's staff and clients: hidden when it is not
    /// theirs, forbidden for its staff who are not managers.
    pub fn manage_institution(&self, institution_id: Uuid) -> Result<(), Refusal> {
        self.view_institution(institution_id)?;
        if self.manages_institution(institution_id) {
            Ok(())
        } else {
            Err(Refusal::Forbidden(OnlyFor::Managers))
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

    /// Whether this actor may disable or enable the account `target`: admins any account but
    /// their own; an institution's managers, people or API clients, its learners; its
    /// managers (people) its tutors too; nobody but an admin a manager or an admin. Accounts
    /// of other institutions are hidden from managers.
    pub fn may_disable(&self, target: &User) -> Result<(), Refusal> {
        if target.id == self.user_id {
            return Err(Refusal::Invalid(ValidationErrors::single(
                "id",
                "own_account",
                "you cannot disable or enable your own account",
            )));
        }
        match self.role {
            Role::Admin => Ok(()),
            Role::NtiManager => {
                if target.institution_id.is_none() || target.institution_id != self.institution_id {
                    return Err(Refusal::Hidden);
                }
                match target.role {
                    Role::Learner => Ok(()),
                    Role::Tutor if !self.via_client => Ok(()),
                    Role::Tutor => Err(Refusal::Forbidden(OnlyFor::Managers)),
                    Role::NtiManager | Role::Admin => Err(Refusal::Forbidden(OnlyFor::Admins)),
                }
            }
            Role::Learner | Role::Tutor => Err(Refusal::Forbidden(OnlyFor::Managers)),
        }
    }

    /// Whether this actor may send `target` its invitation again: admins anyone; an
    /// institution's managers (people or API clients) its accounts.
    pub fn may_resend_invitation(&self, target: &User) -> Result<(), Refusal> {
        match self.role {
            Role::Admin => Ok(()),
            Role::NtiManager
                if target.institution_id.is_some()
                    && target.institution_id == self.institution_id =>
            {
                Ok(())
            }
            Role::NtiManager => Err(Refusal::Hidden),
            Role::Learner | Role::Tutor => Err(Refusal::Forbidden(OnlyFor::Managers)),
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
    fn who_creates_a_cohort_for_which_institution() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let admin = actor(Role::Admin, None);
        assert_eq!(admin.institution_for_new_cohort(Some(b)), Ok(b));
        let Err(Refusal::Invalid(e)) = admin.institution_for_new_cohort(None) else {
            panic!("admins must name the institution")
        };
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code),
            ("institution_id", "required")
        );
        let manager = actor(Role::NtiManager, Some(a));
        assert_eq!(manager.institution_for_new_cohort(None), Ok(a));
        assert_eq!(manager.institution_for_new_cohort(Some(a)), Ok(a));
        assert_eq!(
            manager.institution_for_new_cohort(Some(b)),
            Err(Refusal::Hidden)
        );
        let homeless = actor(Role::NtiManager, None);
        assert_eq!(
            homeless.institution_for_new_cohort(None),
            Err(Refusal::Forbidden(OnlyFor::Managers))
        );
        for role in [Role::Tutor, Role::Learner] {
            assert_eq!(
                actor(role, Some(a)).institution_for_new_cohort(Some(a)),
                Err(Refusal::Forbidden(OnlyFor::Managers))
            );
        }
    }

    #[test]
    fn cohort_listings_are_scoped_by_role() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let admin = actor(Role::Admin, None);
        assert_eq!(
            admin.cohort_scope(Some(b)),
            Ok(CohortScope {
                institution: Some(b),
                tutor: None
            })
        );
        let manager = actor(Role::NtiManager, Some(a));
        assert_eq!(manager.cohort_scope(None).unwrap().institution, Some(a));
        assert_eq!(manager.cohort_scope(Some(b)), Err(Refusal::Hidden));
        assert_eq!(
            actor(Role::NtiManager, None)
                .cohort_scope(None)
                .unwrap()
                .institution,
            Some(Uuid::nil())
        );
        let tutor = actor(Role::Tutor, Some(a));
        assert_eq!(
            tutor.cohort_scope(Some(a)),
            Ok(CohortScope {
                institution: None,
                tutor: Some(tutor.user_id)
            })
        );
        assert_eq!(tutor.cohort_scope(Some(b)), Err(Refusal::Hidden));
        assert_eq!(
            actor(Role::Learner, Some(a)).cohort_scope(None),
            Err(Refusal::Forbidden(OnlyFor::Staff))
        );
    }

    #[test]
    fn tutors_read_their_cohorts_but_only_managers_change_them() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let tutor = actor(Role::Tutor, Some(a));
        let tutors = [tutor.user_id];
        assert_eq!(tutor.view_cohort(a, &tutors), Ok(()));
        assert_eq!(
            tutor.manage_cohort(a, &tutors),
            Err(Refusal::Forbidden(OnlyFor::Managers))
        );
        assert_eq!(tutor.manage_cohort(a, &[]), Err(Refusal::Hidden));
        let manager = actor(Role::NtiManager, Some(a));
        assert_eq!(manager.manage_cohort(a, &[]), Ok(()));
        assert_eq!(manager.manage_cohort(b, &[]), Err(Refusal::Hidden));
    }

    #[test]
    fn institutions_are_seen_by_their_people_and_managed_by_their_managers() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let admin = actor(Role::Admin, None);
        assert_eq!(admin.create_institution(), Ok(()));
        assert_eq!(admin.institution_scope(), Ok(None));
        assert_eq!(admin.manage_institution(b), Ok(()));
        let manager = actor(Role::NtiManager, Some(a));
        assert_eq!(
            manager.create_institution(),
            Err(Refusal::Forbidden(OnlyFor::Admins))
        );
        assert_eq!(manager.institution_scope(), Ok(Some(a)));
        assert_eq!(manager.manage_institution(a), Ok(()));
        assert_eq!(manager.view_institution(b), Err(Refusal::Hidden));
        let tutor = actor(Role::Tutor, Some(a));
        assert_eq!(tutor.institution_scope(), Ok(Some(a)));
        assert_eq!(tutor.view_institution(a), Ok(()));
        assert_eq!(
            tutor.manage_institution(a),
            Err(Refusal::Forbidden(OnlyFor::Managers))
        );
        assert_eq!(tutor.manage_institution(b), Err(Refusal::Hidden));
        for learner in [actor(Role::Learner, Some(a)), actor(Role::Tutor, None)] {
            assert_eq!(
                learner.institution_scope(),
                Err(Refusal::Forbidden(OnlyFor::Staff))
            );
        }
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

    fn account(role: Role, institution_id: Option<Uuid>) -> User {
        User {
            id: Uuid::now_v7(),
            email: crate::values::Email::parse("someone@court.example").unwrap(),
            name: "Someone".into(),
            profession: crate::values::Profession::Judge,
            country: crate::values::Country::Ua,
            language: crate::values::Language::Uk,
            institution_id,
            role,
            status: crate::values::UserStatus::Active,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn who_may_disable_whom() {
        let a = Some(Uuid::now_v7());
        let b = Some(Uuid::now_v7());
        let manager = actor(Role::NtiManager, a);
        let client = Actor {
            via_client: true,
            ..manager
        };
        let admin = actor(Role::Admin, None);
        assert_eq!(manager.may_disable(&account(Role::Learner, a)), Ok(()));
        assert_eq!(client.may_disable(&account(Role::Learner, a)), Ok(()));
        assert_eq!(manager.may_disable(&account(Role::Tutor, a)), Ok(()));
        assert_eq!(
            client.may_disable(&account(Role::Tutor, a)),
            Err(Refusal::Forbidden(OnlyFor::Managers))
        );
        assert_eq!(
            manager.may_disable(&account(Role::NtiManager, a)),
            Err(Refusal::Forbidden(OnlyFor::Admins))
        );
        assert_eq!(
            manager.may_disable(&account(Role::Learner, b)),
            Err(Refusal::Hidden)
        );
        assert_eq!(
            manager.may_disable(&account(Role::Learner, None)),
            Err(Refusal::Hidden)
        );
        assert_eq!(admin.may_disable(&account(Role::NtiManager, a)), Ok(()));
        assert_eq!(admin.may_disable(&account(Role::Admin, None)), Ok(()));
        let tutor = actor(Role::Tutor, a);
        assert_eq!(
            tutor.may_disable(&account(Role::Learner, a)),
            Err(Refusal::Forbidden(OnlyFor::Managers))
        );
        let own = User {
            id: admin.user_id,
            ..account(Role::Admin, None)
        };
        assert!(matches!(admin.may_disable(&own), Err(Refusal::Invalid(_))));
    }

    #[test]
    fn who_may_resend_an_invitation() {
        let a = Some(Uuid::now_v7());
        let manager = actor(Role::NtiManager, a);
        assert_eq!(
            manager.may_resend_invitation(&account(Role::Tutor, a)),
            Ok(())
        );
        assert_eq!(
            manager.may_resend_invitation(&account(Role::Learner, Some(Uuid::now_v7()))),
            Err(Refusal::Hidden)
        );
        assert_eq!(
            actor(Role::Admin, None).may_resend_invitation(&account(Role::Learner, None)),
            Ok(())
        );
        assert_eq!(
            actor(Role::Tutor, a).may_resend_invitation(&account(Role::Learner, a)),
            Err(Refusal::Forbidden(OnlyFor::Managers))
        );
    }
}
