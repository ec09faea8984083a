//! Teams in the pages: a team made by its owner, invite links accepted by other accounts (and
//! refused for another address), the rules of roles and removals (admins never touch owners,
//! a team keeps its last owner), outsiders told nothing, and every change in the team's audit
//! chain with its actor and fields.

use crate::harness::TestServer;
use crate::web::{user, Browser, Page, PASSWORD};
use lethe_store::{AuditRecord, Scope};
use reqwest::StatusCode;

/// A team made by `b` named `name`: its id.
pub async fn make_team(b: &mut Browser<'_>, name: &str) -> i64 {
    let made = b.submit("/teams", &[("name", name)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let path = made.location().strip_prefix("/teams/").expect("the team's page").to_owned();
    path.split('?').next().unwrap().parse().unwrap()
}

/// The value shown once on a team page (an invite link, a key).
pub fn once(page: &Page) -> String {
    let marker = r#"id="once-value" type="text" readonly value=""#;
    let at = page.body.find(marker).unwrap_or_else(|| panic!("shown once: {}", page.body)) + marker.len();
    page.body[at..].split('"').next().unwrap().to_owned()
}

/// An invite link's path, made by `b` for `role` (bound to `email` if not empty).
pub async fn invite(b: &mut Browser<'_>, team: i64, role: &str, email: &str) -> String {
    let page = b.submit(&format!("/teams/{team}/invite"), &[("role", role), ("email", email)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let link = once(&page);
    link[link.find("/join/").expect("a join link")..].to_owned()
}

/// A signed-in browser for a new account `email`.
pub async fn member<'a>(s: &'a TestServer, email: &str) -> (i64, Browser<'a>) {
    let id = user(s, email).await;
    let mut b = Browser::new(s);
    b.sign_in(email, PASSWORD).await;
    (id, b)
}

/// The team's audit chain.
pub async fn chain(s: &TestServer, team: i64) -> Vec<AuditRecord> {
    s.secrets.store().audit_chain(Scope::Team(team), 0, 100).await.unwrap()
}

fn actions(chain: &[AuditRecord]) -> Vec<&str> {
    chain.iter().map(|r| r.entry.action.as_str()).collect()
}

#[tokio::test]
async fn a_team_is_joined_by_invite_and_its_roles_follow_the_rules() {
    let s = TestServer::start().await;
    let (ann_id, mut ann) = member(&s, "ann@example.com").await;
    let (_, mut bob) = member(&s, "bob@example.com").await;
    let (carol_id, mut carol) = member(&s, "carol@example.com").await;
    let (_, mut dave) = member(&s, "dave@example.com").await;
    let team = make_team(&mut ann, "Ops <team>").await;
    let page = ann.get(&format!("/teams/{team}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ops &#60;team&#62;") || page.body.contains("Ops &lt;team&gt;"), "escaped");
    assert!(page.body.contains(r#"id="team-role">owner"#));
    assert!(ann.get("/teams").await.body.contains(&format!("/teams/{team}")), "listed in /teams");

    // An invite bound to bob's address: shown to anyone, refused for carol, taken by bob.
    let for_bob = invite(&mut ann, team, "admin", "bob@example.com").await;
    let shown = Browser::new(&s).get(&for_bob).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Ops") && shown.body.contains("/signin?next=/join/"), "{}", shown.body);
    let wrong = carol.submit(&for_bob, &[]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
    assert!(wrong.body.contains("another e-mail address"), "{}", wrong.body);
    let anonymous = Browser::new(&s).post(&for_bob, &[]).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/signin?next="), "signed out: sent to sign in");
    let joined = bob.submit(&for_bob, &[]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert!(joined.location().starts_with(&format!("/teams/{team}")));
    let used = carol.submit(&for_bob, &[]).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND, "used once");

    let anyone = invite(&mut ann, team, "member", "").await;
    assert_eq!(carol.submit(&anyone, &[]).await.status, StatusCode::SEE_OTHER);

    // Outsiders see nothing of the team.
    let outside = dave.get(&format!("/teams/{team}")).await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    assert!(!outside.body.contains("Ops") && !outside.body.contains("carol@"), "no data leaks");
    assert_eq!(
        dave.submit(&format!("/teams/{team}/invite"), &[("role", "member")]).await.status,
        StatusCode::NOT_FOUND
    );
    let member_page = carol.get(&format!("/teams/{team}")).await;
    assert!(!member_page.body.contains("invite-form"), "members do not manage");
    assert_eq!(
        carol.submit(&format!("/teams/{team}/invite"), &[("role", "member")]).await.status,
        StatusCode::FORBIDDEN
    );

    // Admins manage members and admins, never owners.
    let on_owner = bob.submit(&format!("/teams/{team}/members/{ann_id}/role"), &[("role", "member")]).await;
    assert_eq!(on_owner.status, StatusCode::FORBIDDEN, "{}", on_owner.body);
    assert_eq!(bob.submit(&format!("/teams/{team}/members/{ann_id}/remove"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.submit(&format!("/teams/{team}/invite"), &[("role", "owner")]).await.status, StatusCode::FORBIDDEN);
    let promote = bob.submit(&format!("/teams/{team}/members/{carol_id}/role"), &[("role", "owner")]).await;
    assert_eq!(promote.status, StatusCode::FORBIDDEN, "only owners make owners");
    let promoted = bob.submit(&format!("/teams/{team}/members/{carol_id}/role"), &[("role", "admin")]).await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER, "{}", promoted.body);

    // The last owner stays.
    let leave = ann.submit(&format!("/teams/{team}/leave"), &[]).await;
    assert_eq!(leave.status, StatusCode::CONFLICT, "{}", leave.body);
    assert!(leave.body.contains("A team needs an owner"), "{}", leave.body);
    let demote = ann.submit(&format!("/teams/{team}/members/{ann_id}/role"), &[("role", "admin")]).await;
    assert_eq!(demote.status, StatusCode::CONFLICT);

    // Removed, carol is an outsider.
    assert_eq!(
        ann.submit(&format!("/teams/{team}/members/{carol_id}/remove"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(carol.get(&format!("/teams/{team}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bob.submit(&format!("/teams/{team}/leave"), &[]).await.status, StatusCode::SEE_OTHER);

    let chain = chain(&s, team).await;
    assert_eq!(
        actions(&chain),
        [
            "team.created",
            "team.member_invited",
            "team.member_joined",
            "team.member_invited",
            "team.member_joined",
            "team.role_changed",
            "team.member_removed",
            "team.member_removed",
        ]
    );
    let created = &chain[0].entry;
    assert_eq!((created.actor.as_str(), created.resource_id.as_str()), ("ann@example.com", team.to_string().as_str()));
    assert_eq!(created.resource_type, "team");
    let invited = &chain[1].entry;
    let detail: serde_json::Value = serde_json::from_str(&invited.detail).unwrap();
    assert_eq!(detail["role"], "admin");
    assert_eq!(detail["bound_to"], "b*****@e*****.com", "the bound address obscured");
    let token = for_bob.trim_start_matches("/join/");
    assert!(chain.iter().all(|r| !r.entry.detail.contains(token)), "never the token");
    let joined = &chain[2].entry;
    assert_eq!((joined.actor.as_str(), joined.resource_id.as_str()), ("bob@example.com", "bob@example.com"));
    let changed = &chain[5].entry;
    assert_eq!((changed.actor.as_str(), changed.resource_id.as_str()), ("bob@example.com", "carol@example.com"));
    let detail: serde_json::Value = serde_json::from_str(&changed.detail).unwrap();
    assert_eq!((detail["old_role"].as_str(), detail["new_role"].as_str()), (Some("member"), Some("admin")));
    let removed: serde_json::Value = serde_json::from_str(&chain[6].entry.detail).unwrap();
    assert_eq!((removed["role"].as_str(), removed["reason"].as_str()), (Some("admin"), Some("removed")));
    let left: serde_json::Value = serde_json::from_str(&chain[7].entry.detail).unwrap();
    assert_eq!(left["reason"], "left");
    assert!(chain.iter().all(|r| r.entry.client_addr == "127.0.0.1"), "the request's address");
}

#[tokio::test]
async fn settings_rename_and_delete_are_for_managers_and_owners() {
    let s = TestServer::start().await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let (_, mut bob) = member(&s, "bob@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    let link = invite(&mut ann, team, "member", "").await;
    bob.submit(&link, &[]).await;
    let settings = [("max_ttl", "3600"), ("require_passphrase", "on"), ("audit_retention_days", "30")];
    assert_eq!(bob.submit(&format!("/teams/{team}/settings"), &settings).await.status, StatusCode::FORBIDDEN);
    let saved = ann.submit(&format!("/teams/{team}/settings"), &settings).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let t = s.secrets.store().team(team).await.unwrap().unwrap();
    assert_eq!(
        (t.settings.max_ttl, t.settings.require_passphrase, t.settings.require_sign_in),
        (Some(3600), true, false)
    );
    assert_eq!(t.settings.audit_retention_days, Some(30));
    let bad = ann.submit(&format!("/teams/{team}/settings"), &[("max_ttl", "5")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        ann.submit(&format!("/teams/{team}/rename"), &[("name", "Platform")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(s.secrets.store().team(team).await.unwrap().unwrap().name, "Platform");
    assert_eq!(bob.submit(&format!("/teams/{team}/delete"), &[("confirm", "on")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ann.submit(&format!("/teams/{team}/delete"), &[]).await.status, StatusCode::BAD_REQUEST, "unconfirmed");
    assert_eq!(ann.submit(&format!("/teams/{team}/delete"), &[("confirm", "on")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(ann.get(&format!("/teams/{team}")).await.status, StatusCode::NOT_FOUND);

    let chain = chain(&s, team).await;
    let settings = chain.iter().find(|r| r.entry.action == "team.settings_changed").unwrap();
    let detail: serde_json::Value = serde_json::from_str(&settings.entry.detail).unwrap();
    assert_eq!(detail["changed"], serde_json::json!(["max_ttl", "require_passphrase", "audit_retention_days"]));
    assert_eq!(detail["new_max_ttl"], 3600);
    assert_eq!(settings.entry.actor, "ann@example.com");
    let last = chain.last().unwrap();
    assert_eq!((last.entry.action.as_str(), last.entry.actor.as_str()), ("team.deleted", "ann@example.com"));
    assert_eq!(last.entry.resource_name, "Platform", "the log outlives the team");
}
