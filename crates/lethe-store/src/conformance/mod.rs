//! The store's promises as tests, written once and run against every backend. A backend's
//! test module calls [`conformance_tests!`](crate::conformance_tests) with a function that makes
//! a fresh, empty store (and a guard that cleans it up); each promise becomes one test there.
//!
//! - [`secrets`]: creating, exactly-once consumption under races, expiry at the deadline,
//!   attempt counting and lockout, burning, tombstones and late attempts, recent receipts.
//! - [`sweeping`]: sweeping only what expired, in batches, with several sweepers at once.
//! - [`effects`]: effects commit with their change, and only then.
//! - [`deliveries`]: webhook endpoints round-trip, every audit entry queues one delivery per
//!   subscribed endpoint of its scope, and changes that do not happen announce nothing.
//! - [`delivery_queue`]: claims lease, stale leases are refused, retries, giving up, gone
//!   endpoints, replays, cancelling and pruning.
//! - [`notify_mail`]: secrets' notification mails to their creators, the link mail's state,
//!   accounts' defaults and verified addresses.
//! - [`audit`]: entries chain per scope, filtered pages, checkpoints, retention, the sweeper's
//!   `secret.expired`, racing appends.
//! - [`account_effects`]: the effects of account, session, key and receipt changes.
//! - [`hits`]: rate-limit counters count every hit, per bucket and window, alone or in batches.
//! - [`accounts`]: unique e-mails, paged listings, cascading deletes, usable API keys.
//! - [`sessions`]: live sessions, throttled activity, sign-outs, single-use tokens under
//!   races, recovery codes, the account sweep.
//! - [`second_factor`]: pending sessions sign nothing in until confirmed, TOTP steps are
//!   used once and in order.
//! - [`quota`]: live-secret quotas refuse before writing, and ended secrets make room.
//! - [`viewers`]: viewers kept on owned receipts when the consume wins, sign-in rules that keep
//!   secrets from the one-step take, refused viewers counted, the dashboard's paged listing.
//! - [`teams`]: the creator owns the team, never a team without an owner (not even under
//!   racing demotions), settings, team API keys, account deletion handing teams on.
//! - [`team_dashboard`]: a scope's receipts listed, filtered and paged like an owner's.
//! - [`team_invites`]: invites used once under races, expiring, bound to an address, never
//!   adding an existing member.
//! - [`keyring`]: keyrings with accounts, wraps with keys and sessions, links sealed to an
//!   owner (the share link cleared at every ending).

// The suite is test code even where it compiles as a module for other crates' tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod account_effects;
pub mod accounts;
pub mod audit;
pub mod audit_templates;
pub mod deliveries;
pub mod delivery_queue;
pub mod effects;
pub mod hits;
pub mod keyring;
pub mod notify_mail;
pub mod quota;
pub mod second_factor;
pub mod secrets;
pub mod sessions;
pub mod sweeping;
pub mod team_dashboard;
pub mod team_invites;
pub mod teams;
pub mod viewers;

use crate::model::NewSecret;
use crate::Store;
use lethe_core::clock::UnixTime;
use lethe_core::state::ContentKind;
use lethe_core::token::ReceiptToken;

/// The time the suite's secrets are created at.
pub const NOW: UnixTime = 1_700_000_000;

/// A secret as the service would create it in `store`: both tokens start with a handle the
/// store reserved, and the share token derives from the receipt token.
pub async fn new_secret(store: &dyn Store, ttl: i64, passphrase: bool) -> NewSecret {
    let handle = store.next_handle().await.expect("a handle");
    secret_for(&ReceiptToken::generate_at(handle), ttl, passphrase)
}

/// A secret with the tokens of receipt token `m`.
pub fn secret_for(m: &ReceiptToken, ttl: i64, passphrase: bool) -> NewSecret {
    let t = m.secret_token();
    NewSecret {
        handle: m.handle(),
        id: t.id(),
        receipt_id: m.id(),
        sealed: vec![0xAB; 280],
        kind: ContentKind::Text,
        sealed_verifier: None,
        name: Some("ticket 42".into()),
        kdf: passphrase.then(|| (vec![1; 16], "m=64,t=1,p=1".to_owned())),
        custid: "anon".into(),
        ttl,
        created: NOW,
        secret_expires_at: NOW + ttl,
        receipt_expires_at: NOW + 2 * ttl,
        recipients: vec!["a***@e***.com".into()],
        quota: None,
        owner_seal: None,
        viewer_rule: Default::default(),
        scope: None,
        notify: Vec::new(),
        delivery: None,
    }
}

