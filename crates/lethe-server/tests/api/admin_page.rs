//! The administrators' page: only administrators see it; it lists every account, disables
//! and enables one (ending its sessions), never one's own, and makes invitation links.

use crate::harness::TestServer;
use crate::web::{user, user_with, Browser, PASSWORD};
use reqwest::StatusCode;

#[tokio::test]
async fn only_administrators_list_disable_and_invite() {
    let s = TestServer::start().await;
    let root = user_with(&s, "root@example.com", true).await;
    let bob = user(&s, "bob@example.com").await;
    let mut anon = Browser::new(&s);
    assert_eq!(anon.get("/admin").await.location(), "/signin?next=%2Fadmin");
    let mut b = Browser::new(&s);
    b.sign_in("bob@example.com", PASSWORD).await;
    assert_eq!(b.get("/admin").await.status, StatusCode::UNAUTHORIZED, "a member is refused");
    assert!(!b.get("/account").await.body.contains("id=\"nav-admin\""));
    let refused = b.submit(&format!("/admin/accounts/{root}/disable"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(!s.secrets.store().account(root).await.unwrap().unwrap().disabled);

    let mut a = Browser::new(&s);
    a.sign_in("root@example.com", PASSWORD).await;
    let page = a.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"nav-admin\""));
    assert!(page.body.contains("root@example.com") && page.body.contains("bob@example.com"));
    let own = a.submit(&format!("/admin/accounts/{root}/disable"), &[]).await;
    assert!(own.location().contains("cannot%20disable%20your%20own"), "{}", own.location());
    let off = a.submit(&format!("/admin/accounts/{bob}/disable"), &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(s.secrets.store().account(bob).await.unwrap().unwrap().disabled);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER, "bob's session ended");
    assert_eq!(Browser::new(&s).sign_in("bob@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    a.submit(&format!("/admin/accounts/{bob}/enable"), &[]).await;
    assert_eq!(Browser::new(&s).sign_in("bob@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);

    let made = a.submit("/admin/invites", &[("email", "carol@example.com")]).await;
    let at = made.body.find("/signup?invite=").expect("an invitation link") + "/signup?invite=".len();
    let token = made.body[at..at + 43].to_owned();
    let mut carol = Browser::new(&s);
    let form = [("email", "carol@example.com"), ("password", PASSWORD), ("password2", PASSWORD), ("invite", &token)];
    assert_eq!(carol.post("/signup", &form).await.status, StatusCode::SEE_OTHER, "the page's invitation works");
}
