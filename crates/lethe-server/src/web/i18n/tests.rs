//! Tests of the catalogues (each parses; every translated message exists in English and takes
//! the same placeholders) and of choosing a request's language.

use super::*;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};

/// Each message of a catalogue with the placeholders (`$name`) it uses.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let resource = FluentResource::try_new(lang.source().to_owned())
        .unwrap_or_else(|(_, e)| panic!("locales/{}.ftl: {e:?}", lang.code()));
    let mut out = BTreeMap::new();
    for entry in resource.entries() {
        match entry {
            Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                assert!(out.insert(m.id.name.to_owned(), vars).is_none(), "{}: {} twice", lang.code(), m.id.name);
            }
            Entry::Junk { content } => panic!("locales/{}.ftl does not parse here: {content}", lang.code()),
            _ => {}
        }
    }
    out
}

fn pattern_vars(p: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let PatternElement::Placeable { expression } = element {
            match expression {
                Expression::Inline(inline) => inline_vars(inline, vars),
                Expression::Select { selector, variants } => {
                    inline_vars(selector, vars);
                    for v in variants {
                        pattern_vars(&v.value, vars);
                    }
                }
            }
        }
    }
}

fn inline_vars(e: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => {
            if let Expression::Inline(inner) = expression.as_ref() {
                inline_vars(inner, vars);
            }
        }
        _ => {}
    }
}

#[test]
fn every_translation_matches_an_english_message_and_its_placeholders() {
    let english = messages(Lang::En);
    assert!(english.len() > 40, "the English catalogue is the complete one");
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let theirs = messages(lang);
        for (key, vars) in &theirs {
            let Some(wanted) = english.get(key) else { panic!("{}: {key} is not an English message", lang.code()) };
            assert_eq!(vars, wanted, "{}: {key} takes other placeholders than in English", lang.code());
        }
        let missing: Vec<_> = english.keys().filter(|k| !theirs.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{}: not translated yet: {missing:?}", lang.code());
    }
}

#[test]
fn messages_format_with_plurals_and_fall_back_to_the_key() {
    assert_eq!(
        (Lang::De.t_n("time-in-hours", 1), Lang::De.t_n("time-in-hours", 5)),
        ("in 1 Stunde".into(), "in 5 Stunden".into())
    );
    assert_eq!(Lang::En.t_n("time-in-days", 3), "in 3 days");
    assert_eq!(Lang::Ar.t_n("time-in-hours", 2), "خلال ساعتين");
    assert_eq!(Lang::Ar.t_n("time-in-days", 3), "خلال \u{2068}3\u{2069} أيام");
    let polish: Vec<String> = [1, 3, 5, 22].into_iter().map(|n| Lang::Pl.t_n("time-in-hours", n)).collect();
    assert_eq!(polish, ["za 1 godzinę", "za 3 godziny", "za 5 godzin", "za 22 godziny"], "Polish plural forms");
    assert_eq!(Lang::Ja.t_n("time-in-days", 2), "2 日後");
    assert_eq!(negotiate(None, Some("ja-JP,ja;q=0.9")), Lang::Ja);
    assert_eq!(Lang::En.t("no-such-message"), "no-such-message", "a missing message shows its key");
    let limited = Lang::Ar.t_with("ended-limited", &[("wait", "3 minutes")]);
    assert!(limited.contains("\u{2068}3 minutes\u{2069}"), "placeholders isolated in right-to-left text: {limited}");
    assert!(!Lang::De.t_with("ended-limited", &[("wait", "3 Minuten")]).contains('\u{2068}'));
    assert_eq!((Lang::Ar.dir(), Lang::De.dir()), ("rtl", "ltr"));
}

#[test]
fn the_cookie_wins_then_accept_language_by_quality_then_english() {
    assert_eq!(negotiate(None, None), Lang::En);
    assert_eq!(negotiate(None, Some("de-DE,de;q=0.9,en;q=0.8")), Lang::De);
    assert_eq!(negotiate(None, Some("sv-SE, ar;q=0.5, de;q=0.4")), Lang::Ar, "the best one spoken here");
    assert_eq!(negotiate(None, Some("en;q=0.2, de;q=0.7")), Lang::De, "by quality, not order");
    assert_eq!(negotiate(None, Some("de;q=0, sv")), Lang::En, "q=0 means not wanted");
    assert_eq!(negotiate(None, Some("de;q=abc")), Lang::En, "a quality that does not parse is dropped");
    assert_eq!(negotiate(Some("ar"), Some("de")), Lang::Ar, "a chosen language wins");
    assert_eq!(negotiate(Some("xx"), Some("de")), Lang::De, "an unknown cookie is ignored");
    assert_eq!(Lang::parse("DE_at"), Some(Lang::De));
}
