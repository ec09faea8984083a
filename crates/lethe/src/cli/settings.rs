//! Client settings: flags, then `LETHE_URL` / `LETHE_USER` / `LETHE_API_KEY` / `LETHE_API`
//! (clap reads both), then the config file (`<config dir>/lethe/config.toml`), then defaults.

use super::output::Failure;
use super::Common;
use lethe_client::{Api, Client, Credentials};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const DEFAULT_URL: &str = "http://127.0.0.1:7143";

/// The config file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    url: Option<String>,
    user: Option<String>,
    api_key: Option<String>,
    api: Option<String>,
}

/// The settings in effect.
pub struct Settings {
    pub url: String,
    pub user: Option<String>,
    pub api_key: Option<SecretString>,
    pub api: Api,
    pub file: Option<PathBuf>,
    pub file_found: bool,
}

/// What `lethe config` prints: the key is never shown.
#[derive(Serialize)]
pub struct Shown {
    pub url: String,
    pub api: &'static str,
    pub user: Option<String>,
    pub api_key: &'static str,
    pub config_file: Option<String>,
    pub config_file_found: bool,
}

fn default_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("lethe").join("config.toml"))
}

impl Settings {
    pub fn load(common: &Common) -> Result<Self, Failure> {
        let file = common.client_config.clone().or_else(default_file);
        let (from_file, found) = match &file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
                let parsed: FileSettings = toml::from_str(&text)
                    .map_err(|e| Failure::usage(format!("invalid config file {}: {e}", path.display())))?;
                (parsed, true)
            }
            Some(path) if common.client_config.is_some() => {
                return Err(Failure::usage(format!("config file {} does not exist", path.display())))
            }
            _ => (FileSettings::default(), false),
        };
        let api = match common.api.as_deref().or(from_file.api.as_deref()) {
            None | Some("v2") => Api::V2,
            Some("v1") => Api::V1,
            Some(other) => return Err(Failure::usage(format!("unknown API '{other}': use v1 or v2"))),
        };
        Ok(Settings {
            url: common.url.clone().or(from_file.url).unwrap_or_else(|| DEFAULT_URL.to_owned()),
            user: common.user.clone().or(from_file.user),
            api_key: common.api_key.clone().or(from_file.api_key).map(SecretString::from),
            api,
            file,
            file_found: found,
        })
    }

    pub fn client(&self) -> Result<Client, Failure> {
        let credentials = match (&self.user, &self.api_key) {
            (Some(user), Some(key)) => Some(Credentials { user: user.clone(), api_key: key.clone() }),
            (None, None) => None,
            _ => return Err(Failure::usage("set both the account e-mail (--user) and the API key, or neither")),
        };
        Ok(Client::new(&self.url, self.api, credentials)?)
    }

    pub fn shown(&self) -> Shown {
        Shown {
            url: self.url.clone(),
            api: match self.api {
                Api::V1 => "v1",
                Api::V2 => "v2",
            },
            user: self.user.clone(),
            api_key: if self.api_key.is_some() { "[redacted]" } else { "(not set)" },
            config_file: self.file.as_ref().map(|p| p.display().to_string()),
            config_file_found: self.file_found,
        }
    }
}
