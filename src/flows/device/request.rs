//! The device authorization request
//! ([RFC 8628 §3.1](https://www.rfc-editor.org/rfc/rfc8628#section-3.1)).

use super::authorization::{DeviceAuthorization, PollContext};
use super::dialect::DeviceDialect;
use super::response::DeviceAuthorizationResponse;
use std::time::SystemTime;

use crate::client::auth::Purpose;
use crate::client::required_endpoint;
use crate::client::{Client, ClientAuthMethod};
use crate::credentials::UserCredentials;
use crate::error::config::ConfigError;
use crate::error::{Error, TransportFailure};
use crate::flows::params::check_scopes_and_params;
use crate::machine::call::Call;
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step};
use crate::wire::endpoint::to_uri;
use crate::wire::form_post::form_post;

/// Parameters the crate sets itself.
const RESERVED: [&str; 1] = ["scope"];

/// Builds the device authorization request; see
/// [`Client::device_authorization`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the machine"]
pub struct DeviceAuthorizationRequest<'c> {
    client: &'c Client,
    scopes: Vec<String>,
    extra: Vec<(String, String)>,
    dialect: DeviceDialect,
}

impl Client {
    /// Starts the device authorization grant (RFC 8628): the sign-in for a
    /// device without a usable browser (a TV, a CLI over SSH). The user
    /// opens a URL on another device and enters a code; the device polls
    /// the token endpoint meanwhile.
    ///
    /// The grant is two machines, each driven to its end with
    /// [`drive`](crate::drive) (or any transport's `run`):
    /// [`DeviceAuthorizationCall`] asks for the codes and yields a
    /// [`DeviceAuthorization`] to show the user, whose
    /// [`into_poll`](DeviceAuthorization::into_poll) is the
    /// [`DevicePoll`](crate::device::DevicePoll) that waits for the approval and
    /// yields [`UserCredentials`].
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::time::{Duration, SystemTime};
    /// use oauth2_sansio::{drive, Client, ClientSecret};
    ///
    /// let client = Client::google("my-tv-client", Some(ClientSecret::new("s3cret"))).build()?;
    /// let start = client.device_authorization().scopes(["openid", "email"]).build()?;
    ///
    /// // A stand-in for Google: the codes, then "pending", then tokens.
    /// let mut answers = vec![
    ///     r#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#,
    ///     r#"{"error":"authorization_pending"}"#,
    ///     r#"{"device_code":"AH-1Ng","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#,
    /// ];
    /// let mut send = |_request: oauth2_sansio::http::Request<Vec<u8>>| {
    ///     Ok(oauth2_sansio::http::Response::new(answers.pop().unwrap().as_bytes().to_vec()))
    /// };
    /// let clock = Cell::new(SystemTime::UNIX_EPOCH); // a fake clock; real code sleeps
    ///
    /// let authorization = drive(start, || clock.get(), &mut send, |_| {})?;
    /// println!("Visit {} and enter {}", authorization.verification_uri(), authorization.user_code());
    ///
    /// let mut slept = Vec::new();
    /// let credentials = drive(
    ///     authorization.into_poll(),
    ///     || clock.get(),
    ///     &mut send,
    ///     |until| { slept.push(until); clock.set(until) },
    /// )?;
    /// assert_eq!(credentials.refresh_token().unwrap().secret(), "1//r");
    /// assert_eq!(slept, [SystemTime::UNIX_EPOCH + Duration::from_secs(5), SystemTime::UNIX_EPOCH + Duration::from_secs(10)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device_authorization(&self) -> DeviceAuthorizationRequest<'_> {
        DeviceAuthorizationRequest {
            client: self,
            scopes: Vec::new(),
            extra: Vec::new(),
            dialect: DeviceDialect::default(),
        }
    }
}

