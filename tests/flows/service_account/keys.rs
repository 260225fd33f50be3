//! Key files and PEM keys: what is accepted, and a typed error for each
//! bad input a key file can hold: a wrong `type`, missing fields, PKCS#1
//! or PKCS#8, an EC or encrypted key, a tiny or huge RSA key, several PEM
//! blocks, a missing END line, CRLF, bad base64, trailing bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use oauth2_sansio::jwt::{KeyError, RingSigner, Signer};
use oauth2_sansio::service_account::{ServiceAccountCredentials, ServiceAccountKey};
use oauth2_sansio::Credentials;
use oauth2_sansio::FileProblem;

use testkit::jwt::{fixture, verify, EMAIL, KEY_JSON, KID, PKCS1, PKCS8, PUBLIC_DER};

#[test]
fn the_key_file_is_read_with_its_key_id() {
    let key = ServiceAccountKey::from_json(KEY_JSON).unwrap();
    assert_eq!(key.client_email(), EMAIL);
    assert_eq!(key.private_key_id(), Some(KID));
    assert_eq!(
        key.token_uri().as_str(),
        "https://oauth2.googleapis.com/token"
    );
    assert_eq!(key.project_id(), Some("oauth2-sansio-tests"));
    assert_eq!(key.private_key().secret(), PKCS8);
    let signer = key.signer().unwrap();
    assert_eq!(signer.key_id(), Some(KID));
    assert_eq!(signer.modulus_bits(), 2048);

    let creds = ServiceAccountCredentials::from_json(KEY_JSON).unwrap();
    assert_eq!(creds.email(), EMAIL);
    assert_eq!(creds.signer().key_id(), Some(KID));
    let from_key = ServiceAccountCredentials::from_key(&key).unwrap();
    assert_eq!(from_key.token_uri(), creds.token_uri());
}

#[test]
fn pkcs8_and_pkcs1_forms_of_one_key_sign_identically() {
    let pkcs8 = RingSigner::from_pem(PKCS8, None).unwrap();
    let pkcs1 = RingSigner::from_pem(PKCS1, None).unwrap();
    let crlf = RingSigner::from_pem(&PKCS8.replace('\n', "\r\n"), None).unwrap();
    let message = b"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0";
    let signature = pkcs8.sign(message).unwrap();
    assert_eq!(signature.len(), 256);
    assert_eq!(pkcs1.sign(message).unwrap(), signature);
    assert_eq!(crlf.sign(message).unwrap(), signature);
    assert_eq!(
        pkcs8.sign(message).unwrap(),
        signature,
        "RS256 is deterministic"
    );

    // The public key OpenSSL derived verifies it, and is what the signer reports.
    assert_eq!(pkcs8.public_key_der(), PUBLIC_DER);
    let jwt = format!(
        "{}.{}",
        std::str::from_utf8(message).unwrap(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&signature)
    );
    verify(&jwt);
}

#[test]
fn the_public_jwk_carries_the_modulus_and_exponent() {
    let signer = RingSigner::from_pem(PKCS8, Some(KID.into())).unwrap();
    let jwk = signer.public_jwk();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["kid"], KID);
    assert_eq!(jwk["e"], "AQAB");
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwk["n"].as_str().unwrap())
        .unwrap();
    assert_eq!(n.len(), 256);
    assert!(n[0] >= 0x80, "2048 bits, no leading zero byte");
    // The DER RSAPublicKey holds n after a 0x00 sign byte.
    assert!(PUBLIC_DER.windows(n.len()).any(|w| w == n.as_slice()));
}

#[test]
fn a_3072_bit_key_is_accepted() {
    let signer = RingSigner::from_pem(&fixture("rsa3072_pkcs8.pem"), None).unwrap();
    assert_eq!(signer.modulus_bits(), 3072);
    assert_eq!(signer.sign(b"x").unwrap().len(), 384);
}

/// The PKCS#8 body with `edit` applied to its DER, as PEM again.
fn reencoded(edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = STANDARD.decode(body).unwrap();
    edit(&mut der);
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(der)
    )
}

