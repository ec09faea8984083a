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
            Lang::Ja => "ja",
            Lang::Pl => "pl",
            Lang::Nl => "nl",
            Lang::It => "it",
            Lang::Pt => "pt",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    /// Its own name for itself, as the switcher lists it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Ja => "日本語",
            Lang::Pl => "Polski",
            Lang::Nl => "Nederlands",
            Lang::It => "Italiano",
            Lang::Pt => "Português",
            Lang::Es => "Español",
            Lang::Fr => "Français",
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
            Lang::Ja => include_str!("../../locales/ja.ftl"),
            Lang::Pl => include_str!("../../locales/pl.ftl"),
            Lang::Nl => include_str!("../../locales/nl.ftl"),
            Lang::It => include_str!("../../locales/it.ftl"),
            Lang::Pt => include_str!("../../locales/pt.ftl"),
            Lang::Es => include_str!("../../locales/es.ftl"),
            Lang::Fr => include_str!("../../locales/fr.ftl"),
            Lang::Ar => include_str!("../../locales/ar.ftl"),
        }
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        &CATALOGUES[Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)]
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
        let cookie = format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
        if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(axum::http::header::SET_COOKIE, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests;
