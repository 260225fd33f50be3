//! Why a private key cannot be used for signing.

use std::fmt;

/// A PEM private key that [`RingSigner`](super::RingSigner) cannot use.
///
/// No variant carries any part of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyError {
    /// No `-----BEGIN …-----` line.
    NotPem,
    /// A `BEGIN` line without its matching `END` line.
    MissingEnd,
    /// More than one PEM block.
    SeveralBlocks,
    /// Text other than whitespace before or after the block.
    TextOutsideBlock,
    /// The block's body is not valid base64.
    InvalidBase64,
    /// An encrypted key (`ENCRYPTED PRIVATE KEY`, or `Proc-Type:
    /// 4,ENCRYPTED`).
    Encrypted,
    /// A private key, but not RSA (EC, Ed25519, DSA).
    NotRsa,
    /// A PEM block that is not a private key the crate reads (a certificate,
    /// a public key, an OpenSSH key).
    UnsupportedLabel,
    /// An RSA modulus under 2048 bits.
    TooSmall,
    /// An RSA modulus over 4096 bits (ring's bound), or a PEM text over
    /// 64 KiB.
    TooLarge,
    /// The DER inside is not a valid key, or its components are inconsistent.
    Invalid,
    /// Not a valid P-256 private key (with its public key), the only kind a
    /// DPoP key can be.
    InvalidEc,
}

impl KeyError {
    /// A short reason, for errors that name the key's field
    /// ([`FileProblem::InvalidField`](crate::FileProblem::InvalidField)).
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::NotPem => "is not a PEM private key (no BEGIN line)",
            Self::MissingEnd => "has a BEGIN line without its END line",
            Self::SeveralBlocks => "has more than one PEM block",
            Self::TextOutsideBlock => "has text outside the PEM block",
            Self::InvalidBase64 => "is not valid base64 inside the PEM block",
            Self::Encrypted => "is encrypted; decrypt it first (openssl pkcs8 -topk8 -nocrypt)",
            Self::NotRsa => "is not an RSA key (only RS256 is supported)",
            Self::UnsupportedLabel => "is not a PRIVATE KEY or RSA PRIVATE KEY block",
            Self::TooSmall => "is an RSA key under 2048 bits",
            Self::TooLarge => "is an RSA key over 4096 bits, or too long",
            Self::Invalid => "is not a valid RSA private key",
            Self::InvalidEc => {
                "is not a valid P-256 private key with its public key (DPoP keys are ES256)"
            }
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the private key {}", self.reason())
    }
}

impl std::error::Error for KeyError {}