fn bad_keys() -> Vec<(&'static str, String, KeyError)> {
    let lines: Vec<&str> = PKCS8.lines().collect();
    vec![
        ("2047-bit", fixture("rsa2047_pkcs8.pem"), KeyError::TooSmall),
        (
            "2047-bit ring accepts",
            fixture("rsa2047_two_1024_bit_primes_pkcs8.pem"),
            KeyError::TooSmall,
        ),
        ("1024-bit", fixture("rsa1024_pkcs8.pem"), KeyError::TooSmall),
        ("4160-bit", fixture("rsa4160_pkcs8.pem"), KeyError::TooLarge),
        ("EC PKCS#8", fixture("ec_p256_pkcs8.pem"), KeyError::NotRsa),
        ("EC SEC1", fixture("ec_p256_sec1.pem"), KeyError::NotRsa),
        ("Ed25519", fixture("ed25519_pkcs8.pem"), KeyError::NotRsa),
        (
            "encrypted PKCS#8",
            fixture("rsa2048_encrypted_pkcs8.pem"),
            KeyError::Encrypted,
        ),
        (
            "encrypted PKCS#1",
            fixture("rsa2048_encrypted_pkcs1.pem"),
            KeyError::Encrypted,
        ),
        (
            "two blocks",
            format!("{PKCS8}{PKCS1}"),
            KeyError::SeveralBlocks,
        ),
        (
            "no END line",
            lines[..lines.len() - 1].join("\n"),
            KeyError::MissingEnd,
        ),
        (
            "trailing bytes",
            format!("{PKCS8}garbage"),
            KeyError::TextOutsideBlock,
        ),
        (
            "leading text",
            format!("Bag Attributes\n{PKCS8}"),
            KeyError::TextOutsideBlock,
        ),
        (
            "bad base64",
            PKCS8.replacen("MII", "M!I", 1),
            KeyError::InvalidBase64,
        ),
        (
            "truncated base64",
            PKCS8.replacen(lines[5], "", 1),
            KeyError::Invalid,
        ),
        (
            "trailing DER",
            reencoded(|der| der.push(0)),
            KeyError::Invalid,
        ),
        // Found by the fuzzer: one base64 character changed inside a CRT
        // component; ring loads the key, but cannot sign with it.
        (
            "inconsistent component",
            PKCS8.replacen("hflJgICpzRy", "hflJgIcpzRy", 1),
            KeyError::Invalid,
        ),
        (
            "PKCS#8 labelled PKCS#1",
            PKCS8.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
            KeyError::Invalid,
        ),
        (
            "public key",
            "-----BEGIN PUBLIC KEY-----\nAQAB\n-----END PUBLIC KEY-----\n".into(),
            KeyError::UnsupportedLabel,
        ),
        ("not PEM", "just text".into(), KeyError::NotPem),
    ]
}

#[test]
fn bad_keys_are_refused_with_typed_errors() {
    for (name, pem, expected) in bad_keys() {
        assert_eq!(
            RingSigner::from_pem(&pem, None).unwrap_err(),
            expected,
            "{name}"
        );
    }
}

#[test]
fn a_key_file_with_a_bad_key_names_private_key() {
    for (name, pem, _) in bad_keys() {
        let mut file: serde_json::Value = serde_json::from_slice(KEY_JSON).unwrap();
        file["private_key"] = pem.into();
        let bytes = serde_json::to_vec(&file).unwrap();
        assert!(
            ServiceAccountKey::from_json(&bytes).is_ok(),
            "{name}: the JSON is fine"
        );
        let err = ServiceAccountCredentials::from_json(&bytes).unwrap_err();
        assert!(
            matches!(err.problem(), FileProblem::InvalidField { field, .. } if field == "private_key"),
            "{name}: {err:?}"
        );
        assert!(
            !err.to_string().contains("MII"),
            "{name}: no key material in {err}"
        );
    }
}

#[test]
fn key_files_with_bad_fields_name_the_field() {
    let cases = [
        (r#""type""#, serde_json::json!("authorized_user")),
        (r#""client_email""#, serde_json::json!(null)),
        (
            r#""token_uri""#,
            serde_json::json!("http://oauth2.googleapis.com/token"),
        ),
        (r#""private_key""#, serde_json::json!(["-----BEGIN"])),
    ];
    for (field, value) in cases {
        let field = field.trim_matches('"');
        let mut file: serde_json::Value = serde_json::from_slice(KEY_JSON).unwrap();
        file[field] = value;
        let err = ServiceAccountKey::from_json(&serde_json::to_vec(&file).unwrap()).unwrap_err();
        let named = match err.problem() {
            FileProblem::WrongType { .. } => "type",
            FileProblem::MissingField { field } | FileProblem::InvalidField { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(named, field);
    }
}

#[test]
fn nothing_prints_the_key() {
    let key = ServiceAccountKey::from_json(KEY_JSON).unwrap();
    let creds = ServiceAccountCredentials::from_json(KEY_JSON).unwrap();
    let signer = RingSigner::from_pem(PKCS8, Some(KID.into())).unwrap();
    for text in [
        format!("{key:?}"),
        format!("{creds:?}"),
        format!("{signer:?}"),
        format!("{:?}", creds.refresh()),
        format!("{}", key.private_key()),
    ] {
        assert!(!text.contains("MII") && !text.contains("BEGIN"), "{text}");
    }
}
