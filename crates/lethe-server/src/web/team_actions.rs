//! The team page's forms (all CSRF-checked through [`PageForm`]): `/teams/{id}/{action}` for
//! the team itself (invite, leave, settings, rename, delete, keys) and
//! `/teams/{id}/{kind}/{item}/{action}` for one of its invites, members or keys. A change
//! redirects back with a notice; something shown once (an invite link, a key) is rendered at
//! once; a refusal is shown on the page with its status.

use super::dashboard::DashboardQuery;
use super::form::PageForm;
use super::pages::PageError;
use super::session::Nav;
use super::team_page::{team_page, Extras, Once};
use crate::errors::AppError;
use crate::http::auth::CallerExt;
use crate::http::links::base_url;
use crate::http::viewer::ViewerExt;
use crate::service::audit::Actor;
use crate::service::notify::create::NOTIFY_EVENTS;
use crate::service::{AccountCaller, ServiceError};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use lethe_store::{Role, TeamSettings};

/// What a form did.
enum Done {
    /// Changed: back to `path` with a notice.
    Notice(String, &'static str),
    /// Made something to show once.
    Once(Once, &'static str),
}

/// Everything a team form's handler needs.
struct Ctx<'a> {
    app: &'a AppState,
    nav: Nav,
    headers: &'a HeaderMap,
    caller: &'a AccountCaller,
    id: i64,
}

impl Ctx<'_> {
    async fn answer(self, result: Result<Done, ServiceError>) -> Result<Response, PageError> {
        let q = DashboardQuery::default();
        match result {
            Ok(Done::Notice(path, text)) => Ok(super::notice_redirect(&path, text)),
            Ok(Done::Once(once, text)) => {
                let extras = Extras { notice: Some(text.into()), once: Some(once), ..Extras::default() };
                team_page(self.app, self.nav, self.headers, self.caller, self.id, &q, extras).await
            }
            Err(e @ ServiceError::TeamNotFound) => Err(e.into()),
            Err(
                e @ (ServiceError::Invalid(_)
                | ServiceError::TeamRefused(_)
                | ServiceError::LastOwner
                | ServiceError::NotAuthorized),
            ) => {
                let status = match e {
                    ServiceError::TeamRefused(_) | ServiceError::NotAuthorized => StatusCode::FORBIDDEN,
                    ServiceError::LastOwner => StatusCode::CONFLICT,
                    _ => StatusCode::BAD_REQUEST,
                };
                let extras = Extras { error: Some(e.to_string()), status, ..Extras::default() };
                team_page(self.app, self.nav, self.headers, self.caller, self.id, &q, extras).await
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// `GET /teams/{id}`.
pub async fn view(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    caller: CallerExt,
    Path(id): Path<i64>,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first(&format!("/teams/{id}")));
    };
    team_page(&app, nav, &headers, account, id, &q, Extras::default()).await
}

fn seconds(form: &crate::api_v1::params::Params, field: &str) -> Result<Option<i64>, ServiceError> {
    match form.get(field).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ServiceError::Invalid(format!("{field}: a number of seconds"))),
    }
}

fn role(form: &crate::api_v1::params::Params) -> Result<Role, ServiceError> {
    Role::parse(form.get("role").unwrap_or_default())
        .ok_or_else(|| ServiceError::Invalid("role: owner, admin or member".into()))
}

