//! Tests of the mail templates: what each says, that HTML is escaped, that no body is empty.

use super::*;

const LINK: &str = "https://secrets.example.com/secret/abc123#key=K3y&x=1";

#[test]
fn a_link_mail_holds_the_sender_the_note_the_link_and_when_it_expires() {
    let r = link_mail("ann@example.com", Some("  The VPN password, as promised  "), LINK, "in 7 days").unwrap();
    assert_eq!(r.subject, "ann@example.com sent you a secret");
    for body in [&r.text, &r.html] {
        assert!(body.contains("ann@example.com sent you a secret with Lethe") || body.contains("sent you a secret"));
        assert!(body.contains("The VPN password, as promised"), "{body}");
        assert!(body.contains("expires in 7 days") && body.contains("works once"), "{body}");
    }
    assert!(r.text.contains(LINK), "the text part has the link as is:\n{}", r.text);
    assert!(r.html.contains(&LINK.replace('&', "&#38;")), "{}", r.html);
    let plain = link_mail("Ann", None, LINK, "in 1 day").unwrap();
    assert!(!plain.text.contains("Their note") && !plain.html.contains("Their note"));
}

#[test]
fn html_escapes_everything_a_caller_passes() {
    let evil = "<script>alert(1)</script>";
    let r = link_mail(evil, Some(evil), "https://x.example/\"><b>", "in 1 day").unwrap();
    assert!(!r.html.contains("<script>") && r.html.contains("&#60;script&#62;"), "{}", r.html);
    assert!(!r.html.contains("\"><b>"), "{}", r.html);
    let n =
        notification(NotifyEvent::Burned, "abc", Some(evil), "now", Some(evil), "https://r/", "https://u/").unwrap();
    assert!(!n.html.contains("<script>"), "{}", n.html);
    let i = team_invite(evil, evil, "https://j/", "in 7 days").unwrap();
    let d = new_device(evil, "192.0.2.1", "now", "https://s/").unwrap();
    assert!(!i.html.contains("<script>") && !d.html.contains("<script>"));
}

#[test]
fn every_event_has_its_own_wording_and_names_the_secret_by_id_and_name() {
    let mut subjects = Vec::new();
    for event in NotifyEvent::ALL {
        assert_eq!(NotifyEvent::parse(event.name()), Some(event));
        let r = notification(
            event,
            "k7f2",
            Some("db root"),
            "2026-05-03 14:05 UTC",
            Some("bob@example.com"),
            "https://l/receipt/r1",
            "https://l/u/t1",
        )
        .unwrap();
        assert!(r.subject.contains("k7f2 (db root)"), "{}", r.subject);
        for body in [&r.text, &r.html] {
            assert!(body.contains("on 2026-05-03 14:05 UTC") && body.contains("https://l/receipt/r1"), "{body}");
            assert!(body.contains("https://l/u/t1"), "the unsubscribe link is in the body too: {body}");
        }
        subjects.push(r.subject);
    }
    subjects.dedup();
    assert_eq!(subjects.len(), NotifyEvent::ALL.len());
    let viewed = notification(NotifyEvent::Revealed, "k7f2", None, "t", None, "r", "u").unwrap();
    assert_eq!(viewed.subject, "Your secret k7f2 was viewed");
    let late = notification(NotifyEvent::OpenedAfterEnd, "k7f2", None, "t", None, "r", "u").unwrap();
    assert!(late.text.contains("intercepted"), "{}", late.text);
    assert!(NotifyEvent::parse("secret.created").is_none());
}

#[test]
fn the_account_mails_carry_their_links() {
    let v = verify_address("https://l/verify/v1").unwrap();
    let p = password_reset("https://l/reset/p1", "in 24 hours").unwrap();
    let t = team_invite("Ops", "ann@example.com", "https://l/join/t1", "in 7 days").unwrap();
    let d = new_device("Firefox on Linux", "192.0.2.7", "2026-05-03 14:05 UTC", "https://l/account#sessions").unwrap();
    for (r, link) in [
        (&v, "https://l/verify/v1"),
        (&p, "https://l/reset/p1"),
        (&t, "https://l/join/t1"),
        (&d, "https://l/account#sessions"),
    ] {
        assert!(r.text.contains(link) && r.html.contains(link), "{}", r.text);
        assert!(!r.subject.is_empty() && r.html.starts_with("<!DOCTYPE html>"));
    }
    assert!(p.text.contains("in 24 hours") && t.subject.contains("Ops") && d.text.contains("Firefox on Linux"));
    let test = test_mail().unwrap();
    assert_eq!(test.subject, "Lethe test message");
    assert!(test.text.contains("test message"));
}

#[test]
fn lifetimes_read_as_people_say_them() {
    assert_eq!(expires_in(7 * 86_400), "in 7 days");
    assert_eq!(expires_in(86_400), "in 24 hours");
    assert_eq!(expires_in(3_600), "in 60 minutes");
    assert_eq!(expires_in(90), "in 1 minute");
    assert_eq!(expires_in(-5), "in 1 minute");
}
