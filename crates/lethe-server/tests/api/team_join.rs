//! A team invite opened by someone without an account: the join page offers to sign up,
//! sign-up comes back to the invite, and the new account joins; a `next` that leaves the
//! site is never followed.

use crate::harness::TestServer;
use crate::teams::{invite, make_team, member};
use crate::web::{Browser, PASSWORD};
use lethe_server::config::SignupMode;
use reqwest::StatusCode;

#[tokio::test]
async fn sign_up_from_an_invite_comes_back_to_it_and_joins() {
    let s = TestServer::start_with(|c| c.signup = SignupMode::Open).await;
    let (_, mut ann) = member(&s, "ann@example.com").await;
    let team = make_team(&mut ann, "Ops").await;
    let path = invite(&mut ann, team, "member", "erin@example.com").await;

    let mut erin = Browser::new(&s);
    let page = erin.get(&path).await;
    let signup = format!("/signup?next={path}");
    assert!(page.body.contains(&signup), "the join page offers sign-up and back: {}", page.body);
    let form = erin.get(&signup).await;
    assert!(form.body.contains(&format!(r#"name="next" value="{path}""#)), "{}", form.body);
    let made = erin
        .post(
            "/signup",
            &[("email", "erin@example.com"), ("password", PASSWORD), ("password2", PASSWORD), ("next", &path)],
        )
        .await;
    assert_eq!((made.status, made.location()), (StatusCode::SEE_OTHER, path.as_str()), "back to the invite");
    let joined = erin.submit(&path, &[]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert!(joined.location().starts_with(&format!("/teams/{team}")));

    let mut fred = Browser::new(&s);
    let away = fred
        .post(
            "/signup",
            &[
                ("email", "fred@example.com"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(away.location(), "/dashboard", "never another site");
}
