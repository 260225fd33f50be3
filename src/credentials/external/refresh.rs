//! Renewing an external account: the subject token (fetched, or asked of
//! a supplier), the STS exchange, and impersonation when configured.

use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::aws::AwsSubjectToken;
use super::credentials::{ExternalAccountCredentials, Impersonation};
use super::error::SubjectTokenError;
use super::source::{CredentialSource, SubjectTokenFormat};
use super::sts::exchange;
use super::supplier::{
    subject_token_from, SubjectTokenContext, SubjectTokenSupplier, SUBJECT_TOKEN_LIMIT,
};
use crate::credentials::any::AnyCredentials;
use crate::credentials::impersonated::{ImpersonatedCredentials, ImpersonatedRefresh, IAM_SCOPE};
use crate::credentials::kind::Credentials;
use crate::error::google_api::google_api_failure;
use crate::error::{Error, Misuse, TransportFailure};
use crate::flows::token_exchange::{ExchangeIssued, TokenExchangeResponse};
use crate::machine::call::{Call, Update};
use crate::machine::step::{HttpResponse, Machine, Step};
use crate::machine::then::Then;
use crate::secret::SecurityToken;
use crate::wire::endpoint::to_uri;

/// Renews [`ExternalAccountCredentials`]: `GET` of a `url` source (or the
/// supplier asked), the STS exchange; with impersonation, that exchange
/// (kept while fresh) then IAM's `generateAccessToken`. Ends with the
/// credentials holding the new token.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct ExternalAccountRefresh {
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    Exchange(Box<Then<SubjectTokenFetch, Call<TokenExchangeResponse, ExternalAccountCredentials>>>),
    Impersonate {
        refresh: Box<ImpersonatedRefresh>,
        credentials: Option<ExternalAccountCredentials>,
    },
}

impl ExternalAccountCredentials {
    /// The same account without impersonation, asking STS for the `iam`
    /// scope, holding the STS token kept from the last refresh: the source
    /// of the impersonation.
    fn federated_source(&self) -> ExternalAccountCredentials {
        ExternalAccountCredentials {
            impersonation: None,
            scopes: vec![IAM_SCOPE.to_owned()],
            token: self.federated.clone(),
            federated: None,
            ..self.clone()
        }
    }

    /// `source` impersonating the file's service account.
    fn impersonating(
        &self,
        source: ExternalAccountCredentials,
        impersonation: &Impersonation,
    ) -> Result<ImpersonatedCredentials, Error> {
        Ok(
            ImpersonatedCredentials::new(AnyCredentials::External(source), "")
                .with_impersonation_url(impersonation.url.as_str())?
                .with_scopes(self.scopes.iter().cloned())
                .with_lifetime(impersonation.lifetime)
                .with_response_limit(self.response_limit),
        )
    }

    /// With `service_account_impersonation_url`, the impersonation it
    /// names (its ID tokens come from
    /// [`id_token_credentials`](ImpersonatedCredentials::id_token_credentials)).
    pub fn impersonated(&self) -> Option<Result<ImpersonatedCredentials, Error>> {
        let impersonation = self.impersonation.as_ref()?;
        Some(self.impersonating(self.federated_source(), impersonation))
    }
}

impl ExternalAccountRefresh {
    pub(super) fn new(credentials: &ExternalAccountCredentials) -> Result<Self, Error> {
        let stage = match &credentials.impersonation {
            None => {
                let fetch = SubjectTokenFetch::new(credentials)?;
                let credentials = credentials.clone();
                Stage::Exchange(Box::new(Then::new(
                    fetch,
                    Box::new(move |subject, _now| exchange(credentials, subject)),
                )))
            }
            Some(impersonation) => {
                let source = credentials.federated_source();
                // Fails early when the source cannot be renewed at all.
                SubjectTokenFetch::new(&source)?;
                let impersonated = credentials.impersonating(source, impersonation)?;
                Stage::Impersonate {
                    refresh: Box::new(impersonated.refresh()?),
                    credentials: Some(credentials.clone()),
                }
            }
        };
        Ok(Self { stage })
    }
}

impl Machine for ExternalAccountRefresh {
    type Output = ExternalAccountCredentials;

    fn poll(&mut self, now: SystemTime) -> Result<Step<ExternalAccountCredentials>, Error> {
        match &mut self.stage {
            Stage::Exchange(exchange) => exchange.poll(now),
            Stage::Impersonate {
                refresh,
                credentials,
            } => match refresh.poll(now)?.pending() {
                Ok(step) => Ok(step),
                Err(impersonated) => {
                    let mut credentials = credentials.take().ok_or(Misuse::AlreadyDone)?;
                    credentials.token = impersonated.token().cloned();
                    credentials.federated = impersonated.source().token().cloned();
                    Ok(Step::Done(credentials))
                }
            },
        }
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        match &mut self.stage {
            Stage::Exchange(exchange) => exchange.handle_response(response, now),
            Stage::Impersonate { refresh, .. } => refresh.handle_response(response, now),
        }
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        match &mut self.stage {
            Stage::Exchange(exchange) => exchange.handle_transport_failure(failure, now),
            Stage::Impersonate { refresh, .. } => refresh.handle_transport_failure(failure, now),
        }
    }
}

