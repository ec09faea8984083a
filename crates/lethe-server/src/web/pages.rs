//! Page handlers: thin wrappers that call the service and pick a template. Every page works
//! without JavaScript (the server encrypts); `static/app.js` upgrades them to end-to-end.

use super::form::PageForm;
use super::session::Nav;
use super::views::{self, duration, when};
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::http::links::base_url;
use crate::http::viewer::ViewerExt;
use crate::service::notify::create::{MailOptions, NOTIFY_EVENTS};
use crate::service::viewer::{split_viewers, viewer_rule};
use crate::service::ServiceError;
use crate::service::{Caller, Conceal, Credential, Owner, Payload};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{ReceiptToken, SecretToken};

/// An error shown as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        PageError(e.into())
    }
}

pub(crate) fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => PageError(AppError::Service(ServiceError::internal("rendering a page", e))).into_response(),
    }
}

fn ended_page(state: SecretState, at: Option<i64>) -> Response {
    let nav = Nav::default();
    let (title, message, label) = match state {
        SecretState::Viewed => ("ended-viewed-title", "ended-viewed", "ended-viewed-when"),
        SecretState::Burned => ("ended-burned-title", "ended-burned", "ended-burned-when"),
        SecretState::Expired => ("ended-expired-title", "ended-expired", "ended-expired-when"),
        SecretState::New => ("ended-waiting-title", "", ""),
    };
    let text = |key: &str| if key.is_empty() { String::new() } else { nav.t(key) };
    let (title, message, when_label) = (text(title), text(message), text(label));
    let page = views::Ended { nav, state: state.as_str(), title, message, when_label, when: at.map(when) };
    render(StatusCode::GONE, &page)
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let nav = Nav::default();
        let page = |key: &str, message: String, state| {
            let title = nav.t(&format!("ended-{key}-title"));
            views::Ended { nav: nav.clone(), state, title, message, when_label: String::new(), when: None }
        };
        let page = match &self.0 {
            AppError::Service(ServiceError::Unknown) | AppError::MalformedKey => {
                page("unknown", nav.t("ended-unknown"), "unknown")
            }
            AppError::Service(ServiceError::Gone(s)) => return ended_page(*s, None),
            AppError::Service(ServiceError::SignInRequired) => page("signin", nav.t("ended-signin"), "signin"),
            AppError::Service(ServiceError::ViewerNotAllowed) => page("refused", nav.t("ended-refused"), "refused"),
            AppError::RateLimited { retry_after } => {
                let message = nav.lang.t_with("ended-limited", &[("wait", &views::wait(*retry_after))]);
                page("limited", message, "limited")
            }
            AppError::NoRoute => page("notfound", nav.t("ended-notfound"), "notfound"),
            other => page("error", other.to_string(), "error"),
        };
        let status = match self.0 {
            AppError::MalformedKey => StatusCode::NOT_FOUND,
            ref e => e.status(),
        };
        let mut resp = render(status, &page);
        self.0.add_retry_after(&mut resp);
        resp
    }
}

/// The create form, offering `caller`'s teams (if any) beside a personal secret.
async fn index(app: &AppState, nav: Nav, caller: &Caller, error: Option<String>) -> views::Index {
    let teams = match caller.account() {
        Some(a) => app.secrets.my_teams(a).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let teams = teams.into_iter().map(|m| views::TeamChoice { id: m.team.id, name: m.team.name }).collect();
    let policy = app.secrets.policy();
    let max_ttl = if nav.signed_in() { policy.max_ttl } else { policy.anonymous_max_ttl };
    views::Index {
        nav,
        error,
        max_chars: app.config.max_secret_bytes,
        lifetimes: views::lifetimes(max_ttl),
        share_link: String::new(),
        receipt_link: String::new(),
        expires: String::new(),
        passphrase: false,
        teams,
        mail: app.secrets.sends_mail() && caller.account().is_some(),
        notify_default: caller.account().is_some_and(|a| !a.notify_default.is_empty()),
    }
}

/// `GET /`: the create form.
pub async fn create_form(State(app): State<AppState>, nav: Nav, caller: CallerExt) -> Response {
    render(StatusCode::OK, &index(&app, nav, &caller.0, None).await)
}

/// `POST /`: creating without JavaScript; the server encrypts.
pub async fn create(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    caller: CallerExt,
    PageForm(mut form): PageForm,
) -> Response {
    let payload =
        Payload::Text { content: form.take("secret").unwrap_or_default(), passphrase: form.take("passphrase") };
    let name = form.get("name").map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let owner = Owner::of(&caller.0);
    let allowed = form.get("allowed_viewers").map(split_viewers).unwrap_or_default();
    let viewer_rule = match viewer_rule(form.get("require_login").is_some_and(|v| v == "on"), &allowed) {
        Ok(rule) => rule,
        Err(e) => return render(StatusCode::BAD_REQUEST, &index(&app, nav, &caller.0, Some(e.to_string())).await),
    };
    let ttl = form.get("ttl").map(str::to_owned);
    let team = match form.get("team").map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => match t.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let e = "team: choose one of your teams, or Personal".to_owned();
                return render(StatusCode::BAD_REQUEST, &index(&app, nav, &caller.0, Some(e)).await);
            }
        },
    };
    let mail = MailOptions {
        recipient: form.get("recipient").map(str::to_owned),
        note: form.get("note").map(str::to_owned),
        // The form offers the choice only where mail is sent; without it, the defaults apply.
        notify: form.get("notify_choice").map(|_| match form.get("notify") == Some("on") {
            true => NOTIFY_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            false => Vec::new(),
        }),
        link_base: base_url(&app.config, &headers),
    };
    let req = Conceal { payload, ttl, owner, mail, name, viewer_rule, team };
    match app.secrets.conceal(req).await.map_err(AppError::from) {
        // The created page has its own address (the receipt's), so a reload posts nothing.
        Ok(c) => {
            axum::response::Redirect::to(&format!("/private/{}?created=1", c.receipt_token.expose())).into_response()
        }
        Err(
            e @ AppError::Service(
                ServiceError::NothingToShare
                | ServiceError::SecretTooLarge { .. }
                | ServiceError::Invalid(_)
                | ServiceError::AccountRequired
                | ServiceError::Undeliverable(_)
                | ServiceError::TeamNotFound,
            ),
        ) => render(e.status(), &index(&app, nav, &caller.0, Some(e.to_string())).await),
        Err(e) => PageError(e).into_response(),
    }
}

