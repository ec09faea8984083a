//! Promises about teams: the creator is the first owner, roles change and members leave but a
//! team never loses its last owner (not even to two owners demoting each other at once),
//! settings round-trip, team API keys are listed per team and go with it, deleting an account
//! hands its teams on, and effects are written exactly when something changed.

use super::accounts::{account, email};
use super::NOW;
use crate::accounts_model::NewApiKey;
use crate::deliveries::{Channel, DeliveryQuery, NewDelivery};
use crate::effects::Effect;
use crate::scope::Scope;
use crate::teams_model::{MemberChange, NewTeam, NewTeamInvite, Role, TeamRecord, TeamSettings};
use crate::{AccountRecord, Store};
use lethe_core::account::{ApiKey, KeyId};
use std::sync::Arc;

/// The scope of the deliveries that stand for effects in these tests.
const NOTES: Scope = Scope::Account(999_999);

/// A delivery standing for the effects of a change (audit entries are another contract's):
/// a mail in [`NOTES`] whose event is `topic`.
pub fn note(topic: &str) -> Effect {
    Effect::Deliver(NewDelivery {
        channel: Channel::Mail,
        scope: Some(NOTES),
        endpoint: None,
        recipient: "notes@example.com".into(),
        event: topic.into(),
        message_id: format!("msg_{topic}"),
        payload: "{}".into(),
        created: NOW,
    })
}

/// The topics of every [`note`] written so far, oldest first.
pub async fn topics(store: &dyn Store) -> Vec<String> {
    let mut all = store.deliveries(DeliveryQuery::Mail(NOTES), 1000).await.expect("deliveries");
    all.reverse();
    all.into_iter().map(|d| d.event).collect()
}

/// A new team owned by `owner`.
pub async fn team(store: &dyn Store, name: &str, owner: i64) -> TeamRecord {
    let new = NewTeam { name: name.into(), created: NOW, owner };
    store.create_team(new, vec![]).await.expect("create").expect("the owner exists")
}

/// An invite hash for `account` into `team`, `n` telling apart several.
pub fn hash_for(team: i64, account: i64, n: u8) -> [u8; 32] {
    let mut h = [n; 32];
    h[..8].copy_from_slice(&team.to_le_bytes());
    h[8..16].copy_from_slice(&account.to_le_bytes());
    h
}

/// Makes `who` a member of `team` with `role`, invited by `by`, at `NOW + at`.
pub async fn join(store: &dyn Store, team: i64, by: i64, who: &AccountRecord, role: Role, at: i64) {
    let hash = hash_for(team, who.id, 0);
    let new = NewTeamInvite { hash, team, role, email: None, invited_by: by, created: NOW, expires_at: NOW + 3600 };
    store.create_team_invite(new, vec![]).await.expect("invite").expect("the inviter manages the team");
    let joined = store.accept_team_invite(&hash, who.id, &who.email, NOW + at, vec![]).await.expect("accept");
    assert_eq!(joined, Some((team, role)));
}

pub async fn creating_a_team_makes_its_creator_owner(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let new = NewTeam { name: "Ops".into(), created: NOW, owner: ann.id };
    let t = store.create_team(new, vec![note("team.created")]).await.expect("create").expect("created");
    assert_eq!((t.name.as_str(), t.created, t.updated, &t.settings), ("Ops", NOW, NOW, &TeamSettings::default()));
    assert_eq!(store.team(t.id).await.expect("read"), Some(t.clone()));
    assert_eq!(store.membership(t.id, ann.id).await.expect("role"), Some(Role::Owner));
    let mine = store.teams_of(ann.id).await.expect("teams");
    assert_eq!(mine.len(), 1);
    assert_eq!((&mine[0].team, mine[0].role, mine[0].joined), (&t, Role::Owner, NOW));
    let members = store.members(t.id).await.expect("members");
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].account, &members[0].email, members[0].role), (ann.id, &ann.email, Role::Owner));
    let orphan = NewTeam { name: "Nobody's".into(), created: NOW, owner: ann.id + 1000 };
    assert_eq!(store.create_team(orphan, vec![note("orphan")]).await.expect("create"), None);
    assert_eq!(store.team(t.id + 1000).await.expect("read"), None);
    assert!(store.teams_of(ann.id + 1000).await.expect("teams").is_empty());
    assert_eq!(topics(&*store).await, ["team.created"], "effects only with the team that was made");

    let entry = super::audit::entry(crate::NEW_TEAM, "team.created");
    let new = NewTeam { name: "Dev".into(), created: NOW, owner: ann.id };
    let dev = store.create_team(new, vec![Effect::Audit(entry)]).await.expect("create").expect("created");
    let chain = store.audit_chain(crate::Scope::Team(dev.id), 0, 10).await.expect("chain");
    assert_eq!(chain.len(), 1, "the new team's entry joins its own chain");
    assert_eq!(chain[0].entry.scope, crate::Scope::Team(dev.id));
    assert!(store.audit_chain(crate::NEW_TEAM, 0, 10).await.expect("chain").is_empty());
}

