//! What Application Default Credentials read from this process: its
//! environment variables, its home directory, and credentials files.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::adc::{AdcEnvironment, FileRead, ADC_FILE_LIMIT};

/// The environment ADC reads, from this process: its variables, the home
/// directory (`HOME`, else `USERPROFILE`), and whether it runs on Windows.
pub fn process_environment() -> AdcEnvironment {
    AdcEnvironment::new(|name| std::env::var(name).ok(), home_dir(), cfg!(windows))
}

fn home_dir() -> Option<PathBuf> {
    ["HOME", "USERPROFILE"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// A credentials file as ADC reads it: at most [`ADC_FILE_LIMIT`] + 1 bytes
/// (a larger file is then refused by the parser), into a buffer allocated
/// once.
pub fn read_file(path: &Path) -> FileRead {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return FileRead::NotFound,
        Err(e) => return FileRead::Failed(e.to_string()),
    };
    let bound = ADC_FILE_LIMIT as u64 + 1;
    let capacity = file.metadata().map_or(0, |m| m.len()).min(bound) as usize + 1;
    let mut bytes = Vec::with_capacity(capacity);
    match file.take(bound).read_to_end(&mut bytes) {
        Ok(_) => FileRead::Bytes(bytes),
        Err(e) => {
            zeroize::Zeroize::zeroize(&mut bytes);
            FileRead::Failed(e.to_string())
        }
    }
}
