//! The dashboard and "require login to view" in the pages: secrets made signed in are listed
//! for their owner only, with status, viewer and share link; filters, search and pages; burning
//! from the list; a signed-in-only secret asks to sign in first and comes back, consuming
//! nothing, and refuses an account not on its list.

use crate::harness::TestServer;
use crate::web::{user, Browser, PASSWORD};
use reqwest::StatusCode;

/// Creates a secret from the page's form as `b`; returns the receipt page's share link.
async fn create(b: &mut Browser<'_>, secret: &str, name: &str, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("secret", secret), ("name", name), ("ttl", "3600")];
    form.extend_from_slice(extra);
    let posted = b.submit("/", &form).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let created = posted.location().to_owned();
    assert!(created.starts_with("/private/") && created.ends_with("?created=1"), "the created page's own address");
    let page = b.get(&created).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let marker = r#"id="share-link" type="text" readonly value=""#;
    let at = page.body.find(marker).expect("the created page") + marker.len();
    page.body[at..].split('"').next().unwrap().to_owned()
}

fn path_of(link: &str) -> &str {
    &link[link.find("/secret/").unwrap()..]
}

#[tokio::test]
async fn the_dashboard_lists_ones_own_secrets_with_their_viewer_and_link() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    user(&s, "bob@example.com").await;
    let mut ann = Browser::new(&s);
    ann.sign_in("ann@example.com", PASSWORD).await;
    let first = create(&mut ann, "db password", "TICKET-1 <b>db</b>", &[]).await;
    s.clock.advance(1);
    let second = create(&mut ann, "vpn key", "TICKET-2 vpn", &[]).await;

    let mut bob = Browser::new(&s);
    bob.sign_in("bob@example.com", PASSWORD).await;
    let req = bob.http_get(path_of(&first)).header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
    bob.send_req(req).await;
    let revealed = bob.submit(path_of(&first), &[]).await;
    assert!(revealed.body.contains("db password"), "{}", revealed.body);
    assert!(bob.get("/dashboard").await.body.contains("No secrets yet"), "bob's dashboard has none of ann's");

    let page = ann.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(
        body.contains("TICKET-1 &#60;b&#62;db&#60;/b&#62;") || body.contains("TICKET-1 &lt;b&gt;"),
        "escaped: {body}"
    );
    assert!(body.find("TICKET-2").unwrap() < body.find("TICKET-1").unwrap(), "newest first");
    assert!(body.contains("bob@example.com"), "the viewer's account");
    assert!(body.contains("127.0.0.1"), "the viewer's address");
    assert!(body.contains(r#"data-state="viewed""#) && body.contains(r#"data-state="new""#));
    assert!(body.contains(&second), "the waiting secret's share link, opened with the session's key pair");
    assert!(!body.contains(&first), "no link for a viewed secret");

    let viewed = ann.get("/dashboard?status=viewed").await.body;
    assert!(viewed.contains("TICKET-1") && !viewed.contains("TICKET-2"));
    let searched = ann.get("/dashboard?q=vpn").await.body;
    assert!(searched.contains("TICKET-2") && !searched.contains("TICKET-1"));
    assert!(ann.get("/dashboard?status=burned").await.body.contains("No secret matches"));

    // Burn from the list; the list says so and shows it burned.
    let marker = "/burn\" class=\"inline\"";
    let at = body.find(marker).expect("a burn button");
    let start = body[..at].rfind("/private/").unwrap();
    let burn_path = body[start..at + 5].to_owned();
    let burned = ann.submit(&burn_path, &[("return_to", "dashboard")]).await;
    assert_eq!(burned.status, StatusCode::SEE_OTHER);
    assert!(burned.location().starts_with("/dashboard?notice="));
    let after = ann.get("/dashboard?status=burned").await.body;
    assert!(after.contains("TICKET-2"), "{after}");
    let gone = Browser::new(&s).get(path_of(&second)).await;
    assert_eq!(gone.status, StatusCode::GONE, "the secret is gone");
}

#[tokio::test]
async fn the_dashboard_pages_through_many_secrets_and_needs_a_session() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    let mut anon = Browser::new(&s);
    let page = anon.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/signin?next=%2Fdashboard");
    let mut ann = Browser::new(&s);
    ann.sign_in("ann@example.com", PASSWORD).await;
    for i in 0..30 {
        create(&mut ann, "s", &format!("item-{i:02}"), &[]).await;
        s.clock.advance(1);
    }
    let first = ann.get("/dashboard").await.body;
    assert_eq!(first.matches("<tr data-short-id").count(), 25);
    assert!(first.contains("item-29") && !first.contains("item-04"));
    let at = first.find(r#"<a href="/dashboard?before="#).expect("a next page") + 9;
    let next = first[at..].split('"').next().unwrap().replace("&amp;", "&");
    let second = ann.get(&next).await.body;
    assert_eq!(second.matches("<tr data-short-id").count(), 5);
    assert!(second.contains("item-04") && second.contains("item-00") && !second.contains("item-05"));
    assert!(!second.contains("id=\"next-page\""));
}

#[tokio::test]
async fn a_signed_in_only_secret_asks_to_sign_in_first_and_refuses_others() {
    let s = TestServer::start().await;
    user(&s, "ann@example.com").await;
    user(&s, "bob@example.com").await;
    user(&s, "eve@example.com").await;
    let mut ann = Browser::new(&s);
    ann.sign_in("ann@example.com", PASSWORD).await;
    let link = create(&mut ann, "for bob only", "handover", &[("allowed_viewers", "bob@example.com")]).await;
    let path = path_of(&link).to_owned();

    let mut visitor = Browser::new(&s);
    let waiting = visitor.get(&path).await;
    assert_eq!(waiting.status, StatusCode::OK);
    assert!(waiting.body.contains("id=\"sign-in-to-view\""), "{}", waiting.body);
    assert!(!waiting.body.contains("id=\"reveal-form\""), "no reveal form before signing in");
    let refused = visitor.post(&path, &[]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "an anonymous reveal is refused");

    let mut eve = Browser::new(&s);
    eve.post("/signin", &[("email", "eve@example.com"), ("password", PASSWORD), ("next", &path)]).await;
    let not_for_eve = eve.submit(&path, &[]).await;
    assert_eq!(not_for_eve.status, StatusCode::FORBIDDEN);
    assert!(not_for_eve.body.contains("meant for someone else"), "{}", not_for_eve.body);

    let back = visitor.post("/signin", &[("email", "bob@example.com"), ("password", PASSWORD), ("next", &path)]).await;
    assert_eq!((back.status, back.location()), (StatusCode::SEE_OTHER, path.as_str()), "back to the secret");
    assert!(visitor.get(&path).await.body.contains("id=\"reveal-form\""));
    let shown = visitor.submit(&path, &[]).await;
    assert!(shown.body.contains("for bob only"), "{}", shown.body);

    let dash = ann.get("/dashboard").await.body;
    assert!(dash.contains("bob@example.com"), "the dashboard names the viewer");
    let receipt_at = dash.find("/private/").unwrap();
    let receipt = dash[receipt_at..].split('"').next().unwrap().to_owned();
    let page = ann.get(&receipt).await.body;
    assert!(page.contains("1 refused attempts") || page.contains("refused"), "eve's attempt is recorded: {page}");
}
