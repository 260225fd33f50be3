//! Where the random bytes behind `state`, the PKCE verifier, the start
//! link and `jti` seeds come from: the caller's CSPRNG, of whichever
//! `rand_core` version the caller has.

/// A cryptographically secure source of random bytes, taken wherever the
/// crate draws a secret (`build`, `with_start_link`,
/// `ClientAssertionKey::new`, `InstalledAppFlow::run`).
///
/// Every `rand_core` 0.10 [`CryptoRng`](rand_core::CryptoRng) is one, so
/// rand 0.10's `&mut rand::rng()` goes in as it is. From an RNG of another
/// `rand_core` (rand 0.8 has 0.6, rand 0.9 has 0.9), pass
/// [`EntropyFn`] over its `fill_bytes`, or wrap it in `RandCore06` /
/// `RandCore09` (features `rand_core_06` / `rand_core_09`), which accept
/// only that version's `CryptoRng`.
///
/// ```
/// # fn main() -> Result<(), oauth2_sansio::ConfigError> {
/// use std::time::SystemTime;
/// use oauth2_sansio::{Client, EntropyFn};
///
/// let client = Client::google("id", None).build()?;
/// # struct OldRng;
/// # impl OldRng { fn fill_bytes(&mut self, bytes: &mut [u8]) { bytes.fill(7) } }
/// # let mut rng = OldRng; // e.g. rand 0.8's rand::thread_rng()
/// let (url, pending) = client
///     .authorization_request("http://127.0.0.1:8080/")
///     .build(SystemTime::now(), &mut EntropyFn::new(|bytes| rng.fill_bytes(bytes)))?;
/// # let _ = (url, pending); Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a random source oauth2-sansio takes: a rand_core 0.10 `CryptoRng`",
    label = "not a rand_core 0.10 `CryptoRng`",
    note = "from rand 0.8 or 0.9 (another rand_core), pass \
            `&mut oauth2_sansio::EntropyFn::new(|bytes| rng.fill_bytes(bytes))`, or \
            `&mut oauth2_sansio::RandCore06(rng)` / `RandCore09(rng)` \
            (features `rand_core_06` / `rand_core_09`)"
)]
pub trait Entropy {
    /// Fills `bytes` with random bytes from a CSPRNG.
    fn fill_entropy(&mut self, bytes: &mut [u8]);
}

impl<R: rand_core::CryptoRng + ?Sized> Entropy for R {
    fn fill_entropy(&mut self, bytes: &mut [u8]) {
        self.fill_bytes(bytes);
    }
}

/// [`Entropy`] from a closure that fills a buffer, such as any RNG's
/// `fill_bytes`: `EntropyFn::new(|bytes| rng.fill_bytes(bytes))`. The
/// bytes must come from a CSPRNG (`rand::thread_rng()`, `OsRng`,
/// `getrandom`), never from a seeded or statistical generator.
pub struct EntropyFn<F>(F);

impl<F: FnMut(&mut [u8])> EntropyFn<F> {
    /// Draws bytes by calling `fill`.
    pub fn new(fill: F) -> Self {
        Self(fill)
    }
}

impl<F: FnMut(&mut [u8])> Entropy for EntropyFn<F> {
    fn fill_entropy(&mut self, bytes: &mut [u8]) {
        (self.0)(bytes);
    }
}

/// A `rand_core` 0.6 `CryptoRng` (rand 0.8's `thread_rng()`, `OsRng`,
/// `StdRng`, ChaCha) as [`Entropy`]: `&mut RandCore06(rand::thread_rng())`
/// or `&mut RandCore06(&mut rng)`.
#[cfg(feature = "rand_core_06")]
#[cfg_attr(docsrs, doc(cfg(feature = "rand_core_06")))]
#[derive(Debug)]
pub struct RandCore06<R>(pub R);

#[cfg(feature = "rand_core_06")]
impl<R: rand_core_06::RngCore + rand_core_06::CryptoRng> Entropy for RandCore06<R> {
    fn fill_entropy(&mut self, bytes: &mut [u8]) {
        self.0.fill_bytes(bytes);
    }
}

/// A `rand_core` 0.9 `CryptoRng` (rand 0.9's `rand::rng()`, `OsRng`,
/// `StdRng`) as [`Entropy`]: `&mut RandCore09(rand::rng())` or
/// `&mut RandCore09(&mut rng)`.
#[cfg(feature = "rand_core_09")]
#[cfg_attr(docsrs, doc(cfg(feature = "rand_core_09")))]
#[derive(Debug)]
pub struct RandCore09<R>(pub R);

#[cfg(feature = "rand_core_09")]
impl<R: rand_core_09::CryptoRng> Entropy for RandCore09<R> {
    fn fill_entropy(&mut self, bytes: &mut [u8]) {
        self.0.fill_bytes(bytes);
    }
}
