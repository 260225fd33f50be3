//! Application Default Credentials: one search that finds credentials
//! wherever the program runs — a key file an environment variable names,
//! the file `gcloud auth application-default login` wrote, or the metadata
//! server of Google Cloud — and one result type whatever it found.

mod default;
mod env;
mod error;
mod file;
mod search;
#[cfg(test)]
mod search_tests;

pub use default::{AdcSource, DefaultCredentials, DefaultRefresh};
pub use env::{AdcEnvironment, ADC_FILE_NAME, GCE_PRODUCT_NAME_FILE};
pub use error::AdcError;
pub use file::ADC_FILE_LIMIT;
pub use search::{Adc, AdcStep, FileRead};
