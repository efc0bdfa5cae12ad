//! The workbook's table of distinct strings (`xl/sharedStrings.xml`), and XML escaping.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Distinct strings in order of first use: a cell holds its string's index. The `<si>`
/// elements are written as strings arrive, so finishing the part copies one buffer.
#[derive(Default)]
pub(super) struct SharedStrings {
    /// The first string with each hash; `next_same_hash` chains the others. Hashing once
    /// per cell and keeping the texts back to back in `texts` spares the second hash and
    /// the allocation per string that a map of strings costs on every new string.
    first_with_hash: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    next_same_hash: Vec<u32>,
    texts: String,
    /// Where each string ends in `texts`.
    ends: Vec<usize>,
    /// The `<si>` elements so far.
    items: String,
    /// String cells, counting repeats.
    count: u32,
}

const NONE: u32 = u32::MAX;

impl SharedStrings {
    /// The index of `text`, added to the table on its first use.
    pub(super) fn index(&mut self, text: &str) -> u32 {
        self.count += 1;
        let mut hasher = WordHasher::default();
        hasher.write(text.as_bytes());
        let hash = hasher.finish();
        let new = self.ends.len() as u32;
        let mut at = *self.first_with_hash.entry(hash).or_insert(new);
        while at != new {
            if self.text(at) == text {
                return at;
            }
            let next = self.next_same_hash[at as usize];
            if next == NONE {
                self.next_same_hash[at as usize] = new;
                break;
            }
            at = next;
        }
        self.next_same_hash.push(NONE);
        self.texts.push_str(text);
        self.ends.push(self.texts.len());
        let preserve = text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']);
        self.items.push_str(if preserve {
            r#"<si><t xml:space="preserve">"#
        } else {
            "<si><t>"
        });
        escape_content(&mut self.items, text, true);
        self.items.push_str("</t></si>");
        new
    }

    fn text(&self, index: u32) -> &str {
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.texts[start..self.ends[i]]
    }

    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The part `xl/sharedStrings.xml`, made around the `<si>` elements in their buffer
    /// (see [`super::sheet::Sheet::xml`]).
    pub(super) fn xml(&mut self) -> &str {
        let head = format!(
            r#"{}<sst xmlns="{}" count="{}" uniqueCount="{}">"#,
            super::XML_DECLARATION,
            super::MAIN_NS,
            self.count,
            self.ends.len()
        );
        self.items.reserve_exact(head.len() + 6);
        self.items.insert_str(0, &head);
        self.items.push_str("</sst>");
        &self.items
    }
}

/// Text as element content: `&`, `<` and `>` as entities; control characters, which XML
/// 1.0 cannot hold, and U+FFFE and U+FFFF as Excel's `_xHHHH_`. In a cell's text
/// (`lookalikes`), a literal `_xHHHH_` becomes `_x005F_xHHHH_`, so that Excel does not
/// read it as an escape.
pub(super) fn escape_content(out: &mut String, text: &str, lookalikes: bool) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !MAY_ESCAPE[usize::from(b)] {
            continue;
        }
        let escaped: &str = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\t' | b'\n' => continue,
            0..=0x1F => {
                out.push_str(&text[start..i]);
                out.push_str(&format!("_x{b:04X}_"));
                start = i + 1;
                continue;
            }
            b'_' if lookalikes && is_escape_like(&bytes[i..]) => {
                // The `_xHHHH_` itself follows as it is.
                out.push_str(&text[start..i]);
                out.push_str("_x005F");
                start = i;
                continue;
            }
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                out.push_str(&text[start..i]);
                out.push_str(if bytes[i + 2] == 0xBE {
                    "_xFFFE_"
                } else {
                    "_xFFFF_"
                });
                start = i + 3;
                continue;
            }
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Bytes that start something [`escape_content`] may escape: one table lookup per byte
/// for the rest, which is nearly every byte of a cell's text.
const MAY_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'_' as usize] = true;
    table[0xEF] = true;
    table
};