pub async fn roles_change_and_members_leave_but_never_the_last_owner(store: Arc<dyn Store>) {
    let [ann, bob, carol] = [
        account(&*store, "ann@example.com").await,
        account(&*store, "bob@example.com").await,
        account(&*store, "carol@example.com").await,
    ];
    let t = team(&*store, "Ops", ann.id).await;
    join(&*store, t.id, ann.id, &carol, Role::Member, 1).await;
    join(&*store, t.id, ann.id, &bob, Role::Member, 2).await;
    let set = |who: i64, role: Role, topic: &'static str| {
        let s = store.clone();
        async move { s.set_role(t.id, who, role, vec![note(topic)]).await.expect("set") }
    };
    assert_eq!(set(bob.id, Role::Admin, "bob.admin").await, MemberChange::Done);
    assert_eq!(set(bob.id, Role::Admin, "bob.admin.again").await, MemberChange::Unchanged);
    assert_eq!(set(ann.id, Role::Admin, "ann.demoted").await, MemberChange::LastOwner);
    let removed = store.remove_member(t.id, ann.id, vec![note("ann.removed")]).await.expect("remove");
    assert_eq!(removed, MemberChange::LastOwner);
    let roles: Vec<_> = store.members(t.id).await.expect("members").iter().map(|m| (m.account, m.role)).collect();
    assert_eq!(roles, [(ann.id, Role::Owner), (bob.id, Role::Admin), (carol.id, Role::Member)], "by role");
    assert_eq!(set(bob.id, Role::Owner, "bob.owner").await, MemberChange::Done);
    assert_eq!(set(ann.id, Role::Member, "ann.member").await, MemberChange::Done);
    let members = store.members(t.id).await.expect("members");
    let order: Vec<_> = members.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(order, ["bob@example.com", "ann@example.com", "carol@example.com"], "owners, then by e-mail");
    assert_eq!(set(bob.id, Role::Member, "bob.member").await, MemberChange::LastOwner);
    let gone = store.remove_member(t.id, carol.id, vec![note("carol.removed")]).await.expect("remove");
    assert_eq!(gone, MemberChange::Done);
    assert_eq!(store.membership(t.id, carol.id).await.expect("role"), None);
    assert!(store.teams_of(carol.id).await.expect("teams").is_empty());
    let again = store.remove_member(t.id, carol.id, vec![note("carol.again")]).await.expect("remove");
    assert_eq!(again, MemberChange::NotFound);
    assert_eq!(
        store.set_role(t.id + 1000, bob.id, Role::Admin, vec![note("x")]).await.expect("set"),
        MemberChange::NotFound
    );
    assert_eq!(topics(&*store).await, ["bob.admin", "bob.owner", "ann.member", "carol.removed"]);
}

