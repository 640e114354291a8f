//! Guards: extractors that let a handler run only for actors of the right kind, so the
//! check is in the handler's signature instead of its body. Each wraps [`Authenticated`]
//! and refuses everyone else with the same problem every time.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use help_lms_domain::accounts::Actor;
use help_lms_domain::values::Role;

use super::Authenticated;
use crate::error::{ApiError, Code};

macro_rules! guard {
    ($(#[doc = $doc:literal])* $name:ident, $denied:expr, |$a:ident| $allows:expr) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name(pub Actor);

        impl $name {
            fn allows($a: &Actor) -> bool {
                $allows
            }
        }

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let auth = Authenticated::from_request(req, payload);
                Box::pin(async move {
                    let Authenticated(actor) = auth.await?;
                    if $name::allows(&actor) {
                        Ok($name(actor))
                    } else {
                        Err(ApiError::from($denied))
                    }
                })
            }
        }
    };
}

guard!(
    /// A platform admin (the HELP secretariat).
    Admin, Code::AdminOnly, |a| a.role == Role::Admin
);

guard!(
    /// Someone who follows other people's learning: a tutor, an NTI manager (or its API
    /// client) or an admin. Which cohorts each may see is still checked per object.
    Staff, Code::StaffOnly, |a| matches!(a.role, Role::Tutor | Role::NtiManager | Role::Admin)
);

guard!(
    /// An NTI manager (or its API client) or an admin. Which institution is still checked
    /// per object.
    Manager, Code::ManagersOnly, |a| matches!(a.role, Role::NtiManager | Role::Admin)
);

guard!(
    /// A person signed in, not an institution's API client.
    Person, Code::PeopleOnly, |a| !a.via_client
);
