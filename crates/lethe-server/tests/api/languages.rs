//! The pages' languages over HTTP: `Accept-Language` chooses, the `lethe_lang` cookie (set by
//! `/language`) wins over it, `<html lang dir>` follows, right to left for Arabic; the
//! recipient's pages and the error pages are translated; English stays the default.

use crate::harness::TestServer;
use reqwest::StatusCode;

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn get(s: &TestServer, path: &str, headers: &[(&str, &str)]) -> Page {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut req = client.get(s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    Page { status, headers, body: r.text().await.unwrap() }
}

#[tokio::test]
async fn the_recipients_page_speaks_the_readers_language() {
    let s = TestServer::start().await;
    let key = s.share("x", &[("ttl", "3600")]).await.str("secret_key").to_owned();
    let path = format!("/secret/{key}");

    let en = get(&s, &path, &[]).await;
    assert!(en.body.contains(r#"<html lang="en" dir="ltr">"#) && en.body.contains("A secret is waiting for you"));
    assert!(en.body.contains("in 1 hour"), "{}", en.body);

    let de = get(&s, &path, &[("accept-language", "de-DE,de;q=0.9,en;q=0.8")]).await;
    assert!(de.body.contains(r#"<html lang="de" dir="ltr">"#), "{}", de.body);
    assert!(de.body.contains("Ein Geheimnis wartet auf Sie") && de.body.contains("Geheimnis ansehen"));
    assert!(de.body.contains("in 1 Stunde") && de.body.contains("<time data-no-relative>"), "{}", de.body);
    assert!(de.body.contains("<strong>ein einziges Mal</strong>"), "markup from the catalogue is kept");
    assert!(de.body.contains(r#""js-decrypting":"Wird entschlüsselt…""#), "the script's messages too");
    assert!(de.body.contains(r#"Verbleibende Versuche: {n}."#), "with the number left to the script");

    let ar = get(&s, &path, &[("accept-language", "ar-EG")]).await;
    assert!(ar.body.contains(r#"<html lang="ar" dir="rtl">"#) && ar.body.contains("سرٌّ بانتظارك"), "{}", ar.body);

    for (lang, title) in [
        ("fr-CA", "Un secret vous attend"),
        ("es", "Un secreto te está esperando"),
        ("pt-BR", "Um segredo está à sua espera"),
        ("it", "Un segreto ti aspetta"),
        ("nl-BE", "Er wacht een geheim op u"),
        ("pl", "Czeka na Ciebie sekret"),
        ("ja", "秘密があなたを待っています"),
    ] {
        let page = get(&s, &path, &[("accept-language", lang)]).await;
        assert!(page.body.contains(title), "{lang}: {}", page.body);
    }

    let chosen = get(&s, &path, &[("accept-language", "ar"), ("cookie", "lethe_lang=de")]).await;
    assert!(chosen.body.contains(r#"lang="de""#), "the chosen language wins over the browser's");
    assert!(chosen.body.contains(r#"<option value="de" lang="de" selected>Deutsch</option>"#), "{}", chosen.body);
}

#[tokio::test]
async fn the_switcher_keeps_the_choice_and_goes_back_only_to_a_local_page() {
    let s = TestServer::start().await;
    let r = get(&s, "/language?lang=ar&back=/private/abc", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/private/abc");
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lethe_lang=ar;") && cookie.contains("SameSite=Lax"), "{cookie}");
    for back in ["//evil.example/x", "https://evil.example/", "/\\evil.example"] {
        let r = get(&s, &format!("/language?lang=de&back={}", urlencoding(back)), &[]).await;
        assert_eq!(r.headers["location"], "/", "{back} is not followed");
    }
    let unknown = get(&s, "/language?lang=xx", &[]).await;
    assert!(unknown.headers.get("set-cookie").is_none(), "an unknown language is not kept");
}

#[tokio::test]
async fn error_pages_are_translated_too() {
    let s = TestServer::start().await;
    let html = ("accept", "text/html");
    let missing = get(&s, "/no/such/page", &[html, ("accept-language", "de")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Seite nicht gefunden") && missing.body.contains(r#"lang="de""#));
    let unknown = get(&s, &format!("/secret/{}", "a".repeat(54)), &[("accept-language", "ar")]).await;
    assert!(unknown.body.contains("هذا السر غير موجود"), "{}", unknown.body);
    let key = s.share("x", &[]).await.str("secret_key").to_owned();
    s.reveal(&key, None).await;
    let viewed = get(&s, &format!("/secret/{key}"), &[("accept-language", "de")]).await;
    assert_eq!(viewed.status, StatusCode::GONE);
    assert!(viewed.body.contains("Dieses Geheimnis wurde bereits angesehen"), "{}", viewed.body);
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
