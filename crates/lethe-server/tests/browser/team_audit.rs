//! A team admin finds who viewed a team secret: Ann makes a team and invites Bob by link; Bob
//! joins; Ann shares "Production credentials" for the team; Bob reveals it, signed in; Ann
//! opens the audit log, picks the team's log and the action "Secret revealed", and reads
//! Bob's address, client and device on the entry, and the team's dashboard says viewed.

use crate::accounts::{open_server, sign_up};
use crate::driver::{Chromedriver, Options};
use crate::e2e::SECRET;
use crate::page::{self, find, goto, text, value, wait_for_js};
use fantoccini::Locator;

#[tokio::test]
async fn a_team_admin_finds_who_viewed_a_team_secret() {
    let s = open_server().await;
    let d = Chromedriver::start().await;
    let ann = d.browser(Options::default()).await;
    sign_up(&ann, &s, "ann@example.com").await;
    goto(&ann, &s.url("/teams")).await;
    find(&ann, "#team-name").await.send_keys("Platform").await.unwrap();
    page::submit(&ann, "#new-team-form", "#team").await;
    let team_id = find(&ann, "#team").await.attr("data-team-id").await.unwrap().unwrap();
    find(&ann, "#invite-email").await.send_keys("bob@example.com").await.unwrap();
    page::submit(&ann, "#invite-form", "#once-value").await;
    let invite = value(&ann, "#once-value").await;
    assert!(invite.contains("/join/"), "{invite}");

    let bob = d.browser(Options::default()).await;
    sign_up(&bob, &s, "bob@example.com").await;
    goto(&bob, &invite).await;
    page::submit(&bob, "#join-form", "#team").await;
    assert_eq!(text(&bob, "#team-role").await, "member");

    goto(&ann, &s.url("/")).await;
    wait_for_js(&ann).await;
    find(&ann, "#name").await.send_keys("Production credentials").await.unwrap();
    find(&ann, "#team").await.select_by_value(&team_id).await.unwrap();
    let (share, _) = page::create_here(&ann, SECRET, None, "86400").await;

    goto(&bob, &share).await;
    wait_for_js(&bob).await;
    page::submit(&bob, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&bob, "#secret-value").await, SECRET);

    // Ann: the audit log, the team's log, only reveals.
    goto(&ann, &s.url("/audit")).await;
    find(&ann, "#log").await.select_by_value(&format!("team:{team_id}")).await.unwrap();
    find(&ann, "#action").await.select_by_value("secret.revealed").await.unwrap();
    page::submit(&ann, "#audit-filters", "#entries").await;
    let rows = ann.c.find_all(Locator::Css("#entries tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1, "one reveal: {}", text(&ann, "#entries").await);
    let row = rows[0].text().await.unwrap();
    for want in ["Secret revealed", "Production credentials", "bob@example.com", "127.0.0.1", "Chrome"] {
        assert!(row.contains(want), "{want} in {row}");
    }
    assert!(!row.contains(SECRET), "never the content");
    // The team's dashboard says it was viewed, by whom.
    goto(&ann, &s.url(&format!("/teams/{team_id}"))).await;
    let viewed = find(&ann, "#secrets tr[data-state=viewed]").await.text().await.unwrap();
    assert!(viewed.contains("Production credentials") && viewed.contains("bob@example.com"), "{viewed}");
}
