//! A whole installed-app sign-in, as a person would see it: the wall time
//! from `InstalledAppFlow::run` to the credentials, with headless Chromium
//! as the system browser and the local oidc-provider (auto-approving login
//! and consent) as the server. Each iteration has a fresh Chromium profile,
//! like a first sign-in; starting the server, building the client and
//! cleaning up after Chromium are outside the timing.
//!
//! Needs the interop setup: `bash scripts/interop-setup.sh`.
//! Run: `cargo bench --features installed,ureq --bench installed_e2e`;
//! results in benches/RESULTS-issue3.md.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use oauth2_sansio::io::installed::InstalledAppFlow;
use oauth2_sansio::rand_core::UnwrapErr;
use rand::rngs::SysRng;

use testkit::chromium::{HeadlessChromium, CHROMIUM};
use testkit::interop::{
    find_on_path, interop_dir, InteropServer, NATIVE_CONFIDENTIAL, NATIVE_PUBLIC, SCOPES,
};

/// The runner's timeout; a flow takes one or two seconds here.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Stops with one clear line when the interop setup is missing.
fn require_setup() {
    let mut missing = Vec::new();
    if find_on_path("node").is_none() {
        missing.push("node (Node.js >= 20.18) on PATH".to_owned());
    }
    let provider = interop_dir().join("node_modules/oidc-provider/package.json");
    if !provider.is_file() {
        missing.push(provider.display().to_string());
    }
    if !Path::new(CHROMIUM).is_file() {
        missing.push(CHROMIUM.to_owned());
    }
    if !missing.is_empty() {
        eprintln!(
            "installed_e2e: missing {}; run `bash scripts/interop-setup.sh` first",
            missing.join(", ")
        );
        std::process::exit(1);
    }
}

/// One sign-in of `client_id` with a fresh Chromium; returns the time from
/// `run` to the credentials.
fn sign_in_once(server: &InteropServer, client_id: &str) -> Duration {
    let chromium = HeadlessChromium::new();
    let flow = InstalledAppFlow::new(server.client(client_id))
        .scopes(SCOPES)
        .browser(chromium.browser())
        .timeout(RUN_TIMEOUT)
        .prompt_to(io::sink());
    let started = Instant::now();
    let result = flow.run_with_ureq(&mut UnwrapErr(SysRng));
    let took = started.elapsed();
    let cleanup = chromium.finish();
    black_box(server.check(result, "the installed-app flow with chromium"));
    if !cleanup.is_clean() {
        server.fail(format!("chromium did not exit cleanly: {cleanup:?}"));
    }
    took
}

fn installed_e2e(c: &mut Criterion) {
    require_setup();
    let server = InteropServer::start();
    let mut group = c.benchmark_group("installed_e2e");
    // One sign-in per sample: `Flat` keeps criterion from running 1, 2, ...
    // 10 sign-ins per sample.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(12));
    for client_id in [NATIVE_PUBLIC, NATIVE_CONFIDENTIAL] {
        group.bench_function(format!("run_to_credentials/{client_id}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| sign_in_once(&server, client_id)).sum())
        });
    }
    group.finish();
}

criterion_group!(e2e, installed_e2e);
criterion_main!(e2e);