/// `_xHHHH_`, four hexadecimal digits between `_x` and `_`.
fn is_escape_like(bytes: &[u8]) -> bool {
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

/// An attribute value: element-content escaping does not cover `"` and newlines.
pub(super) fn escape_attribute(out: &mut String, text: &str) {
    crate::render::text::push_replacing_ascii(out, text, |b| match b {
        b'&' => Some("&amp;"),
        b'"' => Some("&quot;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'\n' => Some("&#xA;"),
        _ => None,
    });
}

/// Percent-escapes the characters that Excel wants escaped in a hyperlink's target, unless
/// the address holds such an escape already (then it was escaped by its author).
pub(super) fn escape_url(url: &str) -> std::borrow::Cow<'_, str> {
    const ESCAPES: [&[u8]; 11] = [
        b"%20", b"%25", b"%22", b"%60", b"%3c", b"%3e", b"%5b", b"%5d", b"%5e", b"%7b", b"%7d",
    ];
    let escaped_already = url
        .as_bytes()
        .windows(3)
        .any(|w| ESCAPES.iter().any(|e| w.eq_ignore_ascii_case(e)));
    let needs = |c: char| {
        matches!(
            c,
            '%' | '"' | ' ' | '<' | '>' | '[' | ']' | '^' | '`' | '{' | '}'
        )
    };
    if escaped_already || !url.contains(needs) {
        return url.into();
    }
    let mut out = String::with_capacity(url.len() + 16);
    for c in url.chars() {
        if needs(c) {
            out.push_str(&format!("%{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Hashes eight bytes per step: the table's keys are cell texts of a few hundred bytes, and
/// SipHash, std's default, took a twentieth of a build in rust_xlsxwriter's tables. Texts
/// come from the book's own sources, so there is no adversary to resist.
#[derive(Default)]
struct WordHasher(u64);

/// For keys that are hashes already.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes([
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            ]));
        }
        let mut last = [0u8; 8];
        last[..words.remainder().len()].copy_from_slice(words.remainder());
        self.add(u64::from_le_bytes(last));
    }

    fn finish(&self) -> u64 {
        // The multiplication mixes into the high bits only; tables index by the low ones.
        self.0 ^ (self.0 >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        escape_content(&mut out, s, true);
        out
    }

    #[test]
    fn text_escapes_markup_control_characters_and_escape_lookalikes() {
        assert_eq!(text("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
        assert_eq!(text("tab\tnew\nline"), "tab\tnew\nline");
        assert_eq!(text("bell\u{7}cr\r"), "bell_x0007_cr_x000D_");
        assert_eq!(
            text("_x0041_ and _x12_ and _xABCD"),
            "_x005F_x0041_ and _x12_ and _xABCD"
        );
        assert_eq!(
            text("a\u{FFFE}b\u{FFFF}c\u{FFFD}"),
            "a_xFFFE_b_xFFFF_c\u{FFFD}"
        );
        assert_eq!(
            text("<r><t>rich?</t></r>"),
            "&lt;r&gt;&lt;t&gt;rich?&lt;/t&gt;&lt;/r&gt;"
        );
        assert_eq!(text("é_x00e9_"), "é_x005F_x00e9_");
        let mut plain = String::new();
        escape_content(&mut plain, "_x0041_ & \u{1}", false);
        assert_eq!(plain, "_x0041_ &amp; _x0001_");
    }

    #[test]
    fn attributes_escape_quotes_and_newlines() {
        let mut out = String::new();
        escape_attribute(&mut out, "say \"hi\" & <go>\nnow");
        assert_eq!(out, "say &quot;hi&quot; &amp; &lt;go&gt;&#xA;now");
    }

    #[test]
    fn urls_are_escaped_once() {
        assert_eq!(escape_url("https://a.b/x y{z}"), "https://a.b/x%20y%7bz%7d");
        assert_eq!(escape_url("https://a.b/x%20y z"), "https://a.b/x%20y z");
        assert_eq!(escape_url("https://a.b/100%"), "https://a.b/100%25");
        assert_eq!(escape_url("https://a.b/plain"), "https://a.b/plain");
    }

    #[test]
    fn many_strings_keep_their_numbers() {
        let mut sst = SharedStrings::default();
        let texts: Vec<String> = (0..20_000).map(|i| format!("text {i}")).collect();
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(sst.index(text), i as u32);
        }
        for (i, text) in texts.iter().enumerate().rev() {
            assert_eq!(sst.index(text), i as u32);
        }
        assert!(sst.xml().contains(r#"count="40000" uniqueCount="20000""#));
    }

    #[test]
    fn strings_are_numbered_in_order_of_first_use() {
        let mut sst = SharedStrings::default();
        assert!(sst.is_empty());
        assert_eq!(sst.index("b"), 0);
        assert_eq!(sst.index("a"), 1);
        assert_eq!(sst.index("b"), 0);
        assert_eq!(sst.index(" padded"), 2);
        let xml = sst.xml();
        assert!(xml.contains(r#"count="4" uniqueCount="3""#), "{xml}");
        assert!(xml.ends_with(
            r#"<si><t>b</t></si><si><t>a</t></si><si><t xml:space="preserve"> padded</t></si></sst>"#
        ));
    }
}
