//! The one PEM block of a private key ([RFC 7468](https://www.rfc-editor.org/rfc/rfc7468)),
//! strictly: one block, nothing but whitespace around it, LF or CRLF lines,
//! canonical base64.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

use super::KeyError;

/// The longest PEM text read: 64 KiB (an RSA-4096 PKCS#8 key is about 3.3 KiB).
pub(crate) const MAX_PEM_LEN: usize = 64 * 1024;

/// How the DER inside is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFormat {
    /// `PRIVATE KEY`: PKCS#8 `PrivateKeyInfo` (Google's key files).
    Pkcs8,
    /// `RSA PRIVATE KEY`: PKCS#1 `RSAPrivateKey`.
    Pkcs1,
}

/// The DER of the single private-key block in `text`, zeroized on drop.
pub(crate) fn private_key_der(text: &str) -> Result<(KeyFormat, Zeroizing<Vec<u8>>), KeyError> {
    if text.len() > MAX_PEM_LEN {
        return Err(KeyError::TooLarge);
    }
    let mut lines = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).trim());

    let label = match lines.find(|line| !line.is_empty()) {
        None => return Err(KeyError::NotPem),
        Some(line) => match boundary(line, "-----BEGIN ") {
            Some(label) => label,
            None if text.contains("-----BEGIN ") => return Err(KeyError::TextOutsideBlock),
            None => return Err(KeyError::NotPem),
        },
    };

    let mut body = Zeroizing::new(String::with_capacity(text.len()));
    let mut encrypted_header = false;
    let mut ended = false;
    for line in lines.by_ref() {
        if let Some(end) = boundary(line, "-----END ") {
            if end != label {
                return Err(KeyError::MissingEnd);
            }
            ended = true;
            break;
        }
        if line.starts_with("-----") {
            return Err(KeyError::MissingEnd);
        }
        // RFC 1421 headers, which only OpenSSL's legacy encrypted keys use.
        if let Some((name, value)) = line.split_once(':') {
            encrypted_header |=
                (name == "Proc-Type" && value.contains("ENCRYPTED")) || name == "DEK-Info";
            continue;
        }
        body.push_str(line);
    }
    if !ended {
        return Err(KeyError::MissingEnd);
    }
    if let Some(extra) = lines.find(|line| !line.is_empty()) {
        return Err(if extra.starts_with("-----BEGIN ") {
            KeyError::SeveralBlocks
        } else {
            KeyError::TextOutsideBlock
        });
    }

    let format = match label {
        _ if encrypted_header => return Err(KeyError::Encrypted),
        "PRIVATE KEY" => KeyFormat::Pkcs8,
        "RSA PRIVATE KEY" => KeyFormat::Pkcs1,
        "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
        "EC PRIVATE KEY" | "DSA PRIVATE KEY" => return Err(KeyError::NotRsa),
        _ => return Err(KeyError::UnsupportedLabel),
    };
    let der = Zeroizing::new(
        STANDARD
            .decode(body.as_bytes())
            .map_err(|_| KeyError::InvalidBase64)?,
    );
    if der.is_empty() {
        return Err(KeyError::InvalidBase64);
    }
    Ok((format, der))
}

/// The label of a `-----BEGIN label-----` (or END) line.
fn boundary<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?.strip_suffix("-----")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "AQIDBA==";

    fn pem(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn one_block_lf_or_crlf() {
        let (format, der) = private_key_der(&pem("PRIVATE KEY", BODY)).unwrap();
        assert_eq!(
            (format, der.as_slice()),
            (KeyFormat::Pkcs8, &[1, 2, 3, 4][..])
        );
        let crlf = pem("RSA PRIVATE KEY", "AQID\nBA==").replace('\n', "\r\n");
        let (format, der) = private_key_der(&format!("\r\n  {crlf}\r\n\r\n")).unwrap();
        assert_eq!(
            (format, der.as_slice()),
            (KeyFormat::Pkcs1, &[1, 2, 3, 4][..])
        );
    }

    #[test]
    fn structural_problems_are_typed() {
        let one = pem("PRIVATE KEY", BODY);
        let cases = [
            (String::new(), KeyError::NotPem),
            ("MIIEvQ".to_owned(), KeyError::NotPem),
            (
                format!("-----BEGIN PRIVATE KEY-----\n{BODY}\n"),
                KeyError::MissingEnd,
            ),
            (
                format!("-----BEGIN PRIVATE KEY-----\n{BODY}\n-----END RSA PRIVATE KEY-----"),
                KeyError::MissingEnd,
            ),
            (format!("{one}{one}"), KeyError::SeveralBlocks),
            (format!("{one}trailing"), KeyError::TextOutsideBlock),
            (format!("Bag Attributes\n{one}"), KeyError::TextOutsideBlock),
            (pem("PRIVATE KEY", "AQID*A=="), KeyError::InvalidBase64),
            (pem("PRIVATE KEY", "AQIDBA"), KeyError::InvalidBase64),
            (pem("PRIVATE KEY", ""), KeyError::InvalidBase64),
            (pem("ENCRYPTED PRIVATE KEY", BODY), KeyError::Encrypted),
            (
                pem(
                    "RSA PRIVATE KEY",
                    &format!("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n{BODY}"),
                ),
                KeyError::Encrypted,
            ),
            (pem("EC PRIVATE KEY", BODY), KeyError::NotRsa),
            (pem("CERTIFICATE", BODY), KeyError::UnsupportedLabel),
            (" ".repeat(MAX_PEM_LEN + 1), KeyError::TooLarge),
        ];
        for (text, expected) in cases {
            assert_eq!(private_key_der(&text).unwrap_err(), expected, "{text:?}");
        }
    }
}
