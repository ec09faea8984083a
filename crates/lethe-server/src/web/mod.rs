//! The web pages: create, share, reveal, receipt, burn. Server-rendered with askama and
//! working without JavaScript; `static/app.js` adds end-to-end encryption (P5) and copying.
//!
//! - [`pages`]: the secret pages' handlers; [`views`]: their template structs; [`form`]: form
//!   bodies; [`assets`]: embedded static files.
//! - [`session`]: the session cookie, the caller it names, forged-form checks.
//! - [`sign_in`]: signing in and out, with the sign-in limits; [`sign_in_code`]: its second
//!   step for accounts with TOTP; [`two_step`]: enrolling in TOTP, recovery codes; [`account`] and
//!   [`account_views`]: signing up, the account's settings, password resets.
//! - [`dashboard`]: a signed-in person's secrets, filtered and paged; [`audit`]: their audit
//!   log, filtered, paged and exported; [`admin`]: the administrators' list of accounts.
//! - [`teams`]: the list of one's teams and joining by invite; [`team_page`]: a team's
//!   dashboard, members, invites, settings and keys; [`team_actions`]: its forms.
//! - [`webhooks`]: a person's or a team's webhook endpoints, their delivery logs and replays.
//! - [`devices`]: naming a browser from its user agent.

pub mod account;
pub mod account_mail;
pub mod account_views;
pub mod admin;
pub mod assets;
pub mod audit;
pub mod dashboard;
pub mod devices;
pub mod form;
pub mod i18n;
pub mod pages;
pub mod session;
pub mod sign_in;
pub mod sign_in_code;
pub mod team_actions;
pub mod team_page;
pub mod teams;
pub mod two_step;
pub mod unsubscribe;
pub mod views;
pub mod webhooks;

use crate::state::AppState;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

/// The address of the page at `path` showing `text` as its notice (`?notice=`), the answer to
/// a form post that changed something (so a reload repeats nothing).
pub fn notice_url(path: &str, text: &str) -> String {
    format!("{path}?notice={}", percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC))
}

/// A redirect to [`notice_url`].
pub fn notice_redirect(path: &str, text: &str) -> Response {
    axum::response::Redirect::to(&notice_url(path, text)).into_response()
}

/// What an unknown path answers: a page for a browser (one that asks for HTML, outside
/// `/api/`), the v1 API's JSON for everyone else, as Onetime Secret's clients expect.
pub async fn not_found(headers: axum::http::HeaderMap, uri: axum::http::Uri) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/html")));
    if !wants_html || uri.path().starts_with("/api/") {
        return crate::api_v1::handlers::not_found().await.into_response();
    }
    let lang = i18n::of_request(&headers);
    let mut resp = i18n::in_language(lang, || pages::PageError(crate::errors::AppError::NoRoute).into_response());
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    resp
}

/// The pages' Content-Security-Policy: only our own scripts, styles and API; no inline code,
/// no third-party origins, no framing.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn page_csp(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    resp
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::create_form).post(pages::create))
        .route("/signin", get(sign_in::sign_in_form).post(sign_in::sign_in))
        .route("/signin/code", get(sign_in_code::code_form).post(sign_in_code::code))
        .route("/signout", post(sign_in::sign_out))
        .route("/signup", get(account::sign_up_form).post(account::sign_up))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/teams", get(teams::list).post(teams::create))
        .route("/teams/{id}", get(team_actions::view))
        .route("/teams/{id}/{action}", post(team_actions::team_action))
        .route("/teams/{id}/{kind}/{item}/{action}", post(team_actions::item_action))
        .route("/join/{token}", get(teams::join_page).post(teams::join))
        .route("/webhooks", get(webhooks::mine).post(webhooks::add))
        .route("/webhooks/team/{id}", get(webhooks::team))
        .route("/webhooks/endpoint/{id}", get(webhooks::log))
        .route("/webhooks/endpoint/{id}/{action}", post(webhooks::act))
        .route("/webhooks/endpoint/{id}/deliveries/{delivery}/replay", post(webhooks::replay))
        .route("/audit", get(audit::page))
        .route("/audit/{file}", get(audit::export))
        .route("/admin", get(admin::accounts))
        .route("/admin/invites", post(admin::invite))
        .route("/admin/accounts/{id}/{action}", post(admin::set_disabled))
        .route("/account", get(account::account_page))
        .route("/account/keys", post(account::create_key))
        .route("/account/notifications", post(account::set_notifications))
        .route("/account/keys/{key_id}/revoke", post(account::revoke_key))
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route("/account/password", post(account::change_password))
        .route("/account/delete", post(account::delete_account))
        .route("/account/two-step", get(two_step::enrol_form).post(two_step::enrol))
        .route("/account/two-step/recovery", post(two_step::regenerate))
        .route("/account/two-step/disable", post(two_step::disable))
        .route("/reset/{token}", get(account::reset_form).post(account::reset))
        .route("/forgot", get(account_mail::forgot_form).post(account_mail::forgot))
        .route("/verify/{token}", get(account_mail::verify_form).post(account_mail::verify))
        .route("/account/verify", post(account_mail::resend))
        .route("/unsubscribe/{account}/{token}", get(unsubscribe::form).post(unsubscribe::unsubscribe))
        .route("/secret/{key}", get(pages::secret_page).post(pages::reveal))
        .route("/private/{key}", get(pages::receipt))
        .route("/private/{key}/burn", get(pages::burn_confirm).post(pages::burn))
        .route("/language", get(i18n::choose))
        .layer(axum::middleware::from_fn_with_state(state, session::resolve))
        .layer(axum::middleware::from_fn(page_csp))
        .layer(axum::middleware::from_fn(i18n::scope))
        .route("/static/{name}", get(assets::asset))
        .route("/robots.txt", get(assets::robots))
}
