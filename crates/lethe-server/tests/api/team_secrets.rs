//! Team secrets: created for a team through the form, API v2 and a team API key, listed on the
//! team's dashboard for its members (without the link, except for the creator) and for nobody
//! else; the team's settings refuse a lifetime above its limit and a missing passphrase, and
//! make viewers sign in; a team key stops working when its maker leaves.

use crate::harness::{Reply, TestServer};
use crate::teams::{chain, invite, make_team, member, once};
use crate::web::Browser;
use reqwest::StatusCode;
use serde_json::json;

async fn conceal(s: &TestServer, key: &str, body: serde_json::Value) -> Reply {
    Reply::from(s.http.post(s.url("/api/v2/conceal")).bearer_auth(key).json(&body).send().await.unwrap()).await
}

async fn personal_key(b: &mut Browser<'_>) -> String {
    let made = b.submit("/account/keys", &[("name", "cli"), ("expires_in", "")]).await;
    let marker = r#"id="new-key" type="text" readonly value=""#;
    let at = made.body.find(marker).unwrap() + marker.len();
    made.body[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn team_secrets_are_on_the_team_dashboard_for_members_only() {
    let s = TestServer::start().await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let (_, mut bob) = member(&s, "bob@example.com").await;
    let (_, mut carol) = member(&s, "carol@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    let link = invite(&mut ann, team, "member", "").await;
    bob.submit(&link, &[]).await;

    let form = ann.get("/").await;
    assert!(form.body.contains(r#"<select id="team" name="team""#) && form.body.contains("Team Ops"), "Create for");
    assert!(!carol.get("/").await.body.contains(r#"id="team""#), "no choice without a team");
    let team_text = team.to_string();
    let made = ann
        .submit("/", &[("secret", "db password"), ("name", "TEAM-FORM"), ("ttl", "3600"), ("team", &team_text)])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);

    let key = personal_key(&mut bob).await;
    let r = conceal(&s, &key, json!({"secret": "vpn key", "name": "TEAM-V2", "team": team})).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let bob_link = r.str("share_url").to_owned();
    let r = conceal(&s, &key, json!({"secret": "mine", "name": "BOB-PERSONAL"})).await;
    assert_eq!(r.status, 201);

    let for_bob = bob.get(&format!("/teams/{team}")).await.body;
    assert!(for_bob.contains("TEAM-FORM") && for_bob.contains("TEAM-V2"), "{for_bob}");
    assert!(!for_bob.contains("BOB-PERSONAL"), "personal secrets stay personal");
    assert!(for_bob.contains("Link kept by its creator"), "ann's secret without its link");
    assert!(for_bob.contains(&bob_link), "bob's own link, opened with his key pair");
    let for_ann = ann.get(&format!("/teams/{team}?q=v2")).await.body;
    assert!(for_ann.contains("TEAM-V2") && !for_ann.contains("TEAM-FORM"), "filtered by name");
    assert!(!for_ann.contains(&bob_link), "not bob's link");
    assert!(for_ann.contains("bob@example.com"), "the creator is shown");
    let viewed = ann.get(&format!("/teams/{team}?status=viewed")).await.body;
    assert!(viewed.contains("No secret matches"), "{viewed}");

    let outsider = carol.get(&format!("/teams/{team}")).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    assert!(!outsider.body.contains("TEAM-FORM"));
    let carol_key = personal_key(&mut carol).await;
    let r = conceal(&s, &carol_key, json!({"secret": "x", "team": team})).await;
    assert_eq!(r.status, 400, "not a member: {:?}", r.json);
    assert!(s.secrets.store().recent("carol@example.com", 10).await.unwrap().is_empty(), "nothing stored");
}

#[tokio::test]
async fn team_settings_are_enforced_on_every_create() {
    let s = TestServer::start().await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    let settings = [("max_ttl", "3600"), ("require_passphrase", "on"), ("require_sign_in", "on")];
    assert_eq!(ann.submit(&format!("/teams/{team}/settings"), &settings).await.status, StatusCode::SEE_OTHER);
    let team_text = team.to_string();

    let long = ann.submit("/", &[("secret", "x"), ("ttl", "7200"), ("passphrase", "pw"), ("team", &team_text)]).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.body);
    assert!(long.body.contains("at most 3600 seconds"), "{}", long.body);
    let bare = ann.submit("/", &[("secret", "x"), ("ttl", "600"), ("team", &team_text)]).await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert!(bare.body.contains("need a passphrase"), "{}", bare.body);

    let key = personal_key(&mut ann).await;
    let r = conceal(&s, &key, json!({"secret": "x", "ttl": 86400, "passphrase": "pw", "team": team})).await;
    assert_eq!(r.status, 400);
    assert!(r.json["detail"].as_str().unwrap().contains("3600"), "{:?}", r.json);
    let r = conceal(&s, &key, json!({"secret": "x", "team": team})).await;
    assert_eq!(r.status, 400, "no passphrase");
    let e2e = json!({"ciphertext": "AAAA", "team": team});
    assert_eq!(conceal(&s, &key, e2e).await.status, 400, "an end-to-end create without a passphrase either");
    assert!(s.secrets.store().recent("ann@example.com", 10).await.unwrap().is_empty(), "nothing stored");

    let r = conceal(&s, &key, json!({"secret": "x", "passphrase": "pw", "team": team})).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    assert_eq!(r.json["ttl"], 3600, "the default cut to the team's longest lifetime");
    let secret_key = r.str("secret_key").to_owned();
    let status = s.get(&format!("/api/v2/secret/{secret_key}")).await;
    assert_eq!(status.json["sign_in_required"], true, "viewers must sign in: {:?}", status.json);
    assert_eq!(status.json["passphrase_required"], true);
}

#[tokio::test]
async fn a_team_key_creates_for_its_team_until_its_maker_leaves() {
    let s = TestServer::start().await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let (_, mut bob) = member(&s, "bob@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    let link = invite(&mut ann, team, "admin", "").await;
    bob.submit(&link, &[]).await;

    let made = ann.submit(&format!("/teams/{team}/keys"), &[("name", "help desk"), ("expires_in", "")]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let ann_key = once(&made);
    assert!(!ann.get(&format!("/teams/{team}")).await.body.contains(&ann_key), "shown once");
    let r = conceal(&s, &ann_key, json!({"secret": "from the help desk", "name": "TEAM-KEY"})).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    assert!(bob.get(&format!("/teams/{team}")).await.body.contains("TEAM-KEY"), "the team's by default");

    let bob_key = once(&bob.submit(&format!("/teams/{team}/keys"), &[("name", "ci")]).await);
    assert_eq!(conceal(&s, &bob_key, json!({"secret": "x"})).await.status, 201);
    assert_eq!(bob.submit(&format!("/teams/{team}/leave"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(conceal(&s, &bob_key, json!({"secret": "x"})).await.status, 401, "gone with its maker");
    assert_eq!(conceal(&s, &ann_key, json!({"secret": "x"})).await.status, 201, "the other key still works");

    let chain = chain(&s, team).await;
    let key_entries: Vec<_> = chain.iter().filter(|r| r.entry.action == "api_key.created").collect();
    assert_eq!(key_entries.len(), 2);
    assert_eq!(
        (key_entries[0].entry.actor.as_str(), key_entries[0].entry.resource_name.as_str()),
        ("ann@example.com", "help desk")
    );
    assert!(chain.iter().all(|r| !r.entry.detail.contains(&ann_key) && !r.entry.resource_id.contains(&ann_key)));
    let first: Vec<_> = chain.iter().filter(|r| r.entry.action == "api_key.first_used").collect();
    assert_eq!(first.len(), 2, "each team key's first use is in the team's log, once");
    assert_eq!(first[0].entry.actor, "ann@example.com (API key help desk)");
    let created: Vec<_> = chain.iter().filter(|r| r.entry.action == "secret.created").collect();
    assert_eq!(created.iter().filter(|r| r.entry.resource_name == "TEAM-KEY").count(), 1, "team secrets too");
}

#[tokio::test]
async fn a_teams_owners_and_admins_burn_its_secrets_and_members_cannot() {
    let s = TestServer::start().await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let (_, mut bob) = member(&s, "bob@example.com").await;
    let (_, mut carol) = member(&s, "carol@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    bob.submit(&invite(&mut ann, team, "member", "").await, &[]).await;
    carol.submit(&invite(&mut ann, team, "member", "").await, &[]).await;
    let key = personal_key(&mut bob).await;
    let r = conceal(&s, &key, json!({"secret": "leaked vpn key", "name": "VPN", "team": team})).await;
    let secret_key = r.str("secret_key").to_owned();

    let page = ann.get(&format!("/teams/{team}")).await.body;
    let marker = format!(r#"action="/teams/{team}/secrets/"#);
    let at = page.find(&marker).unwrap_or_else(|| panic!("the owner gets a burn button: {page}")) + marker.len();
    let receipt_id = page[at..].split('/').next().unwrap().to_owned();
    assert_eq!(receipt_id.len(), 64);
    assert!(!carol.get(&format!("/teams/{team}")).await.body.contains(&marker), "no button for a member");
    let refused = carol.submit(&format!("/teams/{team}/secrets/{receipt_id}/burn"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(s.get(&format!("/api/v2/secret/{secret_key}")).await.status, StatusCode::OK, "still waiting");
    // Another team's owner cannot reach it through theirs.
    let (_, mut dave) = member(&s, "dave@example.com").await;
    let theirs = make_team(&mut dave, "Elsewhere").await;
    dave.submit(&format!("/teams/{theirs}/secrets/{receipt_id}/burn"), &[]).await;
    assert_eq!(s.get(&format!("/api/v2/secret/{secret_key}")).await.status, StatusCode::OK, "still waiting");

    let burned = ann.submit(&format!("/teams/{team}/secrets/{receipt_id}/burn"), &[]).await;
    assert_eq!(burned.status, StatusCode::SEE_OTHER, "{}", burned.body);
    assert_eq!(s.get(&format!("/api/v2/secret/{secret_key}")).await.status, StatusCode::GONE);
    let entries = chain(&s, team).await;
    let entry = entries.iter().find(|r| r.entry.action == "secret.burned").expect("a burn entry");
    assert_eq!((entry.entry.actor.as_str(), entry.entry.resource_name.as_str()), ("ann@example.com", "VPN"));
    assert!(entry.entry.detail.contains("team manager"), "{}", entry.entry.detail);
}
