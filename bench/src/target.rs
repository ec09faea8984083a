//! The systems under test and how each one's create and reveal look on the wire.
//!
//! - Lethe: `POST /api/v1/share` with `secret=…&ttl=…` answers JSON with `secret_key`;
//!   `POST /api/v1/secret/<secret_key>` answers `{"value": …}`, then 404 forever.
//! - The ceiling: the same routes, a fixed body; its answers cannot be checked.
//! - The floor: the ceiling's routes and answers, after a durable append (`bin/floor.rs`).
//! - The SQLite floor: the floor's routes and answers, after a durable SQLite write
//!   (`bin/sqlite-floor.rs`); its keys name their rows.
//! - Snappass (1.6): `POST /` with `password=…&ttl=hour` and `Accept: application/json`
//!   answers `{"link": "https://host/<quoted token>", "ttl": 3600}`; `POST /<quoted token>`
//!   answers an HTML page with the password in `<textarea id="password-text" …>`, then 404.

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use clap::ValueEnum;
use hyper::StatusCode;

use crate::conn::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flavour {
    Lethe,
    Ceiling,
    /// The ceiling plus a group-committed, fdatasynced append per request; same wire shapes.
    Floor,
    /// The floor with a group-committed SQLite insert or update in place of the append.
    SqliteFloor,
    Snappass,
}

/// The two wire shapes the systems speak.
#[derive(Clone, Copy)]
enum Wire {
    /// Onetime Secret's v1 routes, form bodies and JSON answers.
    V1,
    Snappass,
}

/// What a reveal answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Revealed {
    /// The secret's content.
    Value(String),
    /// The server says the secret does not exist (any more).
    Gone,
}

impl Flavour {
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Lethe => "lethe",
            Flavour::Ceiling => "ceiling",
            Flavour::Floor => "floor",
            Flavour::SqliteFloor => "sqlite-floor",
            Flavour::Snappass => "snappass",
        }
    }

    /// Whether answers carry real data to check. The ceiling and the floors answer every
    /// reveal with the same value.
    pub fn checkable(self) -> bool {
        !matches!(self, Flavour::Ceiling | Flavour::Floor | Flavour::SqliteFloor)
    }

    /// Lethe, the ceiling and the floors speak v1; Snappass its own.
    fn wire(self) -> Wire {
        match self {
            Flavour::Lethe | Flavour::Ceiling | Flavour::Floor | Flavour::SqliteFloor => Wire::V1,
            Flavour::Snappass => Wire::Snappass,
        }
    }

    pub fn create_path(self) -> &'static str {
        match self.wire() {
            Wire::V1 => "/api/v1/share",
            Wire::Snappass => "/",
        }
    }

    /// The form body of a create. `content` is alphanumeric, so it needs no escaping.
    pub fn create_body(self, content: &str, ttl_secs: u64) -> Bytes {
        match self.wire() {
            Wire::V1 => format!("secret={content}&ttl={ttl_secs}"),
            // Snappass only knows named periods; "hour" is its shortest.
            Wire::Snappass => format!("password={content}&ttl=hour"),
        }
        .into()
    }

    /// The path that reveals the secret a successful create answered with.
    pub fn reveal_path(self, resp: &Response) -> Result<String> {
        if resp.status != StatusCode::OK {
            bail!("create answered {}", resp.status);
        }
        let json: serde_json::Value = serde_json::from_slice(&resp.body).context("create answer is not JSON")?;
        match self.wire() {
            Wire::V1 => {
                let key = json["secret_key"].as_str().context("no secret_key")?;
                if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                    bail!("unexpected secret_key {key:?}");
                }
                Ok(format!("/api/v1/secret/{key}"))
            }
            Wire::Snappass => {
                let link = json["link"].as_str().context("no link")?;
                let after_scheme = link.split_once("://").context("link has no scheme")?.1;
                let slash = after_scheme.find('/').context("link has no path")?;
                Ok(after_scheme[slash..].to_owned())
            }
        }
    }

    /// Reads a reveal's answer.
    pub fn revealed(self, resp: &Response) -> Result<Revealed> {
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(Revealed::Gone);
        }
        if resp.status != StatusCode::OK {
            bail!("reveal answered {}", resp.status);
        }
        match self.wire() {
            Wire::V1 => {
                let json: serde_json::Value =
                    serde_json::from_slice(&resp.body).context("reveal answer is not JSON")?;
                let value = json["value"].as_str().context("no value")?;
                Ok(Revealed::Value(value.to_owned()))
            }
            Wire::Snappass => snappass_password(&resp.body).map(Revealed::Value),
        }
    }
}

