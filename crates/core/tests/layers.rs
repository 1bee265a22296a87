//! The core's modules form layers that only point down (see the crate's
//! documentation): this reads every module's `crate::` imports, outside its
//! tests and comments, and fails on one that points up or sideways into a
//! module listed later, and on a module whose documentation does not name its
//! layer.

use std::path::{Path, PathBuf};

/// Every module, in order: a module may use only those before it. The number
/// is its layer.
const ORDER: &[(&str, u8)] = &[
    ("text", 1),
    ("time", 1),
    ("error", 1),
    ("value", 1),
    ("json", 1),
    ("ids", 1),
    ("screen", 2),
    ("catalog", 2),
    ("emitted", 2),
    ("event", 2),
    ("scrub", 2),
    ("options", 2),
    ("session", 3),
    ("delivery", 3),
    ("bridge", 3),
    ("engine", 4),
];

/// What the crate root re-exports, by the module it comes from.
const REEXPORTS: &[(&str, &str)] = &[
    ("Value", "value"),
    ("Error", "error"),
    ("Event", "event"),
    ("Screen", "screen"),
    ("Session", "session"),
    ("Config", "session"),
    ("Ctx", "session"),
    ("Output", "session"),
    ("CATALOG", "catalog"),
    ("lookup", "catalog"),
    ("Category", "catalog"),
    ("EventSpec", "catalog"),
    ("Source", "catalog"),
];

fn rank(module: &str) -> usize {
    ORDER
        .iter()
        .position(|(m, _)| *m == module)
        .unwrap_or_else(|| {
            panic!("module `{module}` is not in tests/layers.rs's ORDER: give it a layer")
        })
}

/// The module a `crate::` path's first segment names.
fn module_of(segment: &str) -> &str {
    match REEXPORTS.iter().find(|(name, _)| *name == segment) {
        Some((_, module)) => module,
        None => segment,
    }
}

/// The code of a source file: without comments, and without its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segments of every `crate::` path in `code`, `crate::{a, b::c}` included.
fn imports(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').expect("a closed use group");
            for item in group[..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    out.push(first.to_owned());
                }
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
        }
    }
    out
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_import_points_down() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = Vec::new();
    let mut checked = 0;
    for path in sources(&src) {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == "lib.rs" {
            continue;
        }
        // engine/*.rs are one module, the engine.
        let module = rel.split(['/', '.']).next().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let (layer, own) = (ORDER[rank(&module)].1, rank(&module));
        let doc = format!("//! Layer {layer} (");
        assert!(
            module == "engine" && rel != "engine/mod.rs" || text.contains(&doc),
            "{rel}: its documentation must say `{doc}...`"
        );
        for target in imports(&code(&text)) {
            let target = module_of(&target);
            if target == module {
                continue;
            }
            checked += 1;
            if rank(target) >= own {
                upward.push(format!(
                    "{rel} (layer {layer}) uses crate::{target} (layer {})",
                    ORDER[rank(target)].1
                ));
            }
        }
    }
    assert!(checked > 40, "the imports were read ({checked})");
    assert!(
        upward.is_empty(),
        "imports that point up or to a module listed later:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_reader_finds_groups_and_paths() {
    let found = imports(
        "use crate::{Error, Value};\nuse crate::json::{self, x};\nlet a = crate::text::cat(&[]);",
    );
    assert_eq!(found, ["Error", "Value", "json", "text"]);
    assert_eq!(
        code("use crate::a;\n// crate::b\n#[cfg(test)]\nuse crate::c;"),
        "use crate::a;"
    );
}
