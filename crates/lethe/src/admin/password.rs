//! Reading an account password: a new one from the terminal, hidden and asked twice so a typo
//! does not lock the owner out, or the current one (to unwrap the account's keyring), hidden
//! and asked once; either as the first line of stdin instead (`--password-stdin`, for
//! scripts). A new password's rules (length) are checked here, before anything is hashed or
//! stored.

use super::usage;
use crate::cli::output::Failure;
use lethe_core::account::Password;
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroizing;

/// The new password, checked against the length rules.
pub fn read(from_stdin: bool) -> Result<Password, Failure> {
    let text = if from_stdin { first_line()? } else { prompt_twice()? };
    Password::new(text).map_err(|e| usage(e.to_string()))
}

/// The account's current password, as typed (checked by unwrapping the keyring with it).
pub fn read_current(from_stdin: bool, email: &str) -> Result<Zeroizing<String>, Failure> {
    if from_stdin {
        return first_line();
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "no terminal to ask for the account's password on: pass it on stdin with --password-stdin, \
             or make the key --without-receipts",
        ));
    }
    rpassword::prompt_password(format!("Password of {email} (hidden): "))
        .map(Zeroizing::new)
        .map_err(|e| usage(format!("cannot read the password from the terminal: {e}")))
}

fn first_line() -> Result<Zeroizing<String>, Failure> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| usage(format!("cannot read the password from stdin: {e}")))?;
    let text = line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(&line);
    Ok(Zeroizing::new(text.to_owned()))
}

fn prompt_twice() -> Result<Zeroizing<String>, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(usage("no terminal to ask for the password on: pass it on stdin with --password-stdin"));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| usage(format!("cannot read the password from the terminal: {e}")))
    };
    let first = ask("New password (hidden): ")?;
    let second = ask("The same password again: ")?;
    if first != second {
        return Err(usage("the two passwords differ; nothing was changed"));
    }
    Ok(first)
}
