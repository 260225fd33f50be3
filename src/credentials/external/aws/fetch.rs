//! [`AwsSubjectToken`]: the AWS source's subject token, as a machine: the
//! IMDSv2 session token, region and role credentials it needs from the
//! instance metadata service, then the signed `GetCallerIdentity`.

use std::time::SystemTime;

use http::header::HeaderValue;
use url::Url;

use super::env::AwsEnvironment;
use super::imds::{self, ImdsAnswer, IMDS_LIMIT};
use super::sigv4::{sign, AwsCredentials, SignRequest};
use super::subject::serialised_request;
use crate::error::{Error, Misuse, TransportFailure};
use crate::external::{AwsSource, SubjectTokenError};
use crate::machine::call::{Call, Parser};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step};
use crate::secret::SecurityToken;
use crate::wire::endpoint::to_uri;

/// The subject token type of an AWS source's token.
pub const AWS_SUBJECT_TOKEN_TYPE: &str = "urn:ietf:params:aws:token-type:aws4_request";

/// google-auth's IMDSv2 session token lifetime, in seconds.
const SESSION_TTL: &str = "300";

/// Makes the AWS source's subject token: what the environment lacks is
/// asked of IMDS (a session token first when `imdsv2_session_token_url` is
/// given), then `POST regional_cred_verification_url` is signed at the time
/// of the last poll and serialised.
pub(crate) struct AwsSubjectToken {
    source: AwsSource,
    audience: String,
    session: Option<SecurityToken>,
    region: Option<String>,
    role: Option<String>,
    credentials: Option<AwsCredentials>,
    /// The IMDS request under way.
    call: Option<Call<ImdsAnswer>>,
    done: bool,
}

fn aws(reason: &'static str) -> Error {
    SubjectTokenError::Aws { reason }.into()
}

impl AwsSubjectToken {
    pub(crate) fn new(
        source: &AwsSource,
        env: &AwsEnvironment,
        audience: &str,
    ) -> Result<Self, Error> {
        let region = match env.region() {
            Some(region) if !imds::is_region(region) => {
                return Err(aws(
                    "found an AWS_REGION (or AWS_DEFAULT_REGION) that is not a region name \
                     (lowercase letters, digits and -)",
                ))
            }
            region => region.map(str::to_owned),
        };
        Ok(Self {
            source: source.clone(),
            audience: audience.to_owned(),
            session: None,
            region,
            role: None,
            credentials: env.credentials(),
            call: None,
            done: false,
        })
    }

    /// The next IMDS call, or `None` when the region and credentials
    /// are known.
    fn next_call(&self) -> Result<Option<Call<ImdsAnswer>>, Error> {
        let needs_imds = self.region.is_none() || self.credentials.is_none();
        if let (true, None, Some(url)) = (
            needs_imds,
            &self.session,
            &self.source.imdsv2_session_token_url,
        ) {
            let request = http::Request::put(to_uri(url))
                .header("X-aws-ec2-metadata-token-ttl-seconds", SESSION_TTL)
                .body(Vec::new())
                .expect("a valid request");
            return Ok(Some(Call::with_parser(
                request,
                IMDS_LIMIT,
                imds::session_token,
            )));
        }
        let (url, parse): (Url, Parser<ImdsAnswer>) = if self.region.is_none() {
            let url = self.source.region_url.clone().ok_or_else(|| {
                aws("has no region: set AWS_REGION (or AWS_DEFAULT_REGION), or give credential_source.region_url")
            })?;
            (url, imds::zone)
        } else if self.credentials.is_none() {
            let url = self.source.url.as_ref().ok_or_else(|| {
                aws("has no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give credential_source.url")
            })?;
            match &self.role {
                None => (url.clone(), imds::role),
                Some(role) => {
                    let with_role = format!("{}/{role}", url.as_str().trim_end_matches('/'));
                    let url = Url::parse(&with_role)
                        .map_err(|_| aws("has a url that takes no role name"))?;
                    (url, imds::credentials)
                }
            }
        } else {
            return Ok(None);
        };
        let mut request = http::Request::get(to_uri(&url))
            .body(Vec::new())
            .expect("a valid request");
        if let Some(session) = &self.session {
            let mut value =
                HeaderValue::from_str(session.secret()).expect("checked when it was read");
            value.set_sensitive(true);
            request
                .headers_mut()
                .insert("X-aws-ec2-metadata-token", value);
        }
        Ok(Some(Call::with_parser(request, IMDS_LIMIT, parse)))
    }

    fn record(&mut self, answer: ImdsAnswer) {
        match answer {
            ImdsAnswer::SessionToken(token) => self.session = Some(token),
            ImdsAnswer::Region(region) => self.region = Some(region),
            ImdsAnswer::Role(role) => self.role = Some(role),
            ImdsAnswer::Credentials(credentials) => self.credentials = Some(credentials),
        }
    }

    /// The signed `GetCallerIdentity`, serialised.
    fn subject_token(&self, now: SystemTime) -> Result<SecurityToken, Error> {
        let (Some(region), Some(credentials)) = (&self.region, &self.credentials) else {
            return Err(Misuse::AlreadyDone.into());
        };
        let url = self
            .source
            .regional_cred_verification_url
            .replace("{region}", region);
        let parsed = Url::parse(&url)
            .map_err(|_| aws("has a regional_cred_verification_url that is not a URL"))?;
        let request = SignRequest {
            method: "POST",
            url: &parsed,
            headers: &[],
            payload: b"",
        };
        let mut headers = sign(credentials, region, &request, now)
            .ok_or_else(|| aws("cannot sign at a time before 1970 or after 9999"))?;
        // Added after signing, as google-auth does: STS reads it unsigned.
        headers.push((
            "x-goog-cloud-target-resource".to_owned(),
            self.audience.clone(),
        ));
        Ok(SecurityToken::new(serialised_request(
            &url, "POST", &headers,
        )))
    }
}

impl Machine for AwsSubjectToken {
    type Output = SecurityToken;

    fn poll(&mut self, now: SystemTime) -> Result<Step<SecurityToken>, Error> {
        if self.done {
            return Err(Misuse::AlreadyDone.into());
        }
        if let Some(call) = &mut self.call {
            match call.poll(now)?.pending() {
                Ok(step) => return Ok(step),
                Err(answer) => {
                    self.call = None;
                    self.record(answer);
                }
            }
        }
        match self.next_call()? {
            Some(mut call) => {
                let step = call.poll(now)?;
                self.call = Some(call);
                step.pending().map_err(|_| Misuse::AlreadyDone.into())
            }
            None => {
                self.done = true;
                Ok(Step::Done(self.subject_token(now)?))
            }
        }
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        match &mut self.call {
            Some(call) => call.handle_response(response, now),
            None => Err(Misuse::UnexpectedResponse.into()),
        }
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        match &mut self.call {
            Some(call) => call.handle_transport_failure(failure, now),
            None => Err(Misuse::UnexpectedResponse.into()),
        }
    }
}

/// Names the step only: the answers are secrets.
impl std::fmt::Debug for AwsSubjectToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSubjectToken")
            .field("region", &self.region)
            .field("role", &self.role)
            .field("credentials", &self.credentials.is_some())
            .finish_non_exhaustive()
    }
}