/// Two owners demoting (or removing) each other at once: exactly one of them succeeds, and the
/// team keeps one owner.
pub async fn concurrent_demotions_of_the_last_two_owners_have_one_winner(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    for round in 0..12 {
        let t = team(&*store, &format!("team {round}"), ann.id).await;
        join(&*store, t.id, ann.id, &bob, Role::Owner, 1).await;
        let tasks: Vec<_> = [ann.id, bob.id]
            .into_iter()
            .map(|who| {
                let s = store.clone();
                tokio::spawn(async move {
                    match round % 3 {
                        0 => s.set_role(t.id, who, Role::Member, vec![note("changed")]).await,
                        1 => s.remove_member(t.id, who, vec![note("changed")]).await,
                        _ if who == ann.id => s.remove_member(t.id, who, vec![note("changed")]).await,
                        _ => s.set_role(t.id, who, Role::Admin, vec![note("changed")]).await,
                    }
                    .expect("change")
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.expect("join"));
        }
        outcomes.sort_by_key(|o| *o != MemberChange::Done);
        assert_eq!(outcomes, [MemberChange::Done, MemberChange::LastOwner], "round {round}");
        let owners = store.members(t.id).await.expect("members").iter().filter(|m| m.role == Role::Owner).count();
        assert_eq!(owners, 1, "round {round}");
    }
    assert_eq!(topics(&*store).await.len(), 12, "one effect per winning change");
}

pub async fn settings_and_names_round_trip(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let t = team(&*store, "Ops", ann.id).await;
    let other = team(&*store, "Dev", ann.id).await;
    let settings = TeamSettings {
        max_ttl: Some(86_400),
        require_passphrase: true,
        require_sign_in: true,
        audit_retention_days: Some(90),
        notify: vec!["secret.revealed".into(), "secret.expired".into()],
    };
    assert!(store.update_settings(t.id, settings.clone(), NOW + 5, vec![note("settings")]).await.expect("update"));
    let read = store.team(t.id).await.expect("read").expect("found");
    assert_eq!((&read.settings, read.updated, read.created), (&settings, NOW + 5, NOW));
    assert_eq!(store.team(other.id).await.expect("read"), Some(other.clone()), "the other team is untouched");
    assert!(store.update_settings(t.id, TeamSettings::default(), NOW + 6, vec![]).await.expect("update"));
    assert_eq!(store.team(t.id).await.expect("read").expect("found").settings, TeamSettings::default());
    assert!(store.rename_team(t.id, "Operations", NOW + 7, vec![note("renamed")]).await.expect("rename"));
    let read = store.team(t.id).await.expect("read").expect("found");
    assert_eq!((read.name.as_str(), read.updated), ("Operations", NOW + 7));
    assert!(!store.update_settings(t.id + 1000, settings, NOW, vec![note("none")]).await.expect("update"));
    assert!(!store.rename_team(t.id + 1000, "x", NOW, vec![note("none")]).await.expect("rename"));
    let names: Vec<_> = store.teams_of(ann.id).await.expect("teams").into_iter().map(|m| m.team.name).collect();
    assert_eq!(names, ["Dev", "Operations"], "by name");
    assert_eq!(topics(&*store).await, ["settings", "renamed"]);
}

async fn team_key(store: &dyn Store, account: i64, team: Option<i64>) -> (KeyId, bool) {
    let key = ApiKey::generate();
    let new = NewApiKey {
        account,
        key_id: key.key_id(),
        key_hash: key.hash(),
        name: "deploys".into(),
        created: NOW,
        expires_at: None,
        keyring_wrap: None,
        team,
    };
    let stored = store.create_api_key(new, Vec::new()).await.expect("key");
    (key.key_id(), stored)
}

pub async fn team_api_keys_are_listed_per_team_and_go_with_the_team(store: Arc<dyn Store>) {
    let [ann, bob, carol] = [
        account(&*store, "ann@example.com").await,
        account(&*store, "bob@example.com").await,
        account(&*store, "carol@example.com").await,
    ];
    let t = team(&*store, "Ops", ann.id).await;
    let other = team(&*store, "Dev", carol.id).await;
    join(&*store, t.id, ann.id, &bob, Role::Member, 1).await;
    let (personal, _) = team_key(&*store, ann.id, None).await;
    let (ann_team, stored) = team_key(&*store, ann.id, Some(t.id)).await;
    assert!(stored);
    let (bob_team, stored) = team_key(&*store, bob.id, Some(t.id)).await;
    assert!(stored);
    let (carol_other, stored) = team_key(&*store, carol.id, Some(other.id)).await;
    assert!(stored);
    assert!(!team_key(&*store, carol.id, Some(t.id)).await.1, "only a member makes a team's key");
    let ids = |keys: Vec<crate::ApiKeyRecord>| keys.into_iter().map(|k| (k.key_id, k.team)).collect::<Vec<_>>();
    let listed = ids(store.team_api_keys(t.id).await.expect("keys"));
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&(ann_team.clone(), Some(t.id))) && listed.contains(&(bob_team.clone(), Some(t.id))));
    let mine = ids(store.api_keys(ann.id).await.expect("keys"));
    assert_eq!(mine.len(), 2, "personal keys and the team keys it made");
    assert!(mine.contains(&(personal.clone(), None)) && mine.contains(&(ann_team.clone(), Some(t.id))));
    let (found, owner) = store.api_key(&ann_team, NOW).await.expect("lookup").expect("usable");
    assert_eq!((found.team, owner.id), (Some(t.id), ann.id));
    assert_eq!(store.remove_member(t.id, bob.id, vec![]).await.expect("remove"), MemberChange::Done);
    assert_eq!(
        ids(store.team_api_keys(t.id).await.expect("keys")),
        [(ann_team.clone(), Some(t.id))],
        "a leaver's keys go"
    );
    assert!(store.delete_team(t.id, vec![note("deleted")]).await.expect("delete"));
    assert!(!store.delete_team(t.id, vec![note("again")]).await.expect("delete"), "gone already");
    assert_eq!(store.team(t.id).await.expect("read"), None);
    assert!(store.members(t.id).await.expect("members").is_empty());
    assert!(store.team_api_keys(t.id).await.expect("keys").is_empty());
    assert!(store.api_key(&ann_team, NOW).await.expect("lookup").is_none(), "the team's keys went with it");
    assert_eq!(ids(store.api_keys(ann.id).await.expect("keys")), [(personal, None)]);
    assert!(store.teams_of(ann.id).await.expect("teams").is_empty());
    assert_eq!(ids(store.team_api_keys(other.id).await.expect("keys")), [(carol_other, Some(other.id))]);
    assert_eq!(topics(&*store).await, ["deleted"]);
}

