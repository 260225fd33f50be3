//! Application Default Credentials through the real transports, ureq and
//! reqwest (on a tokio runtime): files on disk in a scratch directory, the
//! metadata server a loopback fake (`testkit::metadata`), the environment
//! an `AdcEnvironment` each test builds (never this process's).

mod ping_timeout;
mod sources;
mod token_source;

use std::path::Path;
use std::time::Duration;

use oauth2_sansio::adc::{Adc, AdcEnvironment, AdcError, DefaultCredentials};

/// A transport to run the search through.
#[derive(Debug, Clone, Copy)]
enum Transport {
    #[cfg(feature = "ureq")]
    Ureq,
    #[cfg(feature = "reqwest")]
    Reqwest,
}

const TRANSPORTS: &[Transport] = &[
    #[cfg(feature = "ureq")]
    Transport::Ureq,
    #[cfg(feature = "reqwest")]
    Transport::Reqwest,
];

/// Longer than any answer a test waits for: a bound only the ping's own
/// timeout can beat.
const TRANSPORT_TIMEOUT: Duration = Duration::from_secs(60);

#[cfg(feature = "reqwest")]
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl Transport {
    /// Carries out `adc`'s search.
    fn find(self, adc: Adc) -> Result<DefaultCredentials, AdcError> {
        match self {
            #[cfg(feature = "ureq")]
            Transport::Ureq => oauth2_sansio::io::ureq::UreqTransport::new()
                .with_timeout(TRANSPORT_TIMEOUT)
                .find_default_credentials(adc),
            #[cfg(feature = "reqwest")]
            Transport::Reqwest => {
                let transport = oauth2_sansio::io::reqwest::ReqwestTransport::new()
                    .with_timeout(TRANSPORT_TIMEOUT);
                runtime().block_on(transport.find_default_credentials(adc))
            }
        }
    }

    /// The access token of `credentials` from a token source over this
    /// transport, asked for twice: the second answer is the cached one.
    fn token_twice(self, credentials: DefaultCredentials) -> [String; 2] {
        match self {
            #[cfg(feature = "ureq")]
            Transport::Ureq => {
                let transport = oauth2_sansio::io::ureq::UreqTransport::new();
                let source = oauth2_sansio::io::ureq::TokenSource::new(credentials, transport);
                [(); 2].map(|()| source.token().unwrap().bearer().token().secret().to_owned())
            }
            #[cfg(feature = "reqwest")]
            Transport::Reqwest => {
                let transport = oauth2_sansio::io::reqwest::ReqwestTransport::new();
                let source = oauth2_sansio::io::reqwest::TokenSource::new(credentials, transport);
                let runtime = runtime();
                [(); 2].map(|()| {
                    let token = runtime.block_on(source.token()).unwrap();
                    token.bearer().token().secret().to_owned()
                })
            }
        }
    }
}

/// The environment of `vars` with `home` as the home directory, on Unix.
fn environment(vars: &[(&str, String)], home: &Path) -> AdcEnvironment {
    AdcEnvironment::new(
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        },
        Some(home.to_owned()),
        false,
    )
}

/// The metadata variables pointing both the data requests and the ping
/// at `host`.
fn metadata_at(host: &str) -> [(&'static str, String); 2] {
    [
        ("GCE_METADATA_HOST", host.to_owned()),
        ("GCE_METADATA_IP", host.to_owned()),
    ]
}
