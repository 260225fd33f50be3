//! `oauth2-sansio`: sign in with OAuth 2.0 and print access tokens. See
//! `oauth2-sansio --help` and the `oauth2_sansio::cli` documentation.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    oauth2_sansio::cli::main()
}
