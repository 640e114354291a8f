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
