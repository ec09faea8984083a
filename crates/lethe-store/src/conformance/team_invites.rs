//! Promises about team invites: used once, even by racing accepts; never after expiry; bound
//! to an address when made for one; never adding an existing member (the invite then stays
//! usable); made only by a team's owners and admins, and withdrawn when their maker no longer
//! manages the team; swept when expired.

use super::accounts::{account, email};
use super::teams::{hash_for, join, note, team, topics};
use super::NOW;
use crate::teams_model::{MemberChange, NewTeamInvite, Role};
use crate::{Store, StoreError};
use std::sync::Arc;

fn invite(hash: [u8; 32], team: i64, by: i64, role: Role, ttl: i64) -> NewTeamInvite {
    NewTeamInvite { hash, team, role, email: None, invited_by: by, created: NOW, expires_at: NOW + ttl }
}

pub async fn an_invite_is_used_once_and_never_after_expiry(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    let carol = account(&*store, "carol@example.com").await;
    let t = team(&*store, "Ops", ann.id).await;
    let made = store.create_team_invite(invite([1; 32], t.id, ann.id, Role::Admin, 600), vec![note("invited")]).await;
    let made = made.expect("invite").expect("ann manages the team");
    assert_eq!((made.team, made.role, made.invited_by, made.expires_at), (t.id, Role::Admin, ann.id, NOW + 600));
    assert_eq!(store.team_invites(t.id, NOW).await.expect("invites"), std::slice::from_ref(&made));
    assert_eq!(store.team_invite(&[1; 32], NOW).await.expect("by hash").as_ref(), Some(&made), "found by its hash");
    assert_eq!(store.team_invite(&[1; 32], NOW + 600).await.expect("by hash"), None, "not once expired");
    let dup = store.create_team_invite(invite([1; 32], t.id, ann.id, Role::Member, 600), vec![note("dup")]).await;
    assert!(matches!(dup, Err(StoreError::AlreadyExists(_))), "{dup:?}");
    let joined = store.accept_team_invite(&[1; 32], bob.id, &bob.email, NOW, vec![note("joined")]).await;
    assert_eq!(joined.expect("accept"), Some((t.id, Role::Admin)));
    assert_eq!(store.membership(t.id, bob.id).await.expect("role"), Some(Role::Admin));
    let used = store.accept_team_invite(&[1; 32], carol.id, &carol.email, NOW, vec![note("used")]).await;
    assert_eq!(used.expect("accept"), None, "used once");
    assert_eq!(store.team_invite(&[1; 32], NOW).await.expect("by hash"), None, "not once used");
    assert!(store.team_invites(t.id, NOW).await.expect("invites").is_empty());

    assert!(store
        .create_team_invite(invite([2; 32], t.id, ann.id, Role::Member, 600), vec![])
        .await
        .expect("x")
        .is_some());
    assert_eq!(store.team_invites(t.id, NOW + 599).await.expect("invites").len(), 1);
    assert!(store.team_invites(t.id, NOW + 600).await.expect("invites").is_empty(), "only live ones are listed");
    let late = store.accept_team_invite(&[2; 32], carol.id, &carol.email, NOW + 600, vec![note("late")]).await;
    assert_eq!(late.expect("accept"), None, "expired at its deadline");
    let unknown = store.accept_team_invite(&[9; 32], carol.id, &carol.email, NOW, vec![note("unknown")]).await;
    assert_eq!(unknown.expect("accept"), None);
    let sweep = store.sweep_accounts(NOW + 600, 100).await.expect("sweep");
    assert_eq!(sweep.tokens, 1, "the expired invite is swept with the tokens");

    let by_member = store.create_team_invite(invite([3; 32], t.id, carol.id, Role::Member, 600), vec![note("x")]).await;
    assert_eq!(by_member.expect("invite"), None, "only owners and admins invite");
    let no_team = store.create_team_invite(invite([4; 32], t.id + 1000, ann.id, Role::Member, 600), vec![]).await;
    assert_eq!(no_team.expect("invite"), None);
    let revocable = store.create_team_invite(invite([5; 32], t.id, bob.id, Role::Member, 600), vec![]).await;
    let revocable = revocable.expect("invite").expect("bob is an admin now");
    assert!(
        !store.revoke_team_invite(t.id + 1000, revocable.id, vec![note("x")]).await.expect("revoke"),
        "another team's"
    );
    assert!(store.revoke_team_invite(t.id, revocable.id, vec![note("revoked")]).await.expect("revoke"));
    assert!(!store.revoke_team_invite(t.id, revocable.id, vec![note("x")]).await.expect("revoke"), "once");
    let withdrawn = store.accept_team_invite(&[5; 32], carol.id, &carol.email, NOW, vec![]).await;
    assert_eq!(withdrawn.expect("accept"), None);

    let kept = store.create_team_invite(invite([6; 32], t.id, bob.id, Role::Member, 600), vec![]).await;
    kept.expect("invite").expect("bob is an admin");
    assert_eq!(store.set_role(t.id, bob.id, Role::Member, vec![]).await.expect("demote"), MemberChange::Done);
    assert!(store.team_invites(t.id, NOW).await.expect("invites").is_empty(), "a demoted admin's invites go");
    assert_eq!(topics(&*store).await, ["invited", "joined", "revoked"], "effects only with what changed");
}

