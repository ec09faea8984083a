//! A client for Lethe servers (`/api/v2`) and for Onetime Secret v1 servers (`/api/v1`),
//! used by the `lethe` command line and by tests. End-to-end secrets are encrypted and
//! decrypted here, in the format of `lethe_core::e2e`, so links interoperate with the browser.
//!
//! - [`link`]: parsing share and receipt links (server, key, `#fragment` key).
//! - [`error`]: one error type for both APIs' error conventions.
//! - [`model`]: what calls take and return.
//! - [`v2`] and [`v1`]: the two wire protocols.

pub mod error;
pub mod link;
pub mod model;
mod v1;
mod v2;

pub use error::ClientError;
pub use link::{ReceiptLink, SecretLink};
pub use model::{GenerateOptions, Receipt, Revealed, ShareOptions, Shared, Viewers};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Which protocol to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Lethe's native API: every feature, including end-to-end encryption.
    V2,
    /// The Onetime Secret v1 API, for onetimesecret.com and compatible servers.
    V1,
}

/// Account credentials: e-mail and API key (HTTP Basic).
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub api_key: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).field("api_key", &"[redacted]").finish()
    }
}

/// A client bound to one server.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    api: Api,
    credentials: Option<Credentials>,
}

impl Client {
    /// A client for the server at `base` (e.g. `https://secrets.example.com`).
    pub fn new(base: &str, api: Api, credentials: Option<Credentials>) -> Result<Self, ClientError> {
        let mut base = Url::parse(base).map_err(|e| ClientError::Usage(format!("invalid server URL '{base}': {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ClientError::Usage(format!("the server URL must be http or https, not '{}'", base.scheme())));
        }
        base.set_fragment(None);
        base.set_query(None);
        let path = base.path().trim_end_matches('/').to_owned();
        base.set_path(&path);
        let http = reqwest::Client::builder()
            .user_agent(concat!("lethe-cli/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Client { http, base, api, credentials })
    }

    /// The same client talking to another server (for links that name their own host).
    pub fn for_base(&self, base: &Url) -> Result<Self, ClientError> {
        Client::new(base.as_str(), self.api, self.credentials.clone())
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn api(&self) -> Api {
        self.api
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.request(method, self.url(path));
        match &self.credentials {
            Some(c) => req.basic_auth(&c.user, Some(c.api_key.expose_secret())),
            None => req,
        }
    }

    /// Stores a secret.
    pub async fn share(&self, opts: ShareOptions) -> Result<Shared, ClientError> {
        match self.api {
            Api::V2 => v2::share(self, opts).await,
            Api::V1 => v1::share(self, opts).await,
        }
    }

    /// Generates a password on the server and stores it.
    pub async fn generate(&self, opts: GenerateOptions) -> Result<Shared, ClientError> {
        match self.api {
            Api::V2 => v2::generate(self, opts).await,
            Api::V1 => v1::generate(self, opts).await,
        }
    }

    /// Reveals a secret once; decrypts end-to-end links with the key in their fragment.
    pub async fn reveal(&self, link: &SecretLink, passphrase: Option<&str>) -> Result<Revealed, ClientError> {
        match self.api {
            Api::V2 => v2::reveal(self, link, passphrase).await,
            Api::V1 => v1::reveal(self, link, passphrase).await,
        }
    }

    pub async fn receipt(&self, link: &ReceiptLink) -> Result<Receipt, ClientError> {
        match self.api {
            Api::V2 => v2::receipt(self, link).await,
            Api::V1 => v1::receipt(self, link).await,
        }
    }

    pub async fn burn(&self, link: &ReceiptLink) -> Result<Receipt, ClientError> {
        match self.api {
            Api::V2 => v2::burn(self, link).await,
            Api::V1 => v1::burn(self, link).await,
        }
    }

    pub async fn recent(&self) -> Result<Vec<Receipt>, ClientError> {
        match self.api {
            Api::V2 => v2::recent(self).await,
            Api::V1 => v1::recent(self).await,
        }
    }

    /// The server's status document.
    pub async fn status(&self) -> Result<serde_json::Value, ClientError> {
        let path = match self.api {
            Api::V2 => "/api/v2/status",
            Api::V1 => "/api/v1/status",
        };
        let resp = self.request(reqwest::Method::GET, path).send().await?;
        match self.api {
            Api::V2 => v2::json(resp).await,
            Api::V1 => v1::json(resp).await,
        }
    }
}