/// STS's answer becomes the token; its expiry counts from when the
/// exchange was sent.
impl Update<TokenExchangeResponse> for ExternalAccountCredentials {
    type Output = Self;

    fn update(mut self, answer: TokenExchangeResponse, sent_at: SystemTime) -> Result<Self, Error> {
        let issued = ExchangeIssued.update(answer, sent_at)?;
        self.token = Some(issued.bearer_token().ok_or(
            crate::error::InvalidResponse::UnsupportedTokenType {
                token_type: "N_A".to_owned(),
            },
        )?);
        Ok(self)
    }
}

/// The first step: the subject token.
enum SubjectTokenFetch {
    /// `GET` the `url` source, then read its body by `format`.
    Get {
        call: Call<Zeroizing<Vec<u8>>>,
        format: SubjectTokenFormat,
    },
    /// Ask IMDS what the environment lacks, then sign.
    Aws(Box<AwsSubjectToken>),
    /// Ask the supplier at the first poll.
    Supplier(Option<(Arc<dyn SubjectTokenSupplier>, ExternalAccountCredentials)>),
}

impl SubjectTokenFetch {
    fn new(credentials: &ExternalAccountCredentials) -> Result<Self, Error> {
        if let Some(supplier) = &credentials.supplier {
            return Ok(Self::Supplier(Some((
                Arc::clone(supplier),
                credentials.clone(),
            ))));
        }
        let unsupported = |source| SubjectTokenError::UnsupportedSource { source };
        match &credentials.config.source {
            Some(CredentialSource::Url {
                url,
                headers,
                format,
            }) => {
                let mut request = http::Request::get(to_uri(url))
                    .body(Vec::new())
                    .expect("a valid request");
                *request.headers_mut() = headers.clone();
                Ok(Self::Get {
                    call: Call::with_parser(request, SUBJECT_TOKEN_LIMIT, subject_body),
                    format: format.clone(),
                })
            }
            Some(CredentialSource::Aws(source)) => Ok(Self::Aws(Box::new(AwsSubjectToken::new(
                source,
                &credentials.aws_environment,
                &credentials.config.audience,
            )?))),
            Some(CredentialSource::File { .. } | CredentialSource::Executable(_)) | None => {
                Err(SubjectTokenError::NoSupplier.into())
            }
            Some(other) => Err(unsupported(other.kind()).into()),
        }
    }
}

/// A `url` source's answer: HTTP 200 and a bounded body, kept to be read
/// by the format.
fn subject_body(status: u16, body: &[u8], limit: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    if status != 200 {
        return Err(google_api_failure(status, body, limit));
    }
    if body.len() > limit {
        return Err(SubjectTokenError::Invalid {
            reason: "is larger than 256 KiB",
        }
        .into());
    }
    Ok(Zeroizing::new(body.to_vec()))
}

/// Names the step only: the call's answer is the subject token.
impl std::fmt::Debug for SubjectTokenFetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Get { .. } => "SubjectTokenFetch::Get",
            Self::Aws(_) => "SubjectTokenFetch::Aws",
            Self::Supplier(_) => "SubjectTokenFetch::Supplier",
        })
    }
}

impl Machine for SubjectTokenFetch {
    type Output = SecurityToken;

    fn poll(&mut self, now: SystemTime) -> Result<Step<SecurityToken>, Error> {
        match self {
            Self::Get { call, format } => match call.poll(now)?.pending() {
                Ok(step) => Ok(step),
                Err(body) => Ok(Step::Done(subject_token_from(&body, format)?)),
            },
            Self::Aws(aws) => aws.poll(now),
            Self::Supplier(asked) => {
                let (supplier, credentials) = asked.take().ok_or(Misuse::AlreadyDone)?;
                let context = SubjectTokenContext {
                    audience: &credentials.config.audience,
                    subject_token_type: &credentials.config.subject_token_type,
                };
                Ok(Step::Done(supplier.subject_token(&context)?))
            }
        }
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        match self {
            Self::Get { call, .. } => call.handle_response(response, now),
            Self::Aws(aws) => aws.handle_response(response, now),
            Self::Supplier(_) => Err(Misuse::UnexpectedResponse.into()),
        }
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        match self {
            Self::Get { call, .. } => call.handle_transport_failure(failure, now),
            Self::Aws(aws) => aws.handle_transport_failure(failure, now),
            Self::Supplier(_) => Err(Misuse::UnexpectedResponse.into()),
        }
    }
}