/// Generates one `#[tokio::test]` per promise. `$make` is an async function returning
/// `(guard, Arc<dyn Store>)`: a fresh, empty store, and whatever must live as long as it.
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@each $make;
            secrets::create_then_claim_exactly_once,
            secrets::unprotected_secrets_are_taken_in_one_step_and_protected_ones_left_alone,
            secrets::racing_consumers_have_exactly_one_winner,
            secrets::nothing_is_consumed_at_or_after_the_deadline,
            secrets::failures_count_down_then_destroy,
            secrets::racing_failures_are_all_counted_and_destroy_once,
            secrets::burn_ends_a_waiting_secret_only,
            secrets::a_burn_racing_a_reveal_has_one_winner,
            secrets::tombstones_record_late_attempts_but_not_waiting_secrets,
            secrets::foreign_keys_find_nothing,
            secrets::handles_never_repeat_under_concurrency,
            secrets::recent_lists_an_owners_receipts_newest_first,
            secrets::a_receipt_is_marked_seen_once,
            sweeping::sweep_deletes_only_what_expired_in_batches,
            sweeping::racing_sweepers_never_process_a_row_twice,
            effects::effects_commit_with_the_change_they_belong_to,
            effects::effects_are_not_written_when_nothing_changed,
            effects::failure_effects_follow_the_outcome,
            deliveries::endpoints_round_trip_change_and_go,
            deliveries::an_audit_entry_queues_one_delivery_per_subscribed_endpoint,
            deliveries::a_change_that_does_not_happen_announces_nothing,
            delivery_queue::claims_lease_and_a_stale_lease_is_refused,
            delivery_queue::giving_up_a_gone_endpoint_replays_cancelling_and_pruning,
            notify_mail::chosen_actions_mail_the_creator,
            notify_mail::the_link_mail_state_is_kept_on_the_receipt,
            notify_mail::notification_defaults_and_verified_addresses_round_trip,
            notify_mail::muting_an_account_stops_the_mails_its_secrets_asked_for,
            audit::entries_chain_per_scope,
            audit::winning_changes_chain_their_entries_and_losers_write_none,
            audit::pages_filter_and_follow_without_gaps,
            audit::checkpoints_are_numbered_one_after_another,
            audit::pruning_moves_the_base_and_keeps_the_rest,
            audit::the_sweeper_records_owned_secrets_that_expired_unread,
            audit::racing_appends_to_one_chain_link_up,
            audit_templates::templates_are_completed_from_the_changed_row,
            audit_templates::templates_of_anonymous_secrets_are_dropped,
            account_effects::account_changes_write_effects_only_when_they_change,
            account_effects::receipt_looks_and_late_attempts_write_effects_only_when_they_change,
            hits::hits_count_per_bucket_and_window,
            hits::concurrent_hits_are_all_counted,
            hits::old_windows_are_forgotten,
            hits::batches_count_like_single_hits,
            hits::concurrent_batches_are_all_counted,
            quota::creates_over_the_quota_are_refused_and_store_nothing,
            quota::expired_and_burned_secrets_do_not_count,
            accounts::emails_are_unique_in_normalised_form,
            accounts::changes_apply_to_one_account,
            accounts::accounts_are_listed_in_pages_by_id_with_their_key_counts,
            accounts::deleting_an_account_deletes_everything_of_it,
            accounts::only_usable_keys_are_found,
            accounts::key_use_is_written_at_most_once_a_minute,
            sessions::only_live_sessions_of_enabled_accounts_are_found,
            sessions::session_activity_is_written_at_most_once_a_minute,
            sessions::sign_outs_end_exactly_the_sessions_asked,
            sessions::a_token_is_taken_once_and_never_after_expiry,
            sessions::racing_takers_of_one_token_have_exactly_one_winner,
            sessions::recovery_codes_are_replaced_and_used_once,
            sessions::the_account_sweep_removes_what_expired_in_batches,
            second_factor::a_pending_session_signs_nothing_in_until_confirmed,
            second_factor::totp_is_set_and_cleared_with_its_last_step,
            second_factor::a_totp_step_is_used_once_and_only_after_the_last,
            keyring::a_keyring_is_stored_with_its_account_replaced_and_cleared,
            keyring::api_key_and_session_wraps_round_trip,
            keyring::a_secrets_owner_seal_reads_back_and_its_link_ends_with_the_secret,
            viewers::the_viewer_is_kept_exactly_when_the_consume_wins,
            viewers::secrets_that_need_sign_in_are_not_taken_in_one_step,
            viewers::refused_viewers_are_all_counted_while_the_secret_waits,
            viewers::owned_filters_by_status_at_now_and_by_name,
            viewers::owned_pages_have_no_gaps_or_repeats,
            team_dashboard::a_scope_lists_its_receipts_only_filtered_and_paged,
            team_dashboard::a_scope_burns_only_its_own_waiting_secrets,
            teams::creating_a_team_makes_its_creator_owner,
            teams::roles_change_and_members_leave_but_never_the_last_owner,
            teams::concurrent_demotions_of_the_last_two_owners_have_one_winner,
            teams::settings_and_names_round_trip,
            teams::team_api_keys_are_listed_per_team_and_go_with_the_team,
            teams::deleting_an_account_keeps_its_teams_owned,
            team_invites::an_invite_is_used_once_and_never_after_expiry,
            team_invites::racing_accepts_of_one_invite_have_one_winner,
            team_invites::an_invite_for_another_address_or_a_member_stays_usable
        );
    };
    (@each $make:path; $($group:ident :: $name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (_guard, store) = $make().await;
                $crate::conformance::$group::$name(store).await;
            }
        )*
    };
}
