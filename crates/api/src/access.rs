//! How the domain's refusals are answered: hidden as 404 (as if the thing did not exist),
//! forbidden as 403 naming who may, invalid as 422 with its fields.

use help_lms_domain::accounts::{OnlyFor, Refusal};

use crate::error::{ApiError, Code};

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Hidden => ApiError::NotFound,
            Refusal::Forbidden(who) => ApiError::from(match who {
                OnlyFor::Admins => Code::AdminOnly,
                OnlyFor::Staff => Code::StaffOnly,
                OnlyFor::Managers => Code::ManagersOnly,
            }),
            Refusal::Invalid(v) => ApiError::Validation(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use help_lms_domain::ValidationErrors;

    use super::*;

    #[test]
    fn refusals_answer_as_their_kind() {
        assert_eq!(ApiError::from(Refusal::Hidden).code(), Code::NotFound);
        for (who, code) in [
            (OnlyFor::Admins, Code::AdminOnly),
            (OnlyFor::Staff, Code::StaffOnly),
            (OnlyFor::Managers, Code::ManagersOnly),
        ] {
            assert_eq!(ApiError::from(Refusal::Forbidden(who)).code(), code);
        }
        let invalid = Refusal::Invalid(ValidationErrors::single("institution_id", "required", "x"));
        assert_eq!(ApiError::from(invalid).code(), Code::ValidationFailed);
    }
}
