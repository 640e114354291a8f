//! `?delivery=`: how the links of invitations reach people. By default the platform emails
//! them; an integration that delivers its own mail asks for `links` and gets each activation
//! link (and its token) in the answer instead, and nothing is emailed. Answers carry no token
//! otherwise, and a stored idempotent answer never does.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The platform emails the invitation (the default).
    #[default]
    Email,
    /// The answer carries the activation link and token; nothing is emailed.
    Links,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `email` (default): the platform emails the invitation. `links`: the answer carries
    /// the activation link and token for you to deliver, and nothing is emailed.
    #[serde(default)]
    pub delivery: Delivery,
}
