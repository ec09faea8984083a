//! A short description of a browser from its `User-Agent` ("Firefox on Linux"), for the lists
//! of sessions and viewers. Only for display: it reads the common tokens in the order that
//! tells the browsers apart (Edge and Chrome both say "Chrome", Chrome says "Safari").

/// `"Browser on System"`, or the agent's first word when it is not a known browser.
pub fn describe(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        _ => match ua.split(['/', ' ']).next().filter(|w| !w.is_empty()) {
            Some(word) => word.chars().take(40).collect(),
            None => "unknown device".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_agents_are_named() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe(chrome), "Chrome on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0";
        assert_eq!(describe(edge), "Edge on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(safari), "Safari on iOS");
        assert_eq!(
            describe("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on macOS"
        );
        assert_eq!(describe("curl/8.5.0"), "curl");
        assert_eq!(describe(""), "unknown device");
    }
}
