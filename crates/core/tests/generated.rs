//! Files generated from the core, committed so that JavaScript reads the
//! catalog without the wasm: `js/catalog.js`. Each test fails when the
//! committed file differs from what the core generates now; run it with
//! `OKRA_REGENERATE=1` to write the file anew.

use std::path::PathBuf;

use okra_events_core::catalog::ALIAS_NETWORK_DISCONNECTED;
use okra_events_core::{Category, Screen, Source, CATALOG};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The categories in the order `CATEGORY_OF` indexes them.
const CATEGORIES: [Category; 5] = [
    Category::Auth,
    Category::Payment,
    Category::ReturningUser,
    Category::Network,
    Category::General,
];

/// A JavaScript string literal (JSON's, which JavaScript reads as is).
fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[\n  {},\n]", items.join(",\n  "))
}

/// `js/catalog.js`: the catalog as plain data, one export per column, so a
/// bundler keeps only the columns an entry reads.
fn catalog_js() -> String {
    let index_of = |c: Category| CATEGORIES.iter().position(|x| *x == c).unwrap();
    let screen_of = |s: Option<Screen>| match s {
        Some(s) => {
            let i = Screen::ALL.iter().position(|x| *x == s).unwrap();
            char::from(b'a' + i as u8)
        }
        None => '-',
    };
    let mut out = String::new();
    out.push_str("// The event catalog as plain data, generated from crates/core/src/catalog.rs\n");
    out.push_str("// by crates/core/tests/generated.rs (OKRA_REGENERATE=1 cargo test -p\n");
    out.push_str("// okra-events-core --test generated). Do not edit: the test fails when this\n");
    out.push_str("// file differs from the core.\n\n");
    out.push_str("/** Every event name, canonical, in the documentation's order. */\n");
    out.push_str(&format!(
        "export const NAMES = {};\n\n",
        list(CATALOG.iter().map(|e| lit(e.name)))
    ));
    out.push_str("/** The categories `CATEGORY_OF` indexes. */\n");
    out.push_str(&format!(
        "export const CATEGORIES = {};\n\n",
        list(CATEGORIES.iter().map(|c| lit(c.as_str())))
    ));
    out.push_str("/** Each name's category: one digit per name, an index into `CATEGORIES`. */\n");
    let cats: String = CATALOG
        .iter()
        .map(|e| char::from(b'0' + index_of(e.category) as u8))
        .collect();
    out.push_str(&format!("export const CATEGORY_OF = {};\n\n", lit(&cats)));
    out.push_str("/** Every screen, in the order of the widget's flow. */\n");
    out.push_str(&format!(
        "export const SCREENS = {};\n\n",
        list(Screen::ALL.iter().map(|s| lit(s.as_str())))
    ));
    out.push_str(
        "/** Each name's documented screen: a letter per name (`a` is `SCREENS[0]`), or `-` for none. */\n",
    );
    let screens: String = CATALOG.iter().map(|e| screen_of(e.screen)).collect();
    out.push_str(&format!("export const SCREEN_OF = {};\n\n", lit(&screens)));
    out.push_str("/** Whether the widget reports each name with `track` (`1`) or okra-events emits it (`0`). */\n");
    let tracked: String = CATALOG
        .iter()
        .map(|e| match e.source {
            Source::Tracked => '1',
            Source::Automatic(_) => '0',
        })
        .collect();
    out.push_str(&format!("export const TRACKED = {};\n\n", lit(&tracked)));
    out.push_str("/** Each name's description, from the widget's documentation. */\n");
    out.push_str(&format!(
        "export const DESCRIPTIONS = {};\n\n",
        list(CATALOG.iter().map(|e| lit(e.description)))
    ));
    out.push_str("/** Accepted on input as another spelling of `USER_NETWORK_DISCONNECTED`. */\n");
    out.push_str(&format!(
        "export const ALIAS = {};\n",
        lit(ALIAS_NETWORK_DISCONNECTED)
    ));
    out
}

/// Compares a generated file with the committed one, or writes it.
fn check(path: &str, generated: String) {
    let file = repo().join(path);
    if std::env::var_os("OKRA_REGENERATE").is_some() {
        std::fs::write(&file, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} differs from what the core generates: run OKRA_REGENERATE=1 cargo test -p okra-events-core --test generated, and commit it"
    );
}

#[test]
fn the_javascript_catalog_is_the_cores() {
    check("js/catalog.js", catalog_js());
}
