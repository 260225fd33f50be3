//! Entries sealed at rest: AES-256-GCM under a key the caller supplies, a
//! fresh nonce for every write, the entry's key and version as associated
//! data (an entry copied under another key, or with its version changed,
//! does not open).

use std::fmt;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use zeroize::Zeroizing;

/// How entries are protected in the store.
pub enum Sealing {
    /// Sealed with this key: a dump of the store holds no usable token.
    Key(SealingKey),
    /// Stored in clear: only by explicit choice
    /// ([`Sealing::plain_by_choice`]), for a store nobody else can read.
    Plain,
}

impl Sealing {
    /// Entries stored in clear. Anyone who can read the store (a dump, a
    /// replica, a `MONITOR`) can use the tokens in it.
    pub fn plain_by_choice() -> Self {
        Sealing::Plain
    }
}

impl fmt::Debug for Sealing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sealing::Key(_) => f.write_str("Sealing::Key([redacted])"),
            Sealing::Plain => f.write_str("Sealing::Plain"),
        }
    }
}

/// The length of a nonce, drawn anew for every write.
pub const SEAL_NONCE_LEN: usize = NONCE_LEN;

/// An AES-256-GCM key shared by every instance of the fleet (from a secret
/// manager, say), and by nothing else.
pub struct SealingKey(Box<LessSafeKey>);

impl SealingKey {
    /// The key from its 32 bytes.
    pub fn new(bytes: &[u8; 32]) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, bytes).expect("32 bytes is an AES-256 key");
        Self(Box::new(LessSafeKey::new(key)))
    }

    /// `plaintext` sealed with `nonce`, bound to `aad`: the nonce, then
    /// the ciphertext and its tag.
    pub(super) fn seal(&self, nonce: [u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = self
            .0
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut out[NONCE_LEN..],
            )
            .expect("an entry is far below AES-GCM's length limit");
        out.extend_from_slice(tag.as_ref());
        out
    }

    /// The plaintext of `sealed`, or `None` if it was not sealed with this
    /// key and `aad`, or was changed.
    pub(super) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (nonce, ciphertext) = sealed.split_first_chunk::<NONCE_LEN>()?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let plain_len = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut buffer,
            )
            .ok()?
            .len();
        buffer.truncate(plain_len);
        Some(buffer)
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey([redacted])")
    }
}