/// `POST /teams/{id}/{action}`.
pub async fn team_action(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    ViewerExt(viewer): ViewerExt,
    caller: CallerExt,
    Path((id, action)): Path<(i64, String)>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first(&format!("/teams/{id}")));
    };
    let actor = Actor::of(&viewer);
    let s = &app.secrets;
    let back = format!("/teams/{id}");
    let result = match action.as_str() {
        "invite" => {
            async {
                let (token, invite) = s
                    .invite_to_team(account, id, role(&form)?, form.get("email"), seconds(&form, "expires_in")?, &actor)
                    .await?;
                let link = format!("{}/join/{}", base_url(&app.config, &headers), token.expose());
                // An invite bound to an address is mailed there too, where the server sends mail.
                let mailed = match &invite.email {
                    Some(to) => {
                        let team = s.my_team(account, id).await?.team.name;
                        let lives = invite.expires_at - invite.created;
                        s.mail_team_invite(to.as_str(), &team, account.email.as_str(), &link, lives)
                    }
                    None => false,
                };
                let label = match mailed {
                    true => "The invite link, also mailed to the invited address. It is shown only this once.",
                    false => "The invite link. It is shown only this once: send it now.",
                };
                Ok(Done::Once(
                    Once { label, value: link },
                    if mailed { "Invite made and mailed." } else { "Invite made." },
                ))
            }
            .await
        }
        "leave" => {
            s.leave_team(account, id, &actor).await.map(|()| Done::Notice("/teams".into(), "You left the team."))
        }
        "rename" => s
            .rename_team(account, id, form.get("name").unwrap_or_default(), &actor)
            .await
            .map(|()| Done::Notice(back, "The team was renamed.")),
        "delete" if form.get("confirm") != Some("on") => {
            Err(ServiceError::Invalid("Tick the box to confirm deleting the team".into()))
        }
        "delete" => {
            s.delete_team(account, id, &actor).await.map(|()| Done::Notice("/teams".into(), "The team was deleted."))
        }
        "settings" => {
            async {
                let retention = match form.get("audit_retention_days").map(str::trim).filter(|v| !v.is_empty()) {
                    None => None,
                    Some(v) => Some(
                        v.parse::<u32>()
                            .map_err(|_| ServiceError::Invalid("audit_retention_days: a number of days".into()))?,
                    ),
                };
                let settings = TeamSettings {
                    max_ttl: seconds(&form, "max_ttl")?,
                    require_passphrase: form.get("require_passphrase") == Some("on"),
                    require_sign_in: form.get("require_sign_in") == Some("on"),
                    audit_retention_days: retention,
                    notify: match form.get("notify") == Some("on") {
                        true => NOTIFY_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
                        false => Vec::new(),
                    },
                };
                s.update_team_settings(account, id, settings, &actor).await?;
                Ok(Done::Notice(back, "The settings were saved."))
            }
            .await
        }
        "keys" => {
            async {
                let key = s
                    .create_team_api_key(
                        account,
                        id,
                        form.get("name").unwrap_or_default(),
                        seconds(&form, "expires_in")?,
                        &actor,
                    )
                    .await?;
                Ok(Done::Once(
                    Once {
                        label: "The team's new API key. It is shown only this once: store it now.",
                        value: key.expose().to_owned(),
                    },
                    "Key made.",
                ))
            }
            .await
        }
        _ => return Err(AppError::NoRoute.into()),
    };
    Ctx { app: &app, nav, headers: &headers, caller: account, id }.answer(result).await
}

/// `POST /teams/{id}/{kind}/{item}/{action}`: `invites/{id}/revoke`, `members/{account}/role`,
/// `members/{account}/remove`, `keys/{key_id}/revoke`, `secrets/{receipt id}/burn`.
pub async fn item_action(
    State(app): State<AppState>,
    nav: Nav,
    headers: HeaderMap,
    ViewerExt(viewer): ViewerExt,
    caller: CallerExt,
    Path((id, kind, item, action)): Path<(i64, String, String, String)>,
    PageForm(form): PageForm,
) -> Result<Response, PageError> {
    let Some(account) = caller.0.account() else {
        return Ok(super::account::sign_in_first(&format!("/teams/{id}")));
    };
    let actor = Actor::of(&viewer);
    let s = &app.secrets;
    let back = format!("/teams/{id}");
    let number = || item.parse::<i64>().map_err(|_| AppError::NoRoute);
    let result = match (kind.as_str(), action.as_str()) {
        ("invites", "revoke") => s.revoke_team_invite(account, id, number()?, &actor).await.map(|found| {
            Done::Notice(back, if found { "The invite was withdrawn." } else { "There was no such invite." })
        }),
        ("members", "role") => match role(&form) {
            Ok(r) => s
                .set_member_role(account, id, number()?, r, &actor)
                .await
                .map(|()| Done::Notice(back, "The role was changed.")),
            Err(e) => Err(e),
        },
        ("members", "remove") => s
            .remove_member(account, id, number()?, &actor)
            .await
            .map(|()| Done::Notice(back, "The member was removed.")),
        ("secrets", "burn") => s.burn_team_secret(account, id, &item, &actor).await.map(|burned| {
            Done::Notice(back, if burned { "The secret was burned." } else { "That secret had already ended." })
        }),
        ("keys", "revoke") => s
            .revoke_team_api_key(account, id, &item, &actor)
            .await
            .map(|found| Done::Notice(back, if found { "The key was revoked." } else { "There was no such key." })),
        _ => return Err(AppError::NoRoute.into()),
    };
    Ctx { app: &app, nav, headers: &headers, caller: account, id }.answer(result).await
}
