//! What Application Default Credentials read from the environment, gathered
//! once by the IO layer: the variables, the home directory, the platform.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::credentials::metadata::MetadataServer;
use crate::error::config::ConfigError;

/// The name of the file gcloud writes for ADC.
pub const ADC_FILE_NAME: &str = "application_default_credentials.json";

/// The file whose contents say the machine is a Google Compute Engine VM
/// (Linux's DMI product name: `Google Compute Engine`).
pub const GCE_PRODUCT_NAME_FILE: &str = "/sys/class/dmi/id/product_name";

/// The environment variables ADC reads.
const VARIABLES: [&str; 12] = [
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
    "APPDATA",
    "SystemDrive",
    "NO_GCE_CHECK",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "GOOGLE_CLOUD_QUOTA_PROJECT",
    "GCE_METADATA_HOST",
    "GCE_METADATA_ROOT",
    "GCE_METADATA_IP",
    "GCE_METADATA_TIMEOUT",
];

/// A variable read after the others (the ping's attempts).
const DETECT_RETRIES: &str = "GCE_METADATA_DETECT_RETRIES";

/// The environment as ADC sees it. The core reads no environment: the IO
/// layer (or a test) fills this in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdcEnvironment {
    vars: BTreeMap<&'static str, String>,
    home: Option<PathBuf>,
    windows: bool,
}

impl AdcEnvironment {
    /// The environment where `var` reads a variable (`std::env::var(..).ok()`
    /// in a program), `home` is the user's home directory and `windows` says
    /// whether the platform is Windows (which changes where gcloud keeps
    /// its files).
    pub fn new(var: impl Fn(&str) -> Option<String>, home: Option<PathBuf>, windows: bool) -> Self {
        let vars = VARIABLES
            .iter()
            .chain([&DETECT_RETRIES])
            .filter_map(|name| Some((*name, var(name)?)))
            .collect();
        Self {
            vars,
            home,
            windows,
        }
    }

    /// A variable's value, when set and not empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The file `GOOGLE_APPLICATION_CREDENTIALS` names, if it is set.
    pub fn explicit_file(&self) -> Option<PathBuf> {
        self.var("GOOGLE_APPLICATION_CREDENTIALS")
            .map(PathBuf::from)
    }

    /// Where gcloud keeps its configuration, as google-auth finds it:
    /// `$CLOUDSDK_CONFIG`; on Windows `%APPDATA%\gcloud` (else
    /// `%SystemDrive%\gcloud`, else `C:\gcloud`); elsewhere
    /// `~/.config/gcloud`. `None` when there is no home directory to look
    /// in.
    pub fn gcloud_config_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self.var("CLOUDSDK_CONFIG") {
            return Some(PathBuf::from(dir));
        }
        if self.windows {
            return Some(match self.var("APPDATA") {
                Some(appdata) => PathBuf::from(appdata).join("gcloud"),
                None => PathBuf::from(format!(
                    "{}\\gcloud",
                    self.var("SystemDrive").unwrap_or("C:")
                )),
            });
        }
        Some(self.home.as_ref()?.join(".config").join("gcloud"))
    }

    /// The file `gcloud auth application-default login` writes.
    pub fn gcloud_file(&self) -> Option<PathBuf> {
        Some(self.gcloud_config_dir()?.join(ADC_FILE_NAME))
    }

    /// Whether `NO_GCE_CHECK` says not to look for a metadata server
    /// (exactly `true`, as google-auth reads it).
    pub fn skips_metadata(&self) -> bool {
        self.var("NO_GCE_CHECK") == Some("true")
    }

    /// The file that can still say the machine runs on Google Cloud when
    /// the metadata server's ping goes unanswered:
    /// [`GCE_PRODUCT_NAME_FILE`], except on Windows, where google-auth
    /// looks for none.
    pub fn product_name_file(&self) -> Option<PathBuf> {
        (!self.windows).then(|| PathBuf::from(GCE_PRODUCT_NAME_FILE))
    }

    /// The project `GOOGLE_CLOUD_PROJECT` (else `GCLOUD_PROJECT`) names.
    pub fn project_id(&self) -> Option<&str> {
        self.var("GOOGLE_CLOUD_PROJECT")
            .or_else(|| self.var("GCLOUD_PROJECT"))
    }

    /// The quota project `GOOGLE_CLOUD_QUOTA_PROJECT` names.
    pub fn quota_project(&self) -> Option<&str> {
        self.var("GOOGLE_CLOUD_QUOTA_PROJECT")
    }

    /// The metadata server the variables point at.
    pub fn metadata_server(&self) -> Result<MetadataServer, ConfigError> {
        MetadataServer::from_env(|name| self.var(name).map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)], home: Option<&str>, windows: bool) -> AdcEnvironment {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        AdcEnvironment::new(
            |name| {
                pairs
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            },
            home.map(PathBuf::from),
            windows,
        )
    }

    #[test]
    fn the_gcloud_file_is_where_google_auth_looks() {
        let unix = env(&[], Some("/home/u"), false);
        assert_eq!(
            unix.gcloud_file(),
            Some(PathBuf::from(
                "/home/u/.config/gcloud/application_default_credentials.json"
            ))
        );
        let configured = env(&[("CLOUDSDK_CONFIG", "/etc/gc")], Some("/home/u"), false);
        assert_eq!(
            configured.gcloud_file(),
            Some(PathBuf::from(
                "/etc/gc/application_default_credentials.json"
            ))
        );
        let windows = env(&[("APPDATA", "C:\\Users\\u\\AppData\\Roaming")], None, true);
        assert_eq!(
            windows.gcloud_config_dir(),
            Some(PathBuf::from("C:\\Users\\u\\AppData\\Roaming").join("gcloud"))
        );
        let bare_windows = env(&[("SystemDrive", "D:")], None, true);
        assert_eq!(
            bare_windows.gcloud_config_dir(),
            Some(PathBuf::from("D:\\gcloud"))
        );
        assert_eq!(env(&[], None, false).gcloud_file(), None);
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let blank = env(
            &[
                ("GOOGLE_APPLICATION_CREDENTIALS", ""),
                ("GOOGLE_CLOUD_PROJECT", ""),
                ("GCLOUD_PROJECT", "legacy"),
                ("NO_GCE_CHECK", "True"),
            ],
            None,
            false,
        );
        assert_eq!(blank.explicit_file(), None);
        assert_eq!(blank.project_id(), Some("legacy"));
        assert!(!blank.skips_metadata(), "only exactly `true` skips");
    }
}
