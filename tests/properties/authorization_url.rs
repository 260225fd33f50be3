//! Properties of the authorization URL: it carries exactly the configured
//! parameters (with the PKCE challenge of its verifier), and reserved
//! parameters are refused as extras.

use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::url::Url;
use oauth2_sansio::{AccessType, Client, PkceVerifier};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use crate::support::authorization::*;

const RESERVED: [&str; 12] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "access_type",
    "prompt",
    "login_hint",
    "include_granted_scopes",
    "code_verifier",
];

#[derive(Debug, Clone)]
struct Config {
    client_id: String,
    endpoint: &'static str,
    redirect_uri: &'static str,
    scopes: Vec<String>,
    login_hint: Option<String>,
    prompt: Option<String>,
    include_granted_scopes: bool,
    extra: Vec<(String, String)>,
    access_type: Option<AccessType>,
    entropy: Vec<u8>,
}

fn config() -> impl Strategy<Value = Config> {
    (
        (
            any::<String>(),
            prop::sample::select(vec![
                "https://as.example/auth",
                "https://accounts.google.com/o/oauth2/auth",
                "http://127.0.0.1:9000/auth?hd=example.com",
                "https://as.example/auth?a=1&a=2&b",
                "https://as.example/auth?",
            ]),
            prop::sample::select(vec![
                "http://127.0.0.1:53682/",
                "http://localhost:8080/cb?x=1&y=%20",
                "https://app.example/callback",
                "com.example.app:/oauth2redirect",
                "http://[::1]:9/",
            ]),
            prop::collection::vec("[!#-\\[\\]-~]{1,12}", 0..5),
        ),
        (
            prop::option::of(any::<String>()),
            prop::option::of(any::<String>()),
            any::<bool>(),
            prop::collection::vec(
                (
                    any::<String>()
                        .prop_filter("not reserved", |n| !RESERVED.contains(&n.as_str())),
                    any::<String>(),
                ),
                0..4,
            ),
            prop::sample::select(vec![
                None,
                Some(AccessType::Offline),
                Some(AccessType::Online),
            ]),
            prop::collection::vec(any::<u8>(), 64),
        ),
    )
        .prop_map(
            |(
                (client_id, endpoint, redirect_uri, scopes),
                (login_hint, prompt, include_granted_scopes, extra, access_type, entropy),
            )| Config {
                client_id,
                endpoint,
                redirect_uri,
                scopes,
                login_hint,
                prompt,
                include_granted_scopes,
                extra,
                access_type,
                entropy,
            },
        )
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn url_carries_exactly_the_configured_parameters(config in config()) {
        let client = Client::builder(config.client_id.clone())
            .authorization_endpoint(config.endpoint)
            .token_endpoint("https://as.example/token")
            .build()
            .expect("valid endpoints");
        let mut request = client
            .authorization_request(config.redirect_uri)
            .scopes(config.scopes.clone())
            .include_granted_scopes(config.include_granted_scopes)
            .access_type(config.access_type);
        if let Some(hint) = &config.login_hint {
            request = request.login_hint(hint.clone());
        }
        if let Some(prompt) = &config.prompt {
            request = request.prompt(prompt.clone());
        }
        for (name, value) in &config.extra {
            request = request.param(name.clone(), value.clone());
        }
        let entropy: [u8; 64] = config.entropy.clone().try_into().expect("64 bytes");
        let (url, pending) = request
            .build_with_entropy(SystemTime::UNIX_EPOCH, &entropy)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;

        let state = pending.state().secret().to_owned();
        prop_assert!(state.len() >= 22, "state carries at least 128 bits");
        let callback = query(&[("code", "c"), ("state", &state)]);
        let exchange = pending.complete(&client, &callback).expect("genuine callback");
        let verifier = sent(exchange, "code_verifier");
        prop_assert!(PkceVerifier::new(verifier.clone()).is_well_formed());

        let endpoint = Url::parse(config.endpoint).expect("valid endpoint");
        let mut expected: Vec<(String, String)> = endpoint.query_pairs().into_owned().collect();
        let mut push = |k: &str, v: &str| expected.push((k.to_owned(), v.to_owned()));
        push("response_type", "code");
        push("client_id", &config.client_id);
        push("redirect_uri", config.redirect_uri);
        if !config.scopes.is_empty() {
            push("scope", &config.scopes.join(" "));
        }
        push("state", &state);
        push("code_challenge", &s256(&verifier));
        push("code_challenge_method", "S256");
        if let Some(hint) = &config.login_hint {
            push("login_hint", hint);
        }
        if let Some(prompt) = &config.prompt {
            push("prompt", prompt);
        }
        if config.include_granted_scopes {
            push("include_granted_scopes", "true");
        }
        for (name, value) in &config.extra {
            push(name, value);
        }
        match config.access_type {
            Some(AccessType::Offline) => push("access_type", "offline"),
            Some(AccessType::Online) => push("access_type", "online"),
            _ => {}
        }
        // Byte for byte what `url`'s own writer makes of the same pairs.
        let mut written_by_url = endpoint.clone();
        let added = expected.len() - endpoint.query_pairs().count();
        written_by_url
            .query_pairs_mut()
            .extend_pairs(&expected[expected.len() - added..]);
        prop_assert_eq!(url.as_str(), written_by_url.as_str());
        let url = url.url();
        let mut actual: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        expected.sort();
        actual.sort();
        prop_assert_eq!(actual, expected);
        let (mut bare_url, mut bare_endpoint) = (url.clone(), endpoint);
        bare_url.set_query(None);
        bare_endpoint.set_query(None);
        prop_assert_eq!(bare_url, bare_endpoint);
    }

    #[test]
    fn reserved_parameters_are_refused(
        name in prop::sample::select(RESERVED.to_vec()),
        value in ".{0,8}",
    ) {
        let client = client(false);
        let built = client
            .authorization_request(REDIRECT)
            .param(name, value)
            .build_with_entropy(SystemTime::UNIX_EPOCH, &ENTROPY);
        prop_assert_eq!(
            built.map(|_| ()),
            Err(oauth2_sansio::ConfigError::ReservedParameter { name: name.to_owned() })
        );
    }
}