pub async fn racing_accepts_of_one_invite_have_one_winner(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(account(&*store, &format!("user{i}@example.com")).await);
    }
    for round in 0..8u8 {
        let t = team(&*store, &format!("team {round}"), ann.id).await;
        let hash = hash_for(t.id, 0, round);
        store
            .create_team_invite(invite(hash, t.id, ann.id, Role::Member, 600), vec![])
            .await
            .expect("x")
            .expect("made");
        let tasks: Vec<_> = people
            .iter()
            .map(|p| {
                let (s, p) = (store.clone(), p.clone());
                tokio::spawn(async move {
                    s.accept_team_invite(&hash, p.id, &p.email, NOW, vec![note("joined")]).await.expect("accept")
                })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.expect("join").is_some());
        }
        assert_eq!(winners, 1, "round {round}");
        assert_eq!(store.members(t.id).await.expect("members").len(), 2, "round {round}");
    }
    assert_eq!(topics(&*store).await.len(), 8, "one effect per use");
}

pub async fn an_invite_for_another_address_or_a_member_stays_usable(store: Arc<dyn Store>) {
    let ann = account(&*store, "ann@example.com").await;
    let bob = account(&*store, "bob@example.com").await;
    let carol = account(&*store, "carol@example.com").await;
    let t = team(&*store, "Ops", ann.id).await;
    let mut bound = invite([1; 32], t.id, ann.id, Role::Member, 600);
    bound.email = Some(email("Carol@Example.com"));
    let made = store.create_team_invite(bound, vec![]).await.expect("invite").expect("made");
    assert_eq!(made.email, Some(carol.email.clone()));
    let wrong = store.accept_team_invite(&[1; 32], bob.id, &bob.email, NOW, vec![note("bob")]).await;
    assert_eq!(wrong.expect("accept"), None, "for another address");
    let right = store.accept_team_invite(&[1; 32], carol.id, &carol.email, NOW, vec![note("carol")]).await;
    assert_eq!(right.expect("accept"), Some((t.id, Role::Member)), "still usable by its address");

    store.create_team_invite(invite([2; 32], t.id, ann.id, Role::Admin, 600), vec![]).await.expect("x").expect("made");
    let member = store.accept_team_invite(&[2; 32], carol.id, &carol.email, NOW, vec![note("again")]).await;
    assert_eq!(member.expect("accept"), None, "already a member");
    assert_eq!(store.membership(t.id, carol.id).await.expect("role"), Some(Role::Member), "its role unchanged");
    assert_eq!(store.team_invites(t.id, NOW).await.expect("invites").len(), 1, "the invite stays");
    join(&*store, t.id, ann.id, &bob, Role::Member, 1).await;
    let bob_joins = store.accept_team_invite(&[2; 32], bob.id, &bob.email, NOW, vec![note("bob.admin")]).await;
    assert_eq!(bob_joins.expect("accept"), None, "bob is a member now too");
    assert_eq!(topics(&*store).await, ["carol"]);
}
