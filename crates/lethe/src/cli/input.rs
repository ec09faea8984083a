//! Reading secrets and passphrases: from an argument, a file or stdin, and from the terminal
//! without echo. Nothing read here is ever printed back.

use super::output::Failure;
use std::io::{IsTerminal, Read};
use std::path::Path;
use zeroize::Zeroizing;

/// Parses a lifetime: `90s`, `30m`, `1h`, `24h`, `7d`, `2w`, or plain seconds.
pub fn parse_ttl(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.find(|c: char| !c.is_ascii_digit()).map(|i| s.split_at(i)).unwrap_or((s, ""));
    let n: i64 = num.parse().map_err(|_| format!("'{s}' is not a lifetime: use e.g. 1h, 24h, 7d or seconds"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(format!("unknown unit '{unit}' in '{s}': use s, m, h, d or w")),
    };
    n.checked_mul(factor).filter(|v| *v > 0).ok_or_else(|| format!("'{s}' is not a positive lifetime"))
}

fn strip_one_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

fn read_stream(mut r: impl Read, what: &str) -> Result<Zeroizing<String>, Failure> {
    let mut bytes = Zeroizing::new(Vec::new());
    r.read_to_end(&mut bytes).map_err(|e| Failure::usage(format!("cannot read {what}: {e}")))?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| Failure::usage(format!("{what} is not UTF-8 text")))?;
    Ok(Zeroizing::new(strip_one_newline(text)))
}

/// The secret from the argument, `--file` (`-` = stdin) or stdin; a terminal is prompted
/// without echo. One trailing newline is dropped, as `$(cat file)` would.
pub fn secret(text: Option<String>, file: Option<&Path>) -> Result<Zeroizing<String>, Failure> {
    let value = match (text, file) {
        (Some(t), _) => Zeroizing::new(t),
        (None, Some(p)) if p == Path::new("-") => read_stream(std::io::stdin(), "stdin")?,
        (None, Some(p)) => {
            let f = std::fs::File::open(p).map_err(|e| Failure::usage(format!("cannot open {}: {e}", p.display())))?;
            read_stream(f, &p.display().to_string())?
        }
        (None, None) if std::io::stdin().is_terminal() => {
            Zeroizing::new(rpassword::prompt_password("Secret (hidden, one line): ").map_err(Failure::other)?)
        }
        (None, None) => read_stream(std::io::stdin(), "stdin")?,
    };
    if value.trim().is_empty() {
        return Err(Failure::usage("nothing to share: the secret is empty"));
    }
    Ok(value)
}

/// Asks for a passphrase on the terminal without echo.
pub fn prompt_passphrase(confirm: bool) -> Result<Zeroizing<String>, Failure> {
    let first = Zeroizing::new(rpassword::prompt_password("Passphrase: ").map_err(Failure::other)?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Passphrase again: ").map_err(Failure::other)?);
        if *first != *again {
            return Err(Failure::usage("the passphrases do not match"));
        }
    }
    Ok(first)
}

/// Whether we may prompt (stdin is a terminal).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_parse_with_units() {
        assert_eq!(parse_ttl("3600"), Ok(3600));
        assert_eq!(parse_ttl("90s"), Ok(90));
        assert_eq!(parse_ttl("30m"), Ok(1800));
        assert_eq!(parse_ttl("1h"), Ok(3600));
        assert_eq!(parse_ttl("24h"), Ok(86_400));
        assert_eq!(parse_ttl("7d"), Ok(604_800));
        assert!(parse_ttl("soon").is_err());
        assert!(parse_ttl("5y").is_err());
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("-5").is_err());
    }

    #[test]
    fn one_trailing_newline_is_dropped() {
        assert_eq!(strip_one_newline("a\n".into()), "a");
        assert_eq!(strip_one_newline("a\r\n".into()), "a");
        assert_eq!(strip_one_newline("a\n\n".into()), "a\n");
        assert_eq!(strip_one_newline("a".into()), "a");
    }
}
