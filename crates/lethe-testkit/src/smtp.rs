//! A real SMTP server for the mail tests: aiosmtpd (from [`crate::python`]) running
//! `smtp_sink.py` on a free loopback port, with STARTTLS or implicit TLS on a certificate made
//! for the test, optional AUTH, and 451 answers to the first messages if asked. Every message
//! it accepts is saved in its temporary directory and read back, parsed, by
//! [`SmtpSink::messages`]. The server stops when the sink is dropped (or, should the test
//! process die, when its stdin closes). Every wait is bounded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = include_str!("smtp_sink.py");
/// How long the sink may take to start (Python and aiosmtpd import in well under that).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How the sink behaves.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    /// Offer STARTTLS and require it before MAIL.
    pub starttls: bool,
    /// TLS from the first byte (SMTPS); takes precedence over `starttls`.
    pub implicit_tls: bool,
    /// Require AUTH with this user name and password.
    pub require_auth: Option<(String, String)>,
    /// Answer `451` to this many messages before accepting any.
    pub fail_first: usize,
}

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope: MAIL FROM and RCPT TO.
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The data as received.
    pub raw: Vec<u8>,
    /// The top-level headers, names lower-cased, raw values (folding left in).
    pub headers: HashMap<String, String>,
    /// The decoded Subject.
    pub subject: String,
    /// The raw To header, trimmed.
    pub to: String,
    /// The decoded text/plain and text/html parts, if any.
    pub text: Option<String>,
    pub html: Option<String>,
}

impl ReceivedMail {
    /// A top-level header's raw value, trimmed (the name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(|v| v.trim())
    }

    /// The whole message as text (for "does it appear anywhere" checks).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    fn parse(mail_from: String, rcpt_to: Vec<String>, raw: Vec<u8>) -> ReceivedMail {
        let parsed =
            mail_parser::MessageParser::default().parse(&raw[..]).expect("the sink saved an unparsable message");
        let headers = parsed.headers_raw().map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
        let mut text = None;
        let mut html = None;
        for part in &parsed.parts {
            match &part.body {
                mail_parser::PartType::Text(t) if text.is_none() => text = Some(t.to_string()),
                mail_parser::PartType::Html(h) if html.is_none() => html = Some(h.to_string()),
                _ => {}
            }
        }
        let subject = parsed.subject().unwrap_or_default().to_owned();
        let to = parsed.header_raw("To").unwrap_or_default().trim().to_owned();
        ReceivedMail { mail_from, rcpt_to, headers, subject, to, text, html, raw }
    }
}

/// The running sink; stopped on drop.
pub struct SmtpSink {
    child: Child,
    /// Held open: the sink stops when it closes.
    _stdin: ChildStdin,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts a sink and waits (bounded) until it accepts connections; panics with the reason
    /// if it cannot.
    pub fn start(options: SinkOptions) -> SmtpSink {
        let python = crate::python::python();
        let dir = tempfile::tempdir().expect("temporary directory for the SMTP sink");
        let script = dir.path().join("smtp_sink.py");
        std::fs::write(&script, SCRIPT).expect("writing smtp_sink.py");
        let mail_dir = dir.path().join("mail");
        std::fs::create_dir(&mail_dir).expect("mail directory");
        write_certificate(dir.path());
        let mut cmd = Command::new(python);
        cmd.arg(&script).arg("--dir").arg(&mail_dir);
        cmd.arg("--cert").arg(dir.path().join("cert.pem")).arg("--key").arg(dir.path().join("key.pem"));
        if options.implicit_tls {
            cmd.arg("--implicit-tls");
        } else if options.starttls {
            cmd.arg("--starttls");
        }
        cmd.arg("--fail-first").arg(options.fail_first.to_string());
        if let Some((user, pass)) = &options.require_auth {
            cmd.env("SINK_AUTH_USER", user).env("SINK_AUTH_PASS", pass);
        }
        let stderr = std::fs::File::create(dir.path().join("stderr.log")).expect("sink log");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("cannot start the SMTP sink (python)");
        let stdin = child.stdin.take().expect("sink stdin");
        let stdout = child.stdout.take().expect("sink stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut sink = SmtpSink { child, _stdin: stdin, port: 0, dir };
        let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
        sink.port = line.trim().parse().unwrap_or_else(|_| panic!("the SMTP sink did not start: {}", sink.log()));
        sink.wait_until_listening();
        sink
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&self.addr(), Duration::from_secs(1)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP sink does not accept connections: {}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The host to connect to: `127.0.0.1`, which the certificate names (as does `localhost`).
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The PEM certificate the sink's TLS uses, to trust as a root (`--smtp-ca-file`).
    pub fn ca_pem_path(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// What the sink wrote on stderr (aiosmtpd's warnings, a Python traceback).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mail_dir = self.dir.path().join("mail");
        let mut stems: Vec<PathBuf> = std::fs::read_dir(&mail_dir)
            .expect("the sink's mail directory")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        stems.sort();
        stems.iter().map(|json| read_message(json)).collect()
    }

    /// The messages once there are at least `n`; panics if `timeout` passes first.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink has {} messages, not {n}, after {timeout:?}: {}",
                messages.len(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(json: &Path) -> ReceivedMail {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("envelope file")).expect("envelope JSON");
    let raw = std::fs::read(json.with_extension("eml")).expect("message file");
    let mail_from = meta["mail_from"].as_str().unwrap_or_default().to_owned();
    let rcpt_to = meta["rcpt_tos"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    ReceivedMail::parse(mail_from, rcpt_to, raw)
}

/// A self-signed certificate for `localhost` and 127.0.0.1, as `cert.pem` and `key.pem`.
fn write_certificate(dir: &Path) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("generating the sink's certificate");
    std::fs::write(dir.join("cert.pem"), certified.cert.pem()).expect("cert.pem");
    std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem()).expect("key.pem");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Speaks just enough SMTP by hand to check the sink saves what it is sent.
    #[test]
    fn the_sink_saves_what_it_accepts_and_refuses_the_first_if_asked() {
        let sink = SmtpSink::start(SinkOptions { fail_first: 1, ..Default::default() });
        let mut s = TcpStream::connect(("127.0.0.1", sink.port())).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut say = |line: &str| -> String {
            if !line.is_empty() {
                s.write_all(line.as_bytes()).unwrap();
            }
            // Until the reply's last line ("250 …", not "250-…").
            let mut reply = String::new();
            while !reply.ends_with("\r\n") || reply.lines().last().is_some_and(|l| l.as_bytes().get(3) == Some(&b'-')) {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "the sink closed the connection after: {reply}");
                reply.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
            reply
        };
        assert!(say("").starts_with("220"));
        assert!(say("EHLO test\r\n").starts_with("250"));
        for expected in ["451", "250"] {
            assert!(say("MAIL FROM:<a@example.com>\r\n").starts_with("250"));
            assert!(say("RCPT TO:<b@example.com>\r\n").starts_with("250"));
            assert!(say("DATA\r\n").starts_with("354"));
            let answer = say("Subject: Hi\r\nTo: b@example.com\r\n\r\nHello\r\n.\r\n");
            assert!(answer.starts_with(expected), "{answer}");
        }
        let got = sink.wait_for(1, Duration::from_secs(5));
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].mail_from.as_str(), got[0].rcpt_to.clone()),
            ("a@example.com", vec!["b@example.com".to_owned()])
        );
        assert_eq!((got[0].subject.as_str(), got[0].to.as_str()), ("Hi", "b@example.com"));
        assert_eq!(got[0].text.as_deref().map(str::trim), Some("Hello"));
    }
}
