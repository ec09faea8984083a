//! `lethe admin`, run as the real binary: every command with its output and exit codes, on the
//! embedded store (alone, and beside a running `lethe serve` on the same data directory) and
//! on PostgreSQL. No password or key may appear anywhere but the one line that hands the key
//! out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Server;
use lethe_testkit::TestDatabase;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "Tr0ub4dor&3 renewed";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Where `lethe admin` finds the store: `--data-dir DIR` or `--database URL`.
#[derive(Clone, Copy)]
enum Place<'a> {
    Dir(&'a Path),
    Url(&'a str),
}

fn admin(place: Place, args: &[&str], stdin: &str) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("admin");
    match place {
        Place::Dir(d) => cmd.arg("--data-dir").arg(d),
        Place::Url(u) => cmd.arg("--database").arg(u),
    };
    let mut child = cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD), "a password was printed");
    run
}

fn ok(r: Run) -> Run {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

fn fails(r: Run, code: i32, message: &str) {
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains(message), "expected {message:?} in: {}", r.stderr);
}

/// The account line of `list-users` for `email`, split into columns.
fn user_line(place: Place, email: &str) -> Vec<String> {
    let listed = ok(admin(place, &["list-users"], ""));
    let line = listed.stdout.lines().find(|l| l.starts_with(email)).unwrap_or_else(|| panic!("{}", listed.stdout));
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

/// Every command and error path on one store; returns the API key it made (still active).
fn every_command(place: Place) -> String {
    let created =
        ok(admin(place, &["create-user", " Ann@Example.COM", "--admin", "--password-stdin"], &format!("{PASSWORD}\n")));
    assert_eq!(created.stdout.trim(), "created administrator ann@example.com");
    ok(admin(place, &["create-user", "bob@example.com", "--password-stdin"], PASSWORD));

    fails(admin(place, &["create-user", "ann@example.com", "--password-stdin"], PASSWORD), 1, "exists already");
    fails(admin(place, &["create-user", "carol@example.com", "--password-stdin"], "too short\n"), 2, "too short");
    fails(admin(place, &["create-user", "carol", "--password-stdin"], PASSWORD), 2, "exactly one @");
    fails(admin(place, &["create-user", "carol@example.com"], ""), 2, "--password-stdin");
    fails(admin(place, &["disable-user", "nobody@example.com"], ""), 3, "no account has the e-mail address");

    let pw = format!("{PASSWORD}\n");
    let made = ok(admin(
        place,
        &["create-api-key", "ANN@example.com", "CI job", "--expires-in", "30d", "--password-stdin"],
        &pw,
    ));
    let key = made.stdout.trim().to_owned();
    assert!(key.starts_with("lethe_") && key.len() == 62 && !key.contains(' '), "only the key on stdout: {key:?}");
    let key_id = &key[6..18];
    assert!(made.stderr.contains(key_id) && !made.stderr.contains(&key[19..]), "{}", made.stderr);
    assert!(!made.stderr.contains("cannot show"), "{}", made.stderr);
    let plain = ok(admin(place, &["create-api-key", "ann@example.com", "old", "--without-receipts"], ""));
    assert!(plain.stderr.contains("cannot show their links again"), "{}", plain.stderr);
    let second = plain.stdout.trim().to_owned();
    let wrong = "not the password at all\n";
    fails(admin(place, &["create-api-key", "ann@example.com", "x", "--password-stdin"], wrong), 2, "not the password");
    fails(admin(place, &["create-api-key", "ann@example.com", "x"], ""), 2, "--password-stdin");
    fails(admin(place, &["create-api-key", "nobody@example.com", "x", "--password-stdin"], &pw), 3, "no account");
    fails(admin(place, &["create-api-key", "nobody@example.com", "x", "--without-receipts"], ""), 3, "no account");
    fails(admin(place, &["create-api-key", "ann@example.com", "x", "--expires-in", "soon"], ""), 2, "lifetime");

    assert_eq!(user_line(place, "ann@example.com")[1..3], ["yes", "no"], "admin, enabled");
    assert_eq!(user_line(place, "ann@example.com").last().map(String::as_str), Some("2"), "two keys");
    assert_eq!(user_line(place, "bob@example.com")[1..3], ["no", "no"]);

    let listed = ok(admin(place, &["list-api-keys", "ann@example.com"], ""));
    assert!(!listed.stdout.contains(&key[19..]) && !listed.stdout.contains(&second[19..]), "no secret listed");
    let line = listed.stdout.lines().find(|l| l.starts_with(key_id)).expect("the key is listed");
    assert!(line.contains("CI job") && line.ends_with("active"), "{line}");

    let old_id = &second[6..18];
    let revoked = ok(admin(place, &["revoke-api-key", "ann@example.com", old_id], ""));
    assert!(revoked.stdout.contains("revoked"), "{}", revoked.stdout);
    fails(admin(place, &["revoke-api-key", "bob@example.com", old_id], ""), 3, "has no API key");
    fails(admin(place, &["revoke-api-key", "ann@example.com", "not-a-key-id"], ""), 2, "not a key id");
    let listed = ok(admin(place, &["list-api-keys", "ann@example.com"], ""));
    let line = listed.stdout.lines().find(|l| l.starts_with(old_id)).expect("still listed");
    assert!(line.ends_with("revoked"), "{line}");

    ok(admin(place, &["disable-user", "bob@example.com"], ""));
    assert_eq!(user_line(place, "bob@example.com")[2], "yes", "disabled");
    ok(admin(place, &["enable-user", "bob@example.com"], ""));
    assert_eq!(user_line(place, "bob@example.com")[2], "no", "enabled again");

    let reset =
        ok(admin(place, &["reset-password", "bob@example.com", "--password-stdin"], &format!("{NEW_PASSWORD}\n")));
    assert!(reset.stdout.contains("set a new password for bob@example.com"), "{}", reset.stdout);
    assert!(
        reset.stderr.contains("new keyring") && reset.stderr.contains("can no longer be shown"),
        "{}",
        reset.stderr
    );
    assert!(!reset.stdout.contains(NEW_PASSWORD) && !reset.stderr.contains(NEW_PASSWORD));
    fails(admin(place, &["reset-password", "bob@example.com", "--password-stdin"], "short"), 2, "too short");
    fails(admin(place, &["reset-password", "nobody@example.com", "--password-stdin"], NEW_PASSWORD), 3, "no account");

    // Without a password: a one-time link, the only thing on stdout.
    let link = ok(admin(place, &["reset-password", "bob@example.com"], ""));
    let url = link.stdout.trim();
    assert!(
        url.starts_with("http://127.0.0.1:7143/reset/") && url.len() == "http://127.0.0.1:7143/reset/".len() + 43,
        "{url}"
    );
    assert!(link.stderr.contains("working once") && !link.stderr.contains(&url[28..]), "{}", link.stderr);
    fails(admin(place, &["reset-password", "nobody@example.com"], ""), 3, "no account");
    let invite = ok(admin(place, &["create-invite", "carol@example.com", "--expires-in", "2d"], ""));
    let url = invite.stdout.trim();
    assert!(url.starts_with("http://127.0.0.1:7143/signup?invite=") && !url.contains(' '), "{url}");
    assert!(invite.stderr.contains("for carol@example.com") && invite.stderr.contains("shown only this once"));
    let anyone = ok(admin(place, &["create-invite"], ""));
    assert!(anyone.stderr.contains("for anyone who has it"), "{}", anyone.stderr);
    assert_ne!(anyone.stdout, invite.stdout);
    fails(admin(place, &["create-invite", "not-an-address"], ""), 2, "exactly one @");
    let none = ok(admin(place, &["disable-totp", "bob@example.com"], ""));
    assert!(none.stdout.contains("has no two-step sign-in"), "{}", none.stdout);
    fails(admin(place, &["disable-totp", "nobody@example.com"], ""), 3, "no account");
    key
}

#[test]
fn every_command_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = every_command(Place::Dir(&data));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = lethe_store::SqliteStore::open_admin(&data).unwrap();
        what_was_stored(&store, &key).await;
    });
}

