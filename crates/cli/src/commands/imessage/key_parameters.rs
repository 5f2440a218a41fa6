//! The 3GPP key parameters of an opened message, as `imessage open` reports them.

use std::fmt;

use mikey::{KeyParameters, KeyParametersForm};
use serde::Serialize;

/// What the key parameters (General Extension type 7) say, authenticated.
#[derive(Serialize)]
pub struct KeyParametersReport {
    /// "protected" (sealed under the key) or "legacy" (bare, older Streamwide builds).
    form: &'static str,
    key_type: &'static str,
    status: u32,
    in_force: bool,
    activation_time: String,
    expiry_time: String,
    text: String,
    group_ids: Option<String>,
}

impl KeyParametersReport {
    pub fn new((params, form): &(KeyParameters, KeyParametersForm)) -> Self {
        KeyParametersReport {
            form: match form {
                KeyParametersForm::Protected => "protected",
                KeyParametersForm::Legacy => "legacy",
            },
            key_type: params.key_type.name(),
            status: params.status,
            in_force: params.in_force(),
            activation_time: hex::encode(params.activation_time),
            expiry_time: hex::encode(params.expiry_time),
            text: String::from_utf8_lossy(&params.text).into_owned(),
            group_ids: params.group_ids.as_deref().map(hex::encode),
        }
    }
}

impl fmt::Display for KeyParametersReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.in_force { "in force" } else { "revoked" };
        write!(f, "{} {state} (status {:#x}", self.key_type, self.status)?;
        let zero = "0000000000";
        if self.activation_time != zero {
            write!(f, ", from {}", self.activation_time)?;
        }
        if self.expiry_time != zero {
            write!(f, ", until {}", self.expiry_time)?;
        }
        if !self.text.is_empty() {
            write!(f, ", {:?}", self.text)?;
        }
        write!(f, "), {}", self.form)
    }
}