fn waiting(
    nav: Nav,
    key: &SecretToken,
    kind: ContentKind,
    passphrase_required: bool,
    error: Option<String>,
) -> views::Waiting {
    views::Waiting {
        nav,
        key: key.expose().to_owned(),
        e2e: kind == ContentKind::E2e,
        passphrase_required,
        sign_in_first: false,
        error,
        value: String::new(),
        expires: None,
    }
}

/// `GET /secret/{key}` (and HEAD): says a secret is waiting, or how it ended. Never consumes.
pub async fn secret_page(
    State(app): State<AppState>,
    nav: Nav,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    let token = SecretToken::parse(&key).map_err(|_| AppError::MalformedKey)?;
    let s = app.secrets.status(&token).await?;
    if s.state != SecretState::New {
        return Ok(ended_page(s.state, s.ended_at));
    }
    let sign_in_first = s.sign_in_required && !nav.signed_in();
    let expires = s.expires_at.map(|t| {
        let from_now =
            format!("<span data-relative>{}</span>", views::escape(&views::until(nav.lang, t - app.secrets.now())));
        let at = format!("<time data-no-relative>{}</time>", views::escape(&when(t)));
        nav.lang.t_with("waiting-expires-html", &[("from_now", &from_now), ("at", &at)])
    });
    let page = views::Waiting { sign_in_first, expires, ..waiting(nav, &token, s.kind, s.passphrase_required, None) };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /secret/{key}`: reveals without JavaScript (the server decrypts).
pub async fn reveal(
    State(app): State<AppState>,
    nav: Nav,
    Path(key): Path<String>,
    ViewerExt(viewer): ViewerExt,
    PageForm(mut form): PageForm,
) -> Result<Response, PageError> {
    let token = SecretToken::parse(&key).map_err(|_| AppError::MalformedKey)?;
    let passphrase = form.take("passphrase");
    let result = app
        .secrets
        .reveal(&token, Credential::Passphrase(passphrase.as_deref().map(|p| p.as_str())), &viewer)
        .await
        .map_err(AppError::from);
    let retry =
        |kind, status: StatusCode, msg: String| render(status, &waiting(nav.clone(), &token, kind, true, Some(msg)));
    Ok(match result {
        Ok(r) => render(StatusCode::OK, &views::Revealed { nav: nav.clone(), value: r.content.to_string() }),
        Err(AppError::Service(ServiceError::WrongPassphrase { remaining: 0 })) => {
            ended_page(SecretState::Burned, Some(app.secrets.now()))
        }
        Err(AppError::Service(ServiceError::WrongPassphrase { remaining })) => retry(
            ContentKind::Text,
            StatusCode::FORBIDDEN,
            nav.lang.t_n("reveal-wrong-passphrase", i64::from(remaining)),
        ),
        Err(AppError::Service(ServiceError::PassphraseRequired)) => {
            retry(ContentKind::Text, StatusCode::UNAUTHORIZED, nav.t("reveal-passphrase-needed"))
        }
        Err(AppError::Service(ServiceError::NeedsEndToEnd)) => {
            let s = app.secrets.status(&token).await?;
            render(
                StatusCode::CONFLICT,
                &waiting(nav.clone(), &token, ContentKind::E2e, s.passphrase_required, Some(nav.t("reveal-needs-js"))),
            )
        }
        Err(e) => return Err(PageError(e)),
    })
}

fn receipt_page(
    app: &AppState,
    nav: Nav,
    headers: &HeaderMap,
    token: &ReceiptToken,
    view: crate::service::ReceiptView,
    notice: Option<&'static str>,
) -> Response {
    let r = &view.record;
    let (state, label) = match view.state {
        SecretState::New => ("new", "Waiting to be viewed"),
        SecretState::Viewed => ("viewed", "Viewed"),
        SecretState::Burned => ("burned", "Burned"),
        SecretState::Expired => ("expired", "Expired"),
    };
    let base = base_url(&app.config, headers);
    let page = views::Receipt {
        nav,
        key: token.expose().to_owned(),
        name: r.name.clone(),
        notice,
        state,
        state_label: label,
        reason: r.burn_reason.map(|b| match b {
            BurnReason::Creator => "by you",
            BurnReason::PassphraseAttempts => "too many wrong passphrases",
        }),
        created: when(r.created),
        expires: matches!(view.state, SecretState::New | SecretState::Expired).then(|| when(r.secret_expires_at)),
        expires_label: if view.state == SecretState::Expired { "Expired" } else { "Expires" },
        viewed: r.viewed_at.map(when),
        burned: r.burned_at.map(when),
        passphrase_required: r.passphrase_required,
        late_attempts: r.late_attempts,
        share_link: view.secret.as_ref().map(|t| format!("{base}/secret/{}", t.expose())),
        e2e: r.kind == ContentKind::E2e,
        require_login: r.viewer_rule.sign_in,
        allowed_viewers: r.viewer_rule.allowed.iter().map(|e| e.as_str().to_owned()).collect(),
        refused_viewers: r.refused_viewers,
        recipients: r.recipients.clone(),
        delivery: r.delivery.clone().unwrap_or_default(),
        viewed_by: r.viewer_addr.as_ref().map(|addr| views::ViewedBy {
            who: r.viewer_email.clone().unwrap_or_else(|| "anonymous".to_owned()),
            client_addr: addr.clone(),
            user_agent: r.viewer_agent.clone().unwrap_or_default(),
        }),
    };
    render(StatusCode::OK, &page)
}

fn receipt_token(key: &str) -> Result<ReceiptToken, PageError> {
    ReceiptToken::parse(key).map_err(|_| PageError(AppError::MalformedKey))
}

/// `GET /private/{key}`: the creator's receipt.
pub async fn receipt(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, PageError> {
    let token = receipt_token(&key)?;
    let view = app.secrets.receipt(&token).await?;
    // Right after creating (`?created=1`), while it waits: the created page, with both links.
    if let (Some(_), Some(secret)) = (q.created, view.secret.as_ref()) {
        let base = base_url(&app.config, &headers);
        let r = &view.record;
        let page = views::Created {
            nav,
            share_link: format!("{base}/secret/{}", secret.expose()),
            receipt_link: format!("{base}/private/{}", token.expose()),
            expires: format!("in {} ({})", duration(r.ttl), when(r.secret_expires_at)),
            passphrase: r.passphrase_required,
        };
        return Ok(render(StatusCode::OK, &page));
    }
    let notice = match q.burned.as_deref() {
        Some("1") => Some(BURNED),
        Some(_) => Some(NOTHING_TO_BURN),
        None => None,
    };
    Ok(receipt_page(&app, nav, &headers, &token, view, notice))
}

/// `?created=1` on a receipt: show it as the page that follows creating; `?burned=1` (or `0`):
/// the receipt after a burn (or after one that found nothing left).
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReceiptQuery {
    pub created: Option<String>,
    pub burned: Option<String>,
}

/// `GET /private/{key}/burn`: asks for confirmation (works without JavaScript).
pub async fn burn_confirm(nav: Nav, Path(key): Path<String>) -> Result<Response, PageError> {
    let token = receipt_token(&key)?;
    Ok(render(StatusCode::OK, &views::BurnConfirm { nav, key: token.expose().to_owned() }))
}

/// `POST /private/{key}/burn`: burns, then redirects to the receipt.
pub async fn burn(
    State(app): State<AppState>,
    nav: Nav,
    Path(key): Path<String>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let token = receipt_token(&key)?;
    let notice = match app.secrets.burn(&token).await.map_err(AppError::from) {
        Ok(_) => BURNED,
        Err(AppError::Service(ServiceError::Gone(_))) => NOTHING_TO_BURN,
        Err(e) => return Err(PageError(e)),
    };
    if form.get("return_to") == Some("dashboard") && nav.signed_in() {
        return Ok(super::notice_redirect("/dashboard", notice));
    }
    // A team dashboard's burn button goes back to it (its id is all that is taken from it).
    let team = form.get("return_to").and_then(|t| t.strip_prefix("team:")).and_then(|id| id.parse::<i64>().ok());
    if let Some(id) = team.filter(|_| nav.signed_in()) {
        return Ok(super::notice_redirect(&format!("/teams/{id}"), notice));
    }
    // Back to the receipt's own address, so a reload shows it and re-posts nothing.
    let outcome = if notice == BURNED { "1" } else { "0" };
    Ok(axum::response::Redirect::to(&format!("/private/{}?burned={outcome}", token.expose())).into_response())
}

/// What the receipt says after a burn.
const BURNED: &str = "The secret was burned. Nobody can view it now.";
const NOTHING_TO_BURN: &str = "There was nothing left to burn.";