pub async fn deleting_an_account_keeps_its_teams_owned(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let [bob, carol, dave, erin] = [
        account(&*store, "bob@example.com").await,
        account(&*store, "carol@example.com").await,
        account(&*store, "dave@example.com").await,
        account(&*store, "erin@example.com").await,
    ];
    let admins = team(&*store, "admins", ann.id).await;
    join(&*store, admins.id, ann.id, &bob, Role::Member, 1).await;
    join(&*store, admins.id, ann.id, &dave, Role::Admin, 3).await;
    join(&*store, admins.id, ann.id, &carol, Role::Admin, 2).await;
    let members = team(&*store, "members", ann.id).await;
    join(&*store, members.id, ann.id, &dave, Role::Member, 2).await;
    join(&*store, members.id, ann.id, &bob, Role::Member, 1).await;
    let alone = team(&*store, "alone", ann.id).await;
    let shared = team(&*store, "shared", ann.id).await;
    join(&*store, shared.id, ann.id, &erin, Role::Owner, 1).await;
    join(&*store, shared.id, ann.id, &bob, Role::Admin, 2).await;
    let pending = NewTeamInvite {
        hash: [0xAA; 32],
        team: shared.id,
        role: Role::Member,
        email: Some(email("zed@example.com")),
        invited_by: ann.id,
        created: NOW,
        expires_at: NOW + 3600,
    };
    assert!(store.create_team_invite(pending, vec![]).await.expect("invite").is_some());
    assert!(store.delete_account(ann.id).await.expect("delete"));
    let roles = |t: i64| {
        let s = store.clone();
        async move { s.members(t).await.expect("members").iter().map(|m| (m.account, m.role)).collect::<Vec<_>>() }
    };
    assert_eq!(
        roles(admins.id).await,
        [(carol.id, Role::Owner), (dave.id, Role::Admin), (bob.id, Role::Member)],
        "the longest-standing admin owns the team"
    );
    assert_eq!(
        roles(members.id).await,
        [(bob.id, Role::Owner), (dave.id, Role::Member)],
        "else the longest-standing member"
    );
    assert_eq!(store.team(alone.id).await.expect("read"), None, "a team with no one left goes");
    assert_eq!(
        roles(shared.id).await,
        [(erin.id, Role::Owner), (bob.id, Role::Admin)],
        "another owner stays the only one"
    );
    assert!(store.team_invites(shared.id, NOW).await.expect("invites").is_empty(), "its invites went with it");
}