/// Extracts the password from Snappass's `password.html` page.
fn snappass_password(html: &[u8]) -> Result<String> {
    let html = std::str::from_utf8(html).context("reveal page is not UTF-8")?;
    let start = html.find("id=\"password-text\"").context("no password-text element in the reveal page")?;
    let open_end = html[start..].find('>').context("unterminated textarea")? + start + 1;
    let close = html[open_end..].find("</textarea>").context("no </textarea>")? + open_end;
    Ok(unescape_html(&html[open_end..close]))
}

/// Undoes Jinja's autoescaping.
fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response { status: StatusCode::from_u16(status).unwrap(), body: Bytes::from(body.to_owned()) }
    }

    #[test]
    fn lethe_round_trip_shapes() {
        let f = Flavour::Lethe;
        let key = "a".repeat(54);
        let created = resp(200, &format!(r#"{{"secret_key":"{key}","ttl":3600}}"#));
        assert_eq!(f.reveal_path(&created).unwrap(), format!("/api/v1/secret/{key}"));
        let shown = resp(200, r#"{"value":"abc","secret_key":"x","share_domain":""}"#);
        assert_eq!(f.revealed(&shown).unwrap(), Revealed::Value("abc".into()));
        let gone = resp(404, r#"{"message":"Unknown secret"}"#);
        assert_eq!(f.revealed(&gone).unwrap(), Revealed::Gone);
        assert!(f.reveal_path(&resp(500, "{}")).is_err());
        assert!(f.reveal_path(&resp(200, r#"{"secret_key":"../x"}"#)).is_err());
    }

    #[test]
    fn floor_speaks_like_the_ceiling() {
        let f = Flavour::Floor;
        assert_eq!(f.name(), "floor");
        assert!(!f.checkable());
        assert_eq!(f.create_path(), Flavour::Ceiling.create_path());
        assert_eq!(f.create_body("xyz", 60), Flavour::Ceiling.create_body("xyz", 60));
        let created = resp(200, r#"{"custid":"anon","secret_key":"abc","state":"new","ttl":3600}"#);
        assert_eq!(f.reveal_path(&created).unwrap(), "/api/v1/secret/abc");
        let s = Flavour::SqliteFloor;
        assert_eq!(s.name(), "sqlite-floor");
        assert!(!s.checkable());
        assert_eq!(s.create_body("xyz", 60), f.create_body("xyz", 60));
        assert_eq!(s.reveal_path(&created).unwrap(), "/api/v1/secret/abc");
    }

    #[test]
    fn snappass_shapes() {
        let f = Flavour::Snappass;
        let created = resp(200, r#"{"link":"https://127.0.0.1:6391/snappassab12~Zm9v%3D","ttl":3600}"#);
        assert_eq!(f.reveal_path(&created).unwrap(), "/snappassab12~Zm9v%3D");
        let page = r#"<textarea class="form-control" rows="10" cols="50" id="password-text" name="password-text" readonly="readonly">a&amp;b</textarea>"#;
        assert_eq!(f.revealed(&resp(200, page)).unwrap(), Revealed::Value("a&b".into()));
        assert_eq!(f.revealed(&resp(404, "<html>expired</html>")).unwrap(), Revealed::Gone);
        assert_eq!(&f.create_body("xyz", 60)[..], b"password=xyz&ttl=hour");
    }
}
