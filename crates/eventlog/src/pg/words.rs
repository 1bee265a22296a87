//! The words keyword search sees on PostgreSQL, cut exactly as SQLite's
//! FTS5 `unicode61 remove_diacritics 2` tokenizer cuts them, so both
//! backends find the same events for the same query.
//!
//! A word is a run of letters and digits; everything else separates words.
//! Words are lower-cased and lose their diacritics (`Ré` → `re`). The
//! document's words go into a `tsvector` written in its literal form, with
//! positions, so PostgreSQL's own parser (which would keep `cust-12` whole
//! and apply a configuration) never runs; a query becomes a `tsquery` of
//! the same words, phrases joined by `<->` (followed by), so `cust_123`
//! matches the two words `cust` `123` next to each other, as FTS5's phrase
//! does.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// PostgreSQL refuses lexemes longer than 2,047 bytes; longer words are
/// cut to this many bytes, in documents and queries alike.
const MAX_WORD_BYTES: usize = 2_000;
/// The largest word position a `tsvector` holds; later words share it.
const MAX_POSITION: usize = 16_383;

/// Calls `each` with every word of `text`, folded (lower case, no
/// diacritics).
pub fn words(text: &str, mut each: impl FnMut(String)) {
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word_char = c.is_alphanumeric() || is_private_use(c);
        match (word_char, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                each(fold(&text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        each(fold(&text[s..]));
    }
}

fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Lower case without diacritics, at most [`MAX_WORD_BYTES`] bytes.
fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    if word.is_ascii() {
        out.push_str(&word.to_ascii_lowercase());
    } else {
        for c in word.nfd().filter(|c| !is_combining_mark(*c)) {
            out.extend(c.to_lowercase());
        }
    }
    if out.len() > MAX_WORD_BYTES {
        let mut end = MAX_WORD_BYTES;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

/// Quotes a word as a `tsvector` or `tsquery` literal lexeme.
fn quote(word: &str, out: &mut String) {
    out.push('\'');
    for c in word.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

/// The `tsvector` literal of an event's index text: every word with its
/// position.
pub fn tsvector(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() + doc.len() / 2);
    let mut pos = 0usize;
    words(doc, |w| {
        pos = (pos + 1).min(MAX_POSITION);
        if !out.is_empty() {
            out.push(' ');
        }
        quote(&w, &mut out);
        out.push(':');
        out.push_str(&pos.to_string());
    });
    out
}

/// The `tsquery` literal of a keyword expression made by
/// [`crate::query::keyword`] (FTS5 syntax: quoted phrases joined by ` AND `,
/// a phrase followed by ` *` is a prefix). `None` when no phrase has a word
/// (nothing matches).
pub fn tsquery(fts5: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = fts5;
    while let Some(open) = rest.find('"') {
        // A phrase: "...", with "" for a quote inside.
        let body_start = open + 1;
        let bytes = rest.as_bytes();
        let mut i = body_start;
        let mut phrase = String::new();
        while i < bytes.len() {
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    phrase.push('"');
                    i += 2;
                    continue;
                }
                break;
            }
            let c = rest[i..].chars().next().expect("inside the string");
            phrase.push(c);
            i += c.len_utf8();
        }
        rest = &rest[(i + 1).min(rest.len())..];
        let prefix = rest.starts_with(" *");
        let mut ws = Vec::new();
        words(&phrase, |w| ws.push(w));
        if ws.is_empty() {
            continue;
        }
        let last = ws.len() - 1;
        let mut part = String::new();
        for (n, w) in ws.iter().enumerate() {
            if n > 0 {
                part.push_str(" <-> ");
            }
            quote(w, &mut part);
            if prefix && n == last {
                part.push_str(":*");
            }
        }
        parts.push(if ws.len() > 1 {
            format!("({part})")
        } else {
            part
        });
    }
    (!parts.is_empty()).then(|| parts.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        words(text, |w| v.push(w));
        v
    }

    #[test]
    fn words_split_like_unicode61() {
        assert_eq!(all("cust_123 CUST-9000"), ["cust", "123", "cust", "9000"]);
        assert_eq!(all("Ré-essai 1.50 -2e3"), ["re", "essai", "1", "50", "2e3"]);
        assert_eq!(all("ÉCOLE naïve"), ["ecole", "naive"]);
        assert_eq!(all("--  "), Vec::<String>::new());
        assert_eq!(all("Ставка"), ["ставка"]);
    }

    #[test]
    fn documents_keep_positions() {
        assert_eq!(tsvector("a-b\nA"), "'a':1 'b':2 'a':3");
        assert_eq!(tsvector("it's"), "'it':1 's':2");
    }

    #[test]
    fn queries_follow_the_fts5_expression() {
        assert_eq!(tsquery("\"alat\"").as_deref(), Some("'alat'"));
        assert_eq!(
            tsquery("\"cust_123\" AND \"login\" *").as_deref(),
            Some("('cust' <-> '123') & 'login':*")
        );
        assert_eq!(
            tsquery("\"a\"\"b\" AND \"cust-1\" *").as_deref(),
            Some("('a' <-> 'b') & ('cust' <-> '1':*)")
        );
        assert_eq!(tsquery("\"--\""), None);
    }
}
