//! Delivering invitations. Mail belongs to the institutions' own systems, so the API returns
//! each activation token to the caller; a deployment that wants the platform to send mail
//! plugs in an `InvitationSender`. The default only logs that an invitation is ready (with
//! the account id, never the address or the token).

use std::sync::Arc;

use uuid::Uuid;

/// An invitation ready to deliver.
pub struct Invitation<'a> {
    pub user_id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub activation_token: &'a str,
    pub institution_id: Option<Uuid>,
}

pub trait InvitationSender: Send + Sync {
    fn send(&self, invitation: &Invitation<'_>);
}

/// The default sender: logs without personal data.
#[derive(Debug, Default)]
pub struct LogOnly;

impl InvitationSender for LogOnly {
    fn send(&self, invitation: &Invitation<'_>) {
        tracing::info!(user_id = %invitation.user_id, "invitation ready for delivery by the institution");
    }
}

pub type Sender = Arc<dyn InvitationSender>;

pub fn log_only() -> Sender {
    Arc::new(LogOnly)
}
