//! The discovery document (RFC 8414, OpenID Connect). It carries no
//! secret, so the leak check has nothing to look for; panics and the
//! must-refuse rules are what this family checks.

use oauth2_sansio::discovery::AuthorizationServerMetadata;
use serde_json::json;

use super::derive::{json_cases, JsonRules};
use super::json::J;
use super::tally::{outcome, Tally};
use super::RESPONSE_LIMIT;

const ISSUER: &str = "https://as.example/tenant";

pub fn tallies() -> Vec<Tally> {
    let seed = J::from(&json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://as.example/tenant/auth",
        "token_endpoint": "https://as.example/tenant/token",
        "revocation_endpoint": "https://as.example/tenant/revoke",
        "introspection_endpoint": "https://as.example/tenant/introspect",
        "device_authorization_endpoint": "https://as.example/tenant/device",
        "userinfo_endpoint": "https://as.example/tenant/userinfo",
        "jwks_uri": "https://as.example/tenant/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "authorization_response_iss_parameter_supported": true,
        "scopes_supported": ["openid", "email"],
    }));
    let rules = JsonRules {
        required: &["issuer"],
        bound: Some(RESPONSE_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let mut tally = Tally::new("discovery document");
    tally.run(&[], json_cases(&seed, &rules, 1200), |body| {
        outcome(AuthorizationServerMetadata::parse(
            ISSUER,
            200,
            body,
            RESPONSE_LIMIT,
        ))
    });
    vec![tally]
}