impl DeviceAuthorizationRequest<'_> {
    crate::flows::params::scope_setters!();

    crate::flows::params::param_setter! {
        /// Any other parameter of the device authorization request (`audience`,
        /// `resource`, ...). `client_id`, `client_secret` and `scope` are
        /// refused by `build`, as are scopes that are not RFC 6749 §3.3 scope
        /// tokens (empty, or with a space, quote or backslash).
        extra
    }

    /// How the token endpoint is polled (default: RFC 8628).
    pub fn dialect(mut self, dialect: DeviceDialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// The machine that sends the request: a POST to the client's device
    /// authorization endpoint with the client authenticated as configured
    /// (as at the token endpoint), `client_id` in the body (also with HTTP
    /// Basic: RFC 8628 §3.1 and Google name it), `scope`, and the extra
    /// parameters.
    pub fn build(self) -> Result<DeviceAuthorizationCall, ConfigError> {
        let client = self.client;
        let endpoint = required_endpoint(
            &client.device_authorization_endpoint,
            "device_authorization_endpoint",
        )?;
        check_scopes_and_params(&self.scopes, &self.extra, &RESERVED)?;
        let identity = &client.identity;
        let scope = self.scopes.join(" ");
        let mut params: Vec<(&str, &str)> = Vec::with_capacity(2 + self.extra.len());
        if identity.method(Purpose::Other) == ClientAuthMethod::ClientSecretBasic {
            // RFC 8628 §3.1 and Google name `client_id` in this request; the
            // other methods put it in the body already.
            params.push(("client_id", identity.id()));
        }
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        params.extend(self.extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let request = form_post(
            to_uri(endpoint),
            None,
            identity.in_form(Purpose::Other),
            &params,
        );
        let call = identity.call(
            Purpose::Other,
            request,
            client.response_limit,
            DeviceAuthorizationResponse::parse,
        );
        Ok(DeviceAuthorizationCall(call.with_context(PollContext {
            credentials: UserCredentials::for_client(client, self.scopes),
            dialect: self.dialect,
        })))
    }
}

/// Asks the device authorization endpoint for a device code and a user
/// code; made by [`DeviceAuthorizationRequest::build`]. Its output, a
/// [`DeviceAuthorization`], is what to show the user and what to poll with.
///
/// A transport failure ends it ([`Error::Transport`](crate::Error::Transport),
/// retryable): nothing was shown to the user yet, so build and drive a new
/// one.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct DeviceAuthorizationCall(Call<DeviceAuthorizationResponse, PollContext>);

impl Machine for DeviceAuthorizationCall {
    type Output = DeviceAuthorization;

    fn poll(&mut self, now: SystemTime) -> Result<Step<DeviceAuthorization>, Error> {
        self.0.poll(now)
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        self.0.handle_response(response, now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.0.handle_transport_failure(failure, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ClientSecret;
    use http::Request;

    fn client(method: ClientAuthMethod) -> Client {
        let builder = Client::builder("tv client")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .device_authorization_endpoint("https://as.example/device?x=1")
            .auth_method(method);
        match method {
            ClientAuthMethod::None => builder,
            _ => builder.client_secret(ClientSecret::new("s3cr&t")),
        }
        .build()
        .unwrap()
    }

    fn request(
        client: &Client,
        build: impl FnOnce(DeviceAuthorizationRequest<'_>) -> DeviceAuthorizationRequest<'_>,
    ) -> Request<Vec<u8>> {
        let mut call = build(client.device_authorization()).build().unwrap();
        match crate::machine::step::Machine::poll(&mut call, std::time::SystemTime::UNIX_EPOCH)
            .unwrap()
        {
            crate::machine::step::Step::Send(request) => request,
            other => panic!("{other:?}"),
        }
    }

    fn body(request: &Request<Vec<u8>>) -> &str {
        std::str::from_utf8(request.body()).unwrap()
    }

    #[test]
    fn client_authentication_as_configured_and_no_grant_type() {
        let basic = request(&client(ClientAuthMethod::ClientSecretBasic), |r| {
            r.scopes(["openid", "email"])
        });
        assert_eq!(basic.method(), http::Method::POST);
        assert_eq!(basic.uri(), "https://as.example/device?x=1");
        assert_eq!(body(&basic), "client_id=tv+client&scope=openid+email");
        assert!(basic.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Basic "));
        assert_eq!(
            basic.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(basic.headers()["accept"], "application/json");

        let post = request(&client(ClientAuthMethod::ClientSecretPost), |r| {
            r.scope("openid")
        });
        assert_eq!(
            body(&post),
            "client_id=tv+client&client_secret=s3cr%26t&scope=openid"
        );
        assert!(!post.headers().contains_key("authorization"));

        let public = request(&client(ClientAuthMethod::None), |r| {
            r.param("audience", "https://api.example/")
        });
        assert_eq!(
            body(&public),
            "client_id=tv+client&audience=https%3A%2F%2Fapi.example%2F"
        );

        let nothing = request(&client(ClientAuthMethod::ClientSecretBasic), |r| r);
        assert_eq!(body(&nothing), "client_id=tv+client");
    }

    #[test]
    fn build_needs_the_endpoint_and_refuses_reserved_parameters() {
        let no_endpoint = Client::builder("id")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .build()
            .unwrap();
        assert_eq!(
            no_endpoint.device_authorization().build().map(|_| ()),
            Err(ConfigError::MissingEndpoint {
                endpoint: "device_authorization_endpoint"
            })
        );
        let client = client(ClientAuthMethod::None);
        for name in RESERVED {
            assert_eq!(
                client
                    .device_authorization()
                    .param(name, "x")
                    .build()
                    .map(|_| ()),
                Err(ConfigError::ReservedParameter { name: name.into() })
            );
        }
    }
}
