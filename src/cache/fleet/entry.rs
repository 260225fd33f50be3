//! The value stored for one set of credentials: `VERSION:` then `s` and
//! the sealed state, or `p` and the state in clear. The version is outside
//! the seal so that the store's compare-and-swap can read it; it is bound
//! to the seal as associated data all the same.

use std::fmt;

use zeroize::Zeroizing;

use super::seal::{Sealing, SEAL_NONCE_LEN};
use super::state::SharedState;

/// The largest entry read from the store; a larger one is ignored (and
/// overwritten by the next refresh).
pub const FLEET_ENTRY_LIMIT: usize = 16 * 1024;

/// Digits of a version: more do not fit a `u64` and count as no version.
const MAX_VERSION_DIGITS: usize = 19;

/// Why an entry read from the store is not used: it is then treated as
/// absent, and replaced by the next refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryError {
    /// Longer than [`FLEET_ENTRY_LIMIT`].
    TooLarge,
    /// Not `VERSION:` then `s` or `p` and a body: written by something else.
    Foreign,
    /// Sealed, but not with this key and this key name (another fleet's
    /// key, a copied or altered entry).
    NotOpened,
    /// In clear while this store seals, or sealed while it stores in clear.
    WrongSealing,
    /// Opened, but not the state this crate writes.
    Malformed,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntryError::TooLarge => "the shared entry is larger than FLEET_ENTRY_LIMIT",
            EntryError::Foreign => "the shared entry was not written by this crate",
            EntryError::NotOpened => {
                "the shared entry does not open with this sealing key; check that every instance has the same key"
            }
            EntryError::WrongSealing => {
                "the shared entry is sealed differently from this store; check that every instance seals alike"
            }
            EntryError::Malformed => "the shared entry holds no usable credentials",
        })
    }
}

impl std::error::Error for EntryError {}

/// The version digits at the start of `value`: the ASCII digits before its
/// first `:`, or `""` when it does not start that way (no value, a foreign
/// one). The store's compare-and-swap reads versions by the same rule.
pub fn version_of(value: &[u8]) -> &str {
    let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || value.get(digits) != Some(&b':') {
        return "";
    }
    std::str::from_utf8(&value[..digits]).expect("ASCII digits")
}

/// The version number of the digits `version_of` read: 0 for none (or
/// too many).
pub(super) fn version_number(digits: &str) -> u64 {
    if digits.len() > MAX_VERSION_DIGITS {
        return 0;
    }
    digits.parse().unwrap_or(0)
}

/// The state in `value`, stored at `key`, if it is a valid entry sealed as
/// `sealing` says. Never panics; reads at most [`FLEET_ENTRY_LIMIT`] bytes.
pub fn decode_entry(sealing: &Sealing, key: &str, value: &[u8]) -> Result<SharedState, EntryError> {
    if value.len() > FLEET_ENTRY_LIMIT {
        return Err(EntryError::TooLarge);
    }
    let version = version_of(value);
    if version.is_empty() {
        return Err(EntryError::Foreign);
    }
    let Some((&mode, body)) = value[version.len() + 1..].split_first() else {
        return Err(EntryError::Foreign);
    };
    match (mode, sealing) {
        (b's', Sealing::Key(key_material)) => {
            let plain = key_material
                .open(&associated_data(key, version), body)
                .ok_or(EntryError::NotOpened)?;
            SharedState::from_json(&plain)
        }
        (b'p', Sealing::Plain) => SharedState::from_json(body),
        (b's' | b'p', _) => Err(EntryError::WrongSealing),
        _ => Err(EntryError::Foreign),
    }
}

/// The entry holding `state` at `key`, as `version`; `nonce` is fresh
/// random bytes (used only when sealing).
pub(super) fn encode_entry(
    sealing: &Sealing,
    key: &str,
    version: u64,
    state: &SharedState,
    nonce: [u8; SEAL_NONCE_LEN],
) -> Vec<u8> {
    let digits = version.to_string();
    let json: Zeroizing<Vec<u8>> = state.to_json();
    let mut value = format!("{digits}:").into_bytes();
    match sealing {
        Sealing::Key(key_material) => {
            value.push(b's');
            value.extend(key_material.seal(nonce, &associated_data(key, &digits), &json));
        }
        Sealing::Plain => {
            value.push(b'p');
            value.extend_from_slice(&json);
        }
    }
    value
}

fn associated_data(key: &str, version: &str) -> Vec<u8> {
    format!("oauth2-sansio fleet entry\n{key}\n{version}").into_bytes()
}
