//! Template structs for the pages (askama: compiled into the binary, auto-escaped) and the
//! small formatting helpers they need.

use super::session::Nav;
use askama::Template;

/// A Unix time as `2026-11-22 14:05 UTC`, as the mails write it too.
pub use crate::service::notify::mail::templates::when;

/// A duration as words: `5 minutes`, `1 day`, `30 days`.
pub fn duration(secs: i64) -> String {
    let (n, unit) = match secs {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3_600 == 0 => (s / 3_600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// How far ahead a time `secs` from now is, in `lang`, rounded down to the largest whole unit:
/// `in 23 hours`, `in 5 minutes`; `now` within a minute (or past).
pub fn until(lang: super::i18n::Lang, secs: i64) -> String {
    match secs {
        ..=59 => lang.t("time-now"),
        60..=3_599 => lang.t_n("time-in-minutes", secs / 60),
        3_600..=86_399 => lang.t_n("time-in-hours", secs / 3_600),
        _ => lang.t_n("time-in-days", secs / 86_400),
    }
}

/// `text` with the characters that mean something in HTML escaped, for the few messages that
/// hold markup and take a value.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A wait as words, rounded up to whole minutes past the first one: `40 seconds`, `3 minutes`.
pub fn wait(secs: u64) -> String {
    if secs <= 60 {
        return format!("{secs} second{}", if secs == 1 { "" } else { "s" });
    }
    format!("{} minutes", secs.div_ceil(60))
}

/// One choice in the lifetime menu.
pub struct Lifetime {
    pub secs: i64,
    pub label: String,
    pub selected: bool,
}

/// The lifetimes offered, within `max` seconds; one day is preselected.
pub fn lifetimes(max: i64) -> Vec<Lifetime> {
    const CHOICES: [i64; 10] = [300, 1_800, 3_600, 14_400, 43_200, 86_400, 259_200, 604_800, 1_209_600, 2_592_000];
    let allowed: Vec<i64> = CHOICES.into_iter().filter(|&s| s <= max).collect();
    let default = if allowed.contains(&86_400) { 86_400 } else { allowed.last().copied().unwrap_or(0) };
    allowed.into_iter().map(|secs| Lifetime { secs, label: duration(secs), selected: secs == default }).collect()
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct Index {
    pub nav: Nav,
    pub error: Option<String>,
    pub max_chars: usize,
    pub lifetimes: Vec<Lifetime>,
    // Empty placeholders for the <template> that app.js fills in.
    pub share_link: String,
    pub receipt_link: String,
    pub expires: String,
    pub passphrase: bool,
    /// The signed-in creator's teams, offered in "Create for" (empty: no choice shown).
    pub teams: Vec<TeamChoice>,
    /// The server sends mail and the creator is signed in: offer a recipient and
    /// notifications.
    pub mail: bool,
    /// The creator's default: mailed when their secrets end.
    pub notify_default: bool,
}

/// A team a secret may be created for.
pub struct TeamChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "created.html")]
pub struct Created {
    pub nav: Nav,
    pub share_link: String,
    pub receipt_link: String,
    pub expires: String,
    pub passphrase: bool,
}

#[derive(Template)]
#[template(path = "secret.html")]
pub struct Waiting {
    pub nav: Nav,
    pub key: String,
    pub e2e: bool,
    pub passphrase_required: bool,
    /// Only signed-in viewers may open it and this one is not signed in: the page asks to
    /// sign in first (and comes back here), consuming nothing.
    pub sign_in_first: bool,
    pub error: Option<String>,
    /// Empty placeholder for the <template> that app.js fills in.
    pub value: String,
    /// The line saying until when the link works (markup: how long from now, and a
    /// `<time>`), if known.
    pub expires: Option<String>,
}

#[derive(Template)]
#[template(path = "revealed.html")]
pub struct Revealed {
    pub nav: Nav,
    pub value: String,
}

#[derive(Template)]
#[template(path = "ended.html")]
pub struct Ended {
    pub nav: Nav,
    pub state: &'static str,
    pub title: String,
    pub message: String,
    pub when_label: String,
    pub when: Option<String>,
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub struct Receipt {
    pub nav: Nav,
    pub key: String,
    pub name: Option<String>,
    pub notice: Option<&'static str>,
    pub state: &'static str,
    pub state_label: &'static str,
    pub reason: Option<&'static str>,
    pub created: String,
    /// When it expires (while it waits) or expired; `None` once viewed or burned.
    pub expires: Option<String>,
    /// `Expires` or `Expired`.
    pub expires_label: &'static str,
    pub viewed: Option<String>,
    pub burned: Option<String>,
    pub passphrase_required: bool,
    pub late_attempts: u32,
    pub share_link: Option<String>,
    pub e2e: bool,
    pub require_login: bool,
    pub allowed_viewers: Vec<String>,
    pub refused_viewers: u32,
    /// Recipients as stored (obscured); no mail goes out yet, and the page says so.
    pub recipients: Vec<String>,
    /// The link mail's state: `queued`, `sent`, `failed`, or why nothing was sent.
    pub delivery: String,
    /// Who viewed an owned secret.
    pub viewed_by: Option<ViewedBy>,
}

/// The viewer of an owned secret, as the receipt page shows it.
pub struct ViewedBy {
    /// The account's e-mail, or "anonymous".
    pub who: String,
    pub client_addr: String,
    /// The device: the viewer's user agent.
    pub user_agent: String,
}

#[derive(Template)]
#[template(path = "burn.html")]
pub struct BurnConfirm {
    pub nav: Nav,
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_and_durations() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(duration(300), "5 minutes");
        assert_eq!(duration(3_600), "1 hour");
        assert_eq!(duration(86_400), "1 day");
        assert_eq!(duration(61), "61 seconds");
        assert_eq!((wait(1).as_str(), wait(40).as_str(), wait(61).as_str()), ("1 second", "40 seconds", "2 minutes"));
        let en = super::super::i18n::Lang::En;
        let rel: Vec<String> =
            [30, 60, 3_599, 3_600, 86_399, 172_800, -7_200].into_iter().map(|s| until(en, s)).collect();
        assert_eq!(rel, ["now", "in 1 minute", "in 59 minutes", "in 1 hour", "in 23 hours", "in 2 days", "now"]);
        assert_eq!(escape(r#"<a href="x">&</a>"#), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }

    #[test]
    fn lifetimes_respect_the_maximum_and_preselect_a_day() {
        let all = lifetimes(2_592_000);
        assert_eq!(all.len(), 10);
        assert_eq!(all.iter().filter(|l| l.selected).map(|l| l.secs).collect::<Vec<_>>(), vec![86_400]);
        let anon = lifetimes(604_800);
        assert_eq!(anon.last().map(|l| l.label.as_str()), Some("7 days"));
        let short = lifetimes(3_600);
        assert_eq!(short.iter().find(|l| l.selected).map(|l| l.secs), Some(3_600));
    }

    #[test]
    fn templates_escape_user_content() {
        let page =
            Revealed { nav: Nav::default(), value: "<script>alert(1)</script>".into() }.render().unwrap_or_default();
        assert!(page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("<script>alert"));
    }
}
