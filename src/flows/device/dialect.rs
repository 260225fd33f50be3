//! How the token endpoint is asked for the device's tokens: RFC 8628, or
//! the form Google's device flow used before the RFC.

/// The grant type of RFC 8628 §3.4 polls.
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The grant type of Google's device flow before RFC 8628 (oauth2client,
/// old yup-oauth2), sent with the device code as `code`.
pub const GOOGLE_LEGACY_DEVICE_GRANT_TYPE: &str = "http://oauth.net/grant_type/device/1.0";

/// The form of the polling request. Both are answered the same way, and
/// the answer's error code is read whatever its HTTP status: RFC 8628 says
/// 400, Google documents 428 for `authorization_pending` and 403 for
/// `slow_down` and `access_denied`, GitHub answers 200.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeviceDialect {
    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=…`
    /// (RFC 8628 §3.4). Google's endpoints accept it too; the default.
    #[default]
    Rfc8628,
    /// `grant_type=http://oauth.net/grant_type/device/1.0&code=…`: Google's
    /// device flow before RFC 8628, for servers that still speak only that.
    GoogleLegacy,
}

impl DeviceDialect {
    /// The `grant_type` of a poll.
    pub fn grant_type(self) -> &'static str {
        match self {
            Self::Rfc8628 => DEVICE_CODE_GRANT_TYPE,
            Self::GoogleLegacy => GOOGLE_LEGACY_DEVICE_GRANT_TYPE,
        }
    }

    /// The name of the parameter that carries the device code in a poll.
    pub fn device_code_parameter(self) -> &'static str {
        match self {
            Self::Rfc8628 => "device_code",
            Self::GoogleLegacy => "code",
        }
    }
}
