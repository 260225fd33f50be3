//! `login`: the installed-app flow, then authorized_user JSON in a file or
//! on stdout.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

use zeroize::Zeroize;

use crate::args::LoginArgs;
use crate::diagnose::sign_in_failed;
use crate::exit::{Failure, LOCAL, SERVER};
use crate::output;
use oauth2_sansio::dpop::DpopKey;
use oauth2_sansio::io::adc::process_environment;
use oauth2_sansio::io::file_store::CredentialsFile;
use oauth2_sansio::io::installed::{Browser, InstalledAppFlow};
use oauth2_sansio::limits::CLIENT_SECRETS_LIMIT;
use oauth2_sansio::AccessType;
use oauth2_sansio::Client;
use oauth2_sansio::ClientSecrets;
use oauth2_sansio::ConfigError;
use oauth2_sansio::UserCredentials;

/// Signs in and writes the credentials.
pub fn login(args: LoginArgs) -> Result<(), Failure> {
    // google-oauthlib-tool's users type `--save` alone: the default place.
    let save_to = match (&args.save, args.adc) {
        (Some(Some(path)), _) => Some(path.clone()),
        (Some(None), _) | (None, true) => Some(adc_file()?),
        (None, false) => None,
    };
    if let Some(path) = &save_to {
        check_can_save(path)?;
    }
    let secrets = read_client_secrets(&args.client_secrets, args.issuer.is_some())?;
    let builder = match &args.issuer {
        Some(issuer) => crate::discover::client_builder(issuer, &secrets)?,
        None => secrets.client_builder(),
    };
    let client = builder
        .clone()
        .build()
        .map_err(|e| unusable_client(&args.client_secrets, &e))?;
    let credentials = if args.device {
        let endpoint = crate::device::endpoint(&args, &client)?;
        let client = builder
            .device_authorization_endpoint(endpoint.as_str())
            .build()
            .map_err(|e| unusable_client(&args.client_secrets, &e))?;
        crate::device::sign_in(client, &args)?
    } else {
        flow(client, &args)?
            .run_with_ureq(&mut rand::rng())
            .map_err(|e| sign_in_failed(&e))?
    };
    if credentials.refresh_token().is_none() {
        return Err(Failure::new(
            SERVER,
            "the server returned no refresh token, so the credentials could not be refreshed later; \
             check that the client may use refresh tokens (OpenID Connect servers: add --scope offline_access)",
        ));
    }
    let missing = credentials.missing_scopes();
    if !missing.is_empty() {
        output::note(&format!(
            "warning: the server did not grant the scopes {}",
            missing.join(" ")
        ));
    }
    match &save_to {
        Some(path) => save(path, &credentials),
        None => print(&credentials),
    }
}

/// Where Application Default Credentials look for gcloud's file, its
/// directory created (owner-only) if it is not there yet.
fn adc_file() -> Result<std::path::PathBuf, Failure> {
    let path = process_environment().gcloud_file().ok_or_else(|| {
        Failure::new(
            LOCAL,
            "--adc: there is no home directory (HOME) to find gcloud's configuration in; \
             set CLOUDSDK_CONFIG, or use --save PATH",
        )
    })?;
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(|e| {
            Failure::new(
                LOCAL,
                format!("--adc: cannot create {}: {e}", dir.display()),
            )
        })?;
    }
    Ok(path)
}

/// Creates `dir` and its parents; the last one readable by the owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The installed-app flow the options describe: consent asked again and
/// offline access, so that the server returns a refresh token; pushed
/// with --par, bound to a new DPoP key with --dpop.
fn flow(client: Client, args: &LoginArgs) -> Result<InstalledAppFlow, Failure> {
    let login_hint = args.login_hint.clone();
    let flow = InstalledAppFlow::new(client)
        .scopes(args.scopes.iter().cloned())
        .port(args.port)
        .timeout(Duration::from_secs(args.timeout))
        .browser(if args.no_browser {
            Browser::Disabled
        } else {
            Browser::System
        })
        .configure_request(move |request| {
            let request = request
                .prompt("consent")
                .access_type(Some(AccessType::Offline));
            match login_hint {
                Some(hint) => request.login_hint(hint),
                None => request,
            }
        })
        .prompt_to(io::stderr())
        .push(args.par);
    if !args.dpop {
        return Ok(flow);
    }
    let key = DpopKey::generate()
        .map_err(|e| Failure::new(LOCAL, format!("--dpop: no key could be made: {e}")))?;
    Ok(flow.dpop(key))
}

/// Reads and parses the client_secrets.json (bounded in size); with
/// `discovered`, its endpoints may be absent.
fn read_client_secrets(path: &Path, discovered: bool) -> Result<ClientSecrets, Failure> {
    let unusable = |what: String| {
        Failure::new(
            LOCAL,
            format!(
                "{}: {what}; download the client's JSON from the server's console \
                 (Google: a \"Desktop app\" OAuth client, see `oauth2-sansio --help`)",
                path.display()
            ),
        )
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| {
            file.take(CLIENT_SECRETS_LIMIT as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| unusable(e.to_string()))?;
    let parsed = if discovered {
        ClientSecrets::from_json_for_discovery(&bytes)
    } else {
        ClientSecrets::from_json(&bytes)
    };
    bytes.zeroize();
    parsed.map_err(|e| unusable(e.to_string()))
}

/// Why the client the file describes cannot be used, in the file's terms.
fn unusable_client(path: &Path, error: &ConfigError) -> Failure {
    let problem = match error {
        ConfigError::InsecureEndpoint { .. } => "auth_uri and token_uri must use https \
             (http is allowed only on 127.0.0.1, [::1] or localhost)"
            .to_owned(),
        other => other.to_string(),
    };
    Failure::new(LOCAL, format!("{}: {problem}", path.display()))
}

/// Fails before the sign-in, not after it, when `--save` names a file that
/// cannot be written: a directory that does not exist or is not writable, a
/// link in the way, a full disk.
fn check_can_save(path: &Path) -> Result<(), Failure> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Failure::new(
            LOCAL,
            format!(
                "cannot save to {}: the directory {} does not exist; create it first (mkdir -p)",
                path.display(),
                dir.display()
            ),
        ));
    }
    CredentialsFile::new(path)
        .check_writable()
        .map_err(|e| Failure::new(LOCAL, format!("cannot save to {}: {e}", path.display())))
}

/// Writes the credentials to `path`: owner-only, replaced atomically,
/// under the file's lock. A sign-in is never thrown away: if the file
/// cannot be replaced, the credentials stay in a private file beside it,
/// or, failing that, are printed on stdout as without `--save`.
fn save(path: &Path, credentials: &UserCredentials) -> Result<(), Failure> {
    let file = CredentialsFile::new(path);
    let error = match file.lock().and_then(|mut lock| lock.save(credentials)) {
        Ok(()) => {
            output::note(&format!(
                "signed in; credentials saved to {}",
                path.display()
            ));
            return Ok(());
        }
        Err(error) => error,
    };
    if error.kept().is_some() {
        output::note(&format!("warning: signed in, but {error}"));
        return Ok(());
    }
    print(credentials)?;
    Err(Failure::new(
        LOCAL,
        format!(
            "signed in, but saving the credentials failed ({error}); they were printed on \
             stdout instead: store them yourself"
        ),
    ))
}

/// Prints the credentials' authorized_user JSON on stdout.
fn print(credentials: &UserCredentials) -> Result<(), Failure> {
    let mut json = credentials.to_authorized_user_json();
    let printed = output::result(&json);
    json.zeroize();
    printed
}
