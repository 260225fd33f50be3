//! Application Default Credentials over the async transport (reqwest on
//! tokio): the twin of the `adc_token` example. Many tasks share one token
//! source; when the token needs renewing, one refresh serves them all.
//!
//! ```text
//! cargo run --example adc_token_async --features reqwest -- [TASKS]
//! ```
//!
//! It prints where the credentials came from and what every task got (the
//! token by length only), and how many got the very same token.

use std::error::Error;
use std::sync::Arc;

use oauth2_sansio::io::reqwest::default_token_source;

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let tasks: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 8,
    };
    let source = Arc::new(default_token_source([CLOUD_PLATFORM]).await?);

    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let source = Arc::clone(&source);
        handles.push(tokio::spawn(async move { source.token().await }));
    }
    let mut tokens = Vec::with_capacity(tasks);
    for handle in handles {
        tokens.push(handle.await??);
    }

    let first = &tokens[0];
    println!("credentials: {}", first.credentials().source());
    let same = tokens.iter().filter(|t| t.same_as(first)).count();
    println!(
        "{tasks} tasks got a token of {} characters; {same} of them the same one",
        first.secret().len()
    );
    Ok(())
}
