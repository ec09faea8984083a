//! The pages' languages: message catalogues in Fluent (`locales/<code>.ftl`, embedded), the
//! language of a request (the `lethe_lang` cookie the footer's switcher sets, else the best
//! match of `Accept-Language`, else English), and `<html lang dir>` from it.
//!
//! Ten languages: English, German, French, Spanish, Portuguese, Italian, Dutch, Polish,
//! Japanese and Arabic (right to left). English is the fallback of every message; the tests
//! check that every catalogue has every English message, with the same placeholders.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::LazyLock;

/// The name of the cookie that keeps a chosen language.
pub const COOKIE: &str = "lethe_lang";

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    Es,
    Pt,
    It,
    Nl,
    Pl,
    Ja,
    Ar,
}

impl Lang {
    /// Every language, in the switcher's order.
    pub const ALL: [Lang; 10] =
        [Lang::En, Lang::De, Lang::Fr, Lang::Es, Lang::Pt, Lang::It, Lang::Nl, Lang::Pl, Lang::Ja, Lang::Ar];

    /// The BCP 47 code: `<html lang>`, the cookie, the catalogue's file name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Pt => "pt",
            Lang::It => "it",
            Lang::Nl => "nl",
            Lang::Pl => "pl",
            Lang::Ja => "ja",
            Lang::Ar => "ar",
        }
    }

    /// Its own name for itself, as the switcher lists it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Fr => "Français",
            Lang::Es => "Español",
            Lang::Pt => "Português",
            Lang::It => "Italiano",
            Lang::Nl => "Nederlands",
            Lang::Pl => "Polski",
            Lang::Ja => "日本語",
            Lang::Ar => "العربية",
        }
    }

    /// `rtl` or `ltr`, for `<html dir>`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language of a tag such as `de-AT` or `AR`, if the pages speak it.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../../locales/en.ftl"),
            Lang::De => include_str!("../../locales/de.ftl"),
            Lang::Fr => include_str!("../../locales/fr.ftl"),
            Lang::Es => include_str!("../../locales/es.ftl"),
            Lang::Pt => include_str!("../../locales/pt.ftl"),
            Lang::It => include_str!("../../locales/it.ftl"),
            Lang::Nl => include_str!("../../locales/nl.ftl"),
            Lang::Pl => include_str!("../../locales/pl.ftl"),
            Lang::Ja => include_str!("../../locales/ja.ftl"),
            Lang::Ar => include_str!("../../locales/ar.ftl"),
        }
    }

    fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        &CATALOGUES[self.index()]
    }

    /// The messages app.js shows, in this language, as JSON for a
    /// `<script type="application/json">` block (`<` escaped, so no text can end the block);
    /// `{n}` stands for a number the script fills in. Made once per language.
    pub fn script_messages(self) -> &'static str {
        &SCRIPT_MESSAGES[self.index()]
    }

    /// The message `key` in this language (English if it has none yet); the key itself if
    /// English has none either, so a missing message shows rather than breaks the page.
    pub fn t(self, key: &str) -> String {
        self.format(key, None)
    }

    /// [`Lang::t`] with placeholders (`{ $name }` in the catalogue).
    pub fn t_with(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        for (k, v) in args {
            fluent.set(*k, *v);
        }
        self.format(key, Some(&fluent))
    }

    /// [`Lang::t`] with the number `$n`, which chooses the plural form.
    pub fn t_n(self, key: &str, n: i64) -> String {
        let mut fluent = FluentArgs::new();
        fluent.set("n", n);
        self.format(key, Some(&fluent))
    }

    fn format(self, key: &str, args: Option<&FluentArgs>) -> String {
        for bundle in [self.bundle(), Lang::En.bundle()] {
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle.format_pattern(pattern, args, &mut errors).into_owned();
            }
        }
        key.to_owned()
    }
}

/// The parsed catalogues, in [`Lang::ALL`]'s order. A catalogue with a syntax error or a
/// repeated message is a bug the tests catch; here the messages that do parse are used, and
/// the rest fall back to English.
static CATALOGUES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let resource = FluentResource::try_new(lang.source().to_owned()).unwrap_or_else(|(partial, e)| {
                tracing::error!(lang = lang.code(), errors = e.len(), "a message catalogue has syntax errors");
                partial
            });
            let id = lang.code().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Bidirectional isolation around placeholders only where the text runs right to left.
            bundle.set_use_isolating(lang.dir() == "rtl");
            if let Err(e) = bundle.add_resource(resource) {
                tracing::error!(lang = lang.code(), errors = e.len(), "a message catalogue repeats messages");
            }
            bundle
        })
        .collect()
});

/// The messages app.js shows (see [`Lang::script_messages`]).
const SCRIPT_KEYS: [&str; 11] = [
    "js-decrypting",
    "js-decrypt-failed",
    "js-incomplete-link",
    "js-insecure-reveal",
    "js-copied",
    "js-select-to-copy",
    "ended-refused",
    "waiting-view",
    "reveal-wrong-passphrase",
    "reveal-wrong-key",
    "reveal-passphrase-needed",
];

/// [`SCRIPT_KEYS`] as JSON, once per language, in [`Lang::ALL`]'s order.
static SCRIPT_MESSAGES: LazyLock<Vec<String>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let map: serde_json::Map<String, serde_json::Value> = SCRIPT_KEYS
                .iter()
                .map(|k| ((*k).to_owned(), serde_json::Value::String(lang.t_with(k, &[("n", "{n}")]))))
                .collect();
            serde_json::Value::Object(map).to_string().replace('<', "\\u003c")
        })
        .collect()
});

/// The language of a request: the cookie's, else the first of `Accept-Language` by quality
/// that the pages speak, else English.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = cookie.and_then(Lang::parse) {
        return lang;
    }
    let mut offered: Vec<(f32, usize, Lang)> = accept_language
        .unwrap_or_default()
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let lang = Lang::parse(parts.next()?)?;
            let q =
                parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    offered.first().map_or(Lang::En, |o| o.2)
}

tokio::task_local! {
    /// The language of the request being served (set by [`scope`]).
    static LANG: Lang;
}

/// The language of the request being served; English outside one.
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// Runs `f` as if serving a request in `lang` (for answers made outside [`scope`]).
pub fn in_language<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    LANG.sync_scope(lang, f)
}

/// The language of a request from its headers.
pub fn of_request(headers: &axum::http::HeaderMap) -> Lang {
    let cookie = super::session::cookie_values(headers, COOKIE).next();
    let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    negotiate(cookie.as_deref(), accept)
}

/// A layer for the pages: serves the request in its language (see [`current`]).
pub async fn scope(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let lang = of_request(req.headers());
    LANG.scope(lang, next.run(req)).await
}

/// `GET /language?lang=de&back=/secret/…`: keeps the chosen language in a cookie (a year) and
/// goes back to the page it was chosen on (a local path only).
pub async fn choose(
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let back = q.get("back").filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'));
    let mut resp = axum::response::Redirect::to(back.map_or("/", String::as_str)).into_response();
    if let Some(lang) = q.get("lang").and_then(|l| Lang::parse(l)) {
        // Not HttpOnly: the pages' script sets the same cookie when it switches in place.
        let cookie = cookie::Cookie::build((COOKIE, lang.code()))
            .path("/")
            .same_site(cookie::SameSite::Lax)
            .max_age(cookie::time::Duration::days(365));
        if let Ok(v) = axum::http::HeaderValue::from_str(&cookie.to_string()) {
            resp.headers_mut().insert(axum::http::header::SET_COOKIE, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests;
