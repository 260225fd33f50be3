//! How the store opens and names files: never through a symbolic link, new
//! files private to the owner, every sibling named after the credentials
//! file.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// What the names of temporary files start with, after `.NAME`.
const TEMP_MARK: &str = ".tmp-";

/// Opens `path` for reading without following a symbolic link; `None` if
/// nothing is there.
pub(super) fn read_only(path: &Path) -> io::Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(true);
    no_follow(&mut options, path)?;
    match options.open(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Opens (creating it, owner-only) the lock file at `path`, without
/// following a symbolic link.
pub(super) fn lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    private(&mut options);
    no_follow(&mut options, path)?;
    options.open(path)
}

/// Creates a new file at `path`, owner-only; fails if anything (a file, a
/// link, even a dangling one) is already there.
pub(super) fn new_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    private(&mut options);
    options.open(path)
}

/// The directory holding `path` (`.` for a bare file name).
pub(super) fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// `path`'s file name, or an error for a path that names no file.
fn file_name(path: &Path) -> io::Result<OsString> {
    path.file_name()
        .map(ToOwned::to_owned)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))
}

/// `.NAME.lock` beside `path`.
pub(super) fn lock_path(path: &Path) -> io::Result<PathBuf> {
    Ok(sibling(path, &file_name(path)?, ".lock"))
}

/// `.NAME.tmp-<suffix>` beside `path`.
pub(super) fn temp_path(path: &Path, suffix: &str) -> io::Result<PathBuf> {
    Ok(sibling(
        path,
        &file_name(path)?,
        &format!("{TEMP_MARK}{suffix}"),
    ))
}

/// Whether `name` is one of `path`'s temporary files (this version's
/// names or earlier ones', which also started `.NAME.tmp-`).
pub(super) fn is_temp_name(path: &Path, name: &std::ffi::OsStr) -> bool {
    let Ok(own) = file_name(path) else {
        return false;
    };
    let prefix = format!(".{}{TEMP_MARK}", own.to_string_lossy());
    name.to_str()
        .is_some_and(|name| name.starts_with(&prefix) && name.len() > prefix.len())
}

fn sibling(path: &Path, name: &std::ffi::OsStr, suffix: &str) -> PathBuf {
    let mut sibling = OsString::from(".");
    sibling.push(name);
    sibling.push(suffix);
    directory_of(path).join(sibling)
}

/// Makes renames in `dir` durable where the platform allows; a failure
/// weakens durability, not atomicity, so it is ignored.
pub(super) fn sync_directory(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The permission bits of the file at `path` if others than its owner may
/// read or write it; `None` when private or absent.
pub(super) fn loose_permissions(path: &Path) -> io::Result<Option<u32>> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        Ok(None)
    }
}

/// Whether `error` says a symbolic link was refused.
pub(super) fn is_symlink_refusal(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        error.kind() == io::ErrorKind::InvalidInput && error.to_string().contains("symbolic link")
    }
}

fn private(options: &mut OpenOptions) {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    #[cfg(not(unix))]
    let _ = options;
}

/// Makes the open fail on a symbolic link at `path` (`O_NOFOLLOW`; other
/// platforms check first, which is the best they allow).
fn no_follow(options: &mut OpenOptions, path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let _ = path;
        std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NOFOLLOW);
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = options;
        match std::fs::symlink_metadata(path) {
            Ok(metadata) if metadata.file_type().is_symlink() => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a symbolic link is not followed",
            )),
            _ => Ok(()),
        }
    }
}
