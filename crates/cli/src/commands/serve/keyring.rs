//! The service's key ring from a key store: every user file in `users/`, each validated
//! against the store's KMS public keys before the server starts.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use service::{KeyRing, UserKeys};

use crate::keystore::{load_user_file, Store};

pub fn load(dir: &Path) -> Result<KeyRing> {
    let store = Store::at(dir);
    let public = store.load_public()?;
    let mut ring = KeyRing::new(public.z, public.kpak);
    let users = store.users_dir();
    let entries = fs::read_dir(&users).with_context(|| format!("reading {}", users.display()))?;
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let keys = load_user_file(&path)?;
        let (receiver, signing) = keys.validate(&public, &path)?;
        ring.insert(
            keys.uri.as_str(),
            &keys.period.to_string(),
            UserKeys {
                receiver: Arc::new(receiver),
                signing,
            },
        );
    }
    Ok(ring)
}
