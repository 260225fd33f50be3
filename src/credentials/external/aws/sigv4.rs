//! AWS Signature Version 4, as google-auth's `RequestSigner` computes it:
//! pure, from credentials, region, time and request to the headers that
//! sign it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::SystemTime;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use url::Url;
use zeroize::Zeroizing;

use crate::secret::SecurityToken;

/// Credentials that sign AWS requests.
#[derive(Debug, Clone)]
pub(crate) struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: SecurityToken,
    /// Temporary credentials' token, sent as `x-amz-security-token`.
    pub session_token: Option<SecurityToken>,
}

/// One request to sign.
pub(crate) struct SignRequest<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    /// Headers beyond `host`, `x-amz-date` and `x-amz-security-token`
    /// (a `date` header replaces `x-amz-date`).
    pub headers: &'a [(&'a str, &'a str)],
    pub payload: &'a [u8],
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const DATE: &str = "x-amz-date";
const SECURITY_TOKEN: &str = "x-amz-security-token";

/// The headers of `request` signed for `region` at `now`, in google-auth's
/// order: `Authorization`, `host`, `x-amz-date` (unless a `date` header is
/// given), the request's own headers, `x-amz-security-token`. `None` when
/// `now` is before 1970 or after 9999.
pub(crate) fn sign(
    credentials: &AwsCredentials,
    region: &str,
    request: &SignRequest<'_>,
    now: SystemTime,
) -> Option<Vec<(String, String)>> {
    let host = request
        .url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let service = host.split('.').next().unwrap_or_default();
    let service = service.strip_suffix("-fips").unwrap_or(service);
    let (amz_date, date_stamp) = timestamps(now)?;

    // Python's dict: a later header of the same name replaces the earlier.
    let mut signed: BTreeMap<String, &str> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), *value))
        .collect();
    if let Some(token) = &credentials.session_token {
        signed.insert(SECURITY_TOKEN.to_owned(), token.secret());
    }
    signed.insert("host".to_owned(), &host);
    let dated = signed.contains_key("date");
    if !dated {
        signed.insert(DATE.to_owned(), &amz_date);
    }
    let canonical_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = signed
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(";");

    let canonical_request = [
        request.method,
        &canonical_uri(request.url.path()),
        &canonical_query(request.url.query().unwrap_or_default()),
        &canonical_headers,
        &signed_headers,
        &hex(&Sha256::digest(request.payload)),
    ]
    .join("\n");
    let scope = format!("{date_stamp}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = signing_key(
        credentials.secret_access_key.secret(),
        &date_stamp,
        region,
        service,
    );
    let signature = hex(&hmac_sha256(&*key, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    );

    let mut headers = vec![
        ("Authorization".to_owned(), authorization),
        ("host".to_owned(), host.clone()),
    ];
    if !dated {
        headers.push((DATE.to_owned(), amz_date.clone()));
    }
    headers.extend(
        request
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    if let Some(token) = &credentials.session_token {
        headers.push((SECURITY_TOKEN.to_owned(), token.secret().to_owned()));
    }
    Some(headers)
}

/// `%Y%m%dT%H%M%SZ` and `%Y%m%d` of `now`, in UTC; `None` before 1970
/// or after 9999.
fn timestamps(now: SystemTime) -> Option<(String, String)> {
    let seconds = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).ok()?).ok()?;
    let day = format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
    let full = format!("{day}T{:02}{:02}{:02}Z", t.hour(), t.minute(), t.second());
    Some((full, day))
}

/// The path as POSIX `normpath` leaves it (`.` and empty segments gone,
/// `..` applied), `/` when empty.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    format!("/{}", segments.join("/"))
}

/// What SigV4 leaves unencoded in the query: letters, digits and `-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The query as Python's `parse_qs` reads it (pairs with an empty value
/// dropped, `+` a space), each name and value encoded again, sorted by
/// name, then by value.
fn canonical_query(query: &str) -> String {
    let decode = |text: &str| {
        let text = text.replace('+', " ");
        let decoded = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        utf8_percent_encode(&decoded, UNRESERVED).to_string()
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (decode(name), decode(value)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `kSigning`: the secret key narrowed to a day, region and service.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new(hmac_sha256(
        format!("AWS4{secret}").as_bytes(),
        date.as_bytes(),
    ));
    for part in [region, service, "aws4_request"] {
        *key = hmac_sha256(&*key, part.as_bytes());
    }
    key
}

/// HMAC-SHA256 (RFC 2104) over the `sha2` the crate already has: SigV4
/// needs five short MACs a request, too little for another dependency.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| Zeroizing::new(block.map(|b| b ^ byte));
    let inner = Sha256::new()
        .chain_update(&pad(0x36)[..])
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&pad(0x5c)[..])
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