/// What the commands stored works as the server will use it: the passwords, the keyrings
/// wrapped under them, and the key with the keyring wrapped under it.
async fn what_was_stored(store: &dyn lethe_store::Store, key: &str) {
    use lethe_core::account::{ApiKey, Email};
    use lethe_core::keyring::{unwrap_with_password, Keyring, WrapKey, WrapPurpose};
    let ann = store.account_by_email(&Email::parse("ann@example.com").unwrap()).await.unwrap().unwrap();
    assert!(ann.password_hash.verify(PASSWORD) && !ann.password_hash.verify(NEW_PASSWORD));
    let ring = ann.keyring.clone().expect("create-user made a keyring");
    let opens = |k: &lethe_store::StoredKeyring, pw: &str| {
        unwrap_with_password(&k.public_key, &k.password_wrap, &k.wrap_salt, &k.wrap_kdf, pw.as_bytes()).is_ok()
    };
    assert!(opens(&ring, PASSWORD) && !opens(&ring, NEW_PASSWORD), "wrapped under the password");
    let bob = store.account_by_email(&Email::parse("bob@example.com").unwrap()).await.unwrap().unwrap();
    assert!(bob.password_hash.verify(NEW_PASSWORD) && !bob.password_hash.verify(PASSWORD), "the reset took");
    let bobs = bob.keyring.expect("a keyring");
    assert!(opens(&bobs, NEW_PASSWORD) && !opens(&bobs, PASSWORD), "the reset made a keyring under the new password");
    assert_ne!(bobs.public_key, ring.public_key);

    let key = ApiKey::parse(key).unwrap();
    let now = lethe_core::clock::Clock::now(&lethe_core::clock::SystemClock);
    let (record, owner) = store.api_key(&key.key_id(), now).await.unwrap().expect("usable");
    assert!(key.matches(&record.key_hash) && owner.id == ann.id);
    assert!(record.expires_at.is_some(), "--expires-in was kept");
    let wrap = record.keyring_wrap.expect("the keyring is wrapped under the key");
    let under = WrapKey::derive(WrapPurpose::ApiKey, key.expose().as_bytes());
    let opened = Keyring::unwrap(&wrap, &under, &ring.public_key).expect("the printed key unwraps it");
    assert_eq!(opened.public(), ring.public_key, "to the account's keyring");
    let keys = store.api_keys(ann.id).await.unwrap();
    assert_eq!(keys.len(), 2, "the refused commands stored no key");
    let plain = keys.iter().find(|k| k.key_id != key.key_id()).expect("the other key");
    assert_eq!(plain.keyring_wrap, None, "--without-receipts stores no wrap");

    // What an operator changed is in the accounts' audit logs, by the operator.
    let log = |id| async move {
        let chain = store.audit_chain(lethe_store::Scope::Account(id), 0, 100).await.unwrap();
        chain.into_iter().map(|r| (r.entry.action, r.entry.actor)).collect::<Vec<_>>()
    };
    let op = || "operator (lethe admin)".to_owned();
    assert_eq!(
        log(ann.id).await,
        [("api_key.created".into(), op()), ("api_key.created".into(), op()), ("api_key.revoked".into(), op())]
    );
    assert_eq!(log(bob.id).await, [("account.password_changed".into(), op())], "the link alone changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_while_the_server_runs_on_the_same_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path()).await;
    let key = every_command(Place::Dir(dir.path()));
    // The server kept serving, and writing, beside the administration commands.
    let client = common::client();
    let shared = client.post(server.url("/api/v1/share")).form(&[("secret", "still here")]).send().await.unwrap();
    assert!(shared.status().is_success(), "{}", shared.status());
    let health = client.get(server.url("/healthz")).send().await.unwrap();
    assert!(health.status().is_success());
    assert!(!server.log().contains(&key) && !server.log().contains(PASSWORD), "nothing secret in the server's log");
    drop(server);
    // Once the server is gone the accounts are still there.
    assert_eq!(user_line(Place::Dir(dir.path()), "ann@example.com")[1], "yes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_on_postgresql() {
    let db = TestDatabase::create().await;
    let url = db.url.clone();
    let key = tokio::task::spawn_blocking(move || every_command(Place::Url(&url))).await.unwrap();
    let location = lethe_store::StoreLocation::parse(&db.url).unwrap();
    let store = lethe_store::open(&lethe_store::StoreConfig::new(location)).await.unwrap();
    what_was_stored(&*store, &key).await;
}

/// Runs `lethe admin --data-dir DIR ARGS` on a pseudo-terminal (util-linux's `script`),
/// answering each prompt once it has appeared; the exit code and everything shown. Fails if
/// an answer was echoed.
fn on_terminal(dir: &Path, args: &str, answers: &[(&str, &str)]) -> (i32, String) {
    use std::io::Read;
    let command = format!("{} admin --data-dir {} {args}", env!("CARGO_BIN_EXE_lethe"), dir.display());
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("LETHE_DATA_DIR")
        .env_remove("LETHE_DATABASE_URL")
        .env_remove("LETHE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs (it provides the terminal)");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    for (prompt, answer) in answers {
        while !seen.contains(prompt) {
            let mut buf = [0u8; 256];
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "the command ended before asking {prompt:?}: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        // rpassword writes the prompt, then turns echo off: give it that moment (the one
        // pause here; a person types long after it).
        std::thread::sleep(std::time::Duration::from_millis(500));
        writeln!(stdin, "{answer}").unwrap();
    }
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    seen.push_str(&rest);
    let code = child.wait().unwrap().code().unwrap_or(-1);
    for (_, answer) in answers {
        assert!(!seen.contains(answer), "the password was echoed: {seen}");
    }
    (code, seen)
}

/// Without `--password-stdin`, `create-user` asks twice on the terminal, without echo, and
/// refuses two different answers.
#[test]
fn the_password_is_asked_twice_on_a_terminal_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    let converse = |email: &str, second: &str| {
        let answers = [("New password (hidden): ", PASSWORD), ("The same password again: ", second)];
        on_terminal(dir.path(), &format!("create-user {email}"), &answers)
    };
    let (code, out) = converse("tty@example.com", PASSWORD);
    assert!(code == 0 && out.contains("created account tty@example.com"), "{code}: {out}");
    let (code, out) = converse("typo@example.com", NEW_PASSWORD);
    assert!(code == 2 && out.contains("the two passwords differ"), "{code}: {out}");
    assert!(!ok(admin(Place::Dir(dir.path()), &["list-users"], "")).stdout.contains("typo@example.com"));
}

/// Without `--password-stdin` or `--without-receipts`, `create-api-key` asks for the account's
/// password once on the terminal, without echo, and a wrong one makes no key.
#[test]
fn create_api_key_asks_for_the_account_password_on_a_terminal_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    ok(admin(Place::Dir(dir.path()), &["create-user", "tty@example.com", "--password-stdin"], PASSWORD));
    let prompt = "Password of tty@example.com (hidden): ";
    let (code, out) = on_terminal(dir.path(), "create-api-key tty@example.com CI", &[(prompt, "a wrong password")]);
    assert!(code == 2 && out.contains("not the password of tty@example.com"), "{code}: {out}");
    let (code, out) = on_terminal(dir.path(), "create-api-key tty@example.com CI", &[(prompt, PASSWORD)]);
    assert!(code == 0 && out.contains("lethe_"), "{code}: {out}");
    assert_eq!(user_line(Place::Dir(dir.path()), "tty@example.com").last().map(String::as_str), Some("1"), "one key");
}
