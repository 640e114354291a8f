//! Password hashing with argon2id at the OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing is slow on purpose, so it runs on a few threads of its own, fed by one
//! first-come-first-served queue: a burst of logins queues here instead of starving the
//! request workers, and takes at most that many cores. The threads live as long as the
//! hasher, so the 19 MiB each hash needs is reused by the same few threads; on tokio's
//! blocking pool every new thread kept its own copy, and a login flood left the server
//! holding a gigabyte.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

use crate::error::StoreError;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone, Debug)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
}

fn argon2() -> Result<Argon2<'static>, StoreError> {
    // OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A valid hash of a random password, verified against when the account does not exist so
/// that the answer takes as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("a password nobody has, used to spend equal time").unwrap_or_default()
    })
}

fn hash_blocking(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .to_string())
}

fn verify_blocking(password: &str, hash: Option<&str>) -> bool {
    let (hash, real) = match hash {
        Some(h) => (h, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = argon2()
        .map(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    ok && real
}

impl PasswordHasher {
    /// A hasher with `threads` hashing threads (at least one).
    pub fn new(threads: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            // Every hasher handle is gone.
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        PasswordHasher { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .map_err(|_| StoreError::Internal("the password hashing threads are gone".into()))?;
        rx.await
            .map_err(|_| StoreError::Internal("a password hashing thread failed".into()))
    }

    pub async fn hash(&self, password: String) -> Result<String, StoreError> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against `hash`; with no hash (no such account, or an invited
    /// account without a password) it spends the same time and answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, StoreError> {
        self.run(move || verify_blocking(&password, hash.as_deref()))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let h = PasswordHasher::new(2);
        let hash = h.hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            h.verify("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("wrong horse battery".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!h.verify("anything".into(), None).await.unwrap());
    }
}
