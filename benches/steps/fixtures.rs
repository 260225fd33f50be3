//! What the steps' other sides start from: the floor's client and pending
//! authorization for ours, `oauth2`'s token response type for Google.

use oauth2::basic::BasicTokenType;
use oauth2::{ExtraTokenFields, StandardTokenResponse};
use oauth2_sansio::google::{GOOGLE_AUTH_URI, GOOGLE_ISSUER, GOOGLE_TOKEN_URI};
use oauth2_sansio::{Client, PendingAuthorization};
use zeroize::Zeroizing;

use crate::common::code_flow::verifier_of;
use crate::common::{CLIENT_ID, CLIENT_SECRET};
use crate::floor::{FloorClient, Pending};

/// The floor's client for the same Google client as ours.
pub fn floor_client() -> FloorClient {
    FloorClient::new(
        CLIENT_ID,
        CLIENT_SECRET,
        GOOGLE_AUTH_URI,
        GOOGLE_TOKEN_URI,
        GOOGLE_ISSUER,
    )
}

/// The floor's pending authorization for ours, which it consumes to read
/// the verifier back.
pub fn floor_pending(client: &Client, pending: PendingAuthorization) -> Pending {
    Pending {
        state: Zeroizing::new(pending.state().secret().to_owned()),
        redirect_uri: pending.redirect_uri().to_owned(),
        verifier: Zeroizing::new(verifier_of(client, pending)),
    }
}

/// `oauth2`'s token response with Google's `id_token`, so that it reads
/// the same fields as ours.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct IdTokenFields {
    #[serde(default)]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenFields {}

pub type GoogleTokenResponse = StandardTokenResponse<IdTokenFields, BasicTokenType>;
