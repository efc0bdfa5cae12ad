//! The fast reader against serde-saphyr: wherever the fast reader gives a value,
//! serde-saphyr must give the same one, spans included.

use std::fmt::Debug;
use std::path::Path;

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::model::{Baseline, Benchmark, FeatureCatalog, Responsibility, Spanned, Tri};

/// Exercises every kind of field the model has.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // read through `Debug`, which is what the readers are compared by
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    s: Option<Spanned<String>>,
    #[serde(default)]
    plain: Option<String>,
    #[serde(default)]
    l: Vec<Spanned<String>>,
    #[serde(default)]
    b: Option<bool>,
    #[serde(default)]
    t: Option<Spanned<Tri>>,
    #[serde(default)]
    r: Option<Spanned<Responsibility>>,
    #[serde(default)]
    m: Option<Box<Doc>>,
    #[serde(default)]
    ms: Vec<Doc>,
    #[serde(default)]
    nested: Vec<Vec<String>>,
}

fn slow<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_saphyr::from_str_with_options::<T>(text, crate::load::saphyr_options())
        .map_err(|e| e.to_string())
}

/// The fast reader's value, after checking that serde-saphyr gives the same one.
fn agree<T: DeserializeOwned + Debug>(text: &str) -> Option<T> {
    let fast = super::from_str::<T>(text)?;
    match slow::<T>(text) {
        Ok(value) => assert_eq!(
            format!("{fast:?}"),
            format!("{value:?}"),
            "the readers differ on {text:?}"
        ),
        Err(e) => panic!("the fast reader took {text:?}, which serde-saphyr refuses: {e}"),
    }
    Some(fast)
}

#[test]
fn takes_the_plain_subset_and_agrees() {
    let taken = [
        "s: hello world\n",
        "s: hello   \n",
        "s: a # comment\n",
        "s: a#b\n",
        "s: https://example.com/a#b?c=d:e\n",
        "s: 123\n",
        "s: 2.0.0\n",
        "s: 2024-01-01\n",
        "s: true\n",
        "s: -a\n",
        "s: x:y\n",
        "s: 'single ''quoted'' # not a comment'   # comment\n",
        "s: \"double \\\"quoted\\\" \\n \\t \\\\ \\/ \\u00e9 \\x41 \\U0001F600 \\_\"\n",
        "s: \"\"\n",
        "s: ''\n",
        "s: é ü 🙂\n",
        "plain: 'null'\n",
        "l: [a, 'b c', \"d\", e f]\n",
        "l: []\n",
        "l:\n  - a\n  - 'b'\n",
        "l:\n- a\n- b\nb: false\n",
        "# leading comment\n\nb: true\n\n# trailing\n",
        "t: true\nr: customer\n",
        "t: false\n",
        "t: not-applicable\n",
        "m:\n  s: x\n  m:\n    b: true\n",
        "ms:\n  - s: a\n    l: [x]\n  -   s: b\n  -\n    s: c\n",
        "ms:\n- s: a\n  # comment\n  b: true\n- b: false\n",
        "nested:\n  - - a\n    - b\n  - [c, d]\n",
        "s: a\nm:   # comment after the key\n  s: b\n",
        "  s: indented root\n  b: true\n",
        "s: a\r\nl:\r\n  - 'b'\r\n  - c\r\nnested:\r\n  - [d]\r\n",
        "s: |\n  literal\n   more\n\n  # not a comment\nb: true\n",
        "s: |-\n    strip\n\n\nb: true\n",
        "s: |+\n  keep\n\n\n# comment\nb: true\n",
        "s: >\n  folded\n  lines\n\n  paragraph\n\n\n  two\n",
        "s: >- # comment\n  folded\n  stripped\n",
        "s: >+\n  kept\n\n",
        "s: |\r\n  crlf\r\n\r\n  text\r\n",
        "ms:\n- s: |\n    in a sequence\n  b: true\n- s: >-\n    two\n    lines\n",
        "l:\n  - |\n    item\n  - >\n    item\n",
        "s: |\n  last\nb: false",
        "\u{feff}s: after a byte-order mark\r\nl: [b]\r\n",
        "\u{feff}l:\n- a\n",
    ];
    for text in taken {
        assert!(
            agree::<Doc>(text).is_some(),
            "the fast reader refused {text:?}"
        );
    }
}

#[test]
fn leaves_the_rest_to_serde_saphyr() {
    let refused = [
        "s: |2\n  indicator\n",
        "s: |\n\n  leading blank line\n",
        "s: |\n  a\n    \n",
        "s: >\n  a\n    more indented\n",
        "s: |\n  no final line break",
        "s: |\nb: true\n",
        "s: |x\n  a\n",
        "s: |#\n  a\n",
        "s: a\rb\n",
        "s: first\n  second\n",
        "s: 'one\n  two'\n",
        "s: \"one\n  two\"\n",
        "s: &a x\nplain: *a\n",
        "s: !tag x\n",
        "s: {a: b}\n",
        "l: [a, b, ]\n",
        "l: [[a]]\n",
        "s:\n",
        "s: null\n",
        "s: ~\n",
        "plain: Null\n",
        "b: True\n",
        "b: yes\n",
        "b: 'true'\n",
        "t: 'true'\n",
        "t: yes\n",
        "t: 1\n",
        "s: a: b\n",
        "s: a:\n",
        "s:\ta\n",
        "s: \"\\e\"\n",
        "s: \"\\u0000\"\n",
        "s: \"\\x+1\"\n",
        "s: a\u{85}b\n",
        "s: a\u{2028}b\n",
        "s: a\u{feff}b\n",
        "---\ns: a\n",
        "%YAML 1.2\n---\ns: a\n",
        "s: a\ns: b\n",
        "unknown: a\n",
        "\"s\": a\n",
        "? s\n: a\n",
        "<<: {s: a}\n",
        "s: a\n  # deeper comment\n",
        "l:\n  - a\n   - b\n",
        "just a scalar\n",
        "",
    ];
    for text in refused {
        assert!(
            super::from_str::<Doc>(text).is_none(),
            "the fast reader took {text:?}"
        );
    }
}

#[test]
fn a_document_nested_beyond_the_budget_is_left_to_serde_saphyr() {
    let mut text = String::new();
    for depth in 0..70 {
        text.push_str(&" ".repeat(depth * 2));
        text.push_str("m:\n");
    }
    text.push_str(&" ".repeat(140));
    text.push_str("b: true\n");
    assert!(super::from_str::<Doc>(&text).is_none());
}

/// Every file of the embedded default book, with LF and with CRLF line breaks.
#[test]
fn the_default_book_reads_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let benchmark = std::fs::read_to_string(root.join("benchmarks/mcsb-v1.yaml")).unwrap();
    assert!(agree::<Benchmark>(&benchmark).is_some());
    assert!(agree::<Benchmark>(&benchmark.replace('\n', "\r\n")).is_some());
    let features = std::fs::read_to_string(root.join("features.yaml")).unwrap();
    assert!(agree::<FeatureCatalog>(&features).is_some());
    let baseline = std::fs::read_to_string(root.join("baselines/container-registry.yaml")).unwrap();
    assert!(baseline.contains(": >-\n"));
    assert!(agree::<Baseline>(&baseline).is_some());
    assert!(agree::<Baseline>(&baseline.replace('\n', "\r\n")).is_some());
}

/// Baselines as `import` and the corpus generator write them, from Microsoft's 12
/// published v3 mapping files.
#[test]
fn imported_baselines_read_the_same() {
    let Some(fixtures) = crate::test_support::shared_fixtures("msft/v3") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    crate::corpus::generate(&fixtures, 12, dir.path()).unwrap();
    let mut read = 0;
    for entry in std::fs::read_dir(dir.path().join("content/baselines")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                agree::<Baseline>(&text).is_some(),
                "{} left the subset",
                path.display()
            );
            read += 1;
        }
    }
    assert_eq!(read, 12);
}

/// Text to edit generated documents with: YAML's indicators and escapes, spaces, line
/// breaks, null and boolean words, digits and multi-byte characters.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            " ",
            "  ",
            "\n",
            "\n  ",
            "\n- ",
            "- ",
            ": ",
            ":",
            "#",
            " #",
            "'",
            "''",
            "\"",
            "\\",
            "\\n",
            "\\u00",
            "[",
            "]",
            ",",
            "{",
            "}",
            "&",
            "*",
            "!",
            "|",
            ">",
            "?",
            "%",
            "@",
            "`",
            "~",
            "null",
            "true",
            "True",
            "yes",
            "not-applicable",
            "1",
            "0x1",
            ".5",
            "-",
            "é",
            "🙂",
            "\t",
            "\r",
            "s",
            "l",
            "b",
            "t",
            "m",
            "ms",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,3}",
    ]
}

/// `value` as a plain, single-quoted, double-quoted or escaped double-quoted scalar.
fn styled(value: &str, style: usize) -> String {
    match style {
        0 => value.to_string(),
        1 => format!("'{}'", value.replace('\'', "''")),
        2 => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        _ => format!(
            "\"{}\"",
            value
                .chars()
                .map(|c| format!("\\u{:04x}", c as u32 & 0xffff))
                .collect::<String>()
        ),
    }
}

fn sample_doc() -> &'static str {
    concat!(
        "# comment\n",
        "s: hello world # trailing\n",
        "plain: 'it''s'\n",
        "l: [a, \"b\\tc\", 'd']\n",
        "b: true\n",
        "t: not-applicable\n",
        "r: shared\n",
        "m:\n",
        "  s: \"x \\u00e9\"\n",
        "  l:\n",
        "  - one\n",
        "  - two\n",
        "ms:\n",
        "  - s: a\n",
        "    t: false\n",
        "  - b: false\n",
        "    nested:\n",
        "      - [p, q]\n",
        "      - - r\n",
        "  - s: |-\n",
        "      literal\n",
        "\n",
        "      text\n",
        "    plain: >\n",
        "      folded\n",
        "      text\n",
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Edits of a document in the subset: inserting, deleting or replacing text anywhere.
    /// Whatever the fast reader still takes, serde-saphyr reads the same.
    #[test]
    fn edited_documents_read_the_same(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..3usize, fragment()), 1..4)
    ) {
        let mut text = sample_doc().to_string();
        for (at, kind, fragment) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match kind {
                0 => text.insert_str(i, &fragment),
                1 => {
                    let end = text[i..].chars().next().map_or(i, |c| i + c.len_utf8());
                    text.replace_range(i..end, "");
                }
                _ => {
                    let end = text[i..].chars().take(fragment.chars().count()).map(char::len_utf8).sum::<usize>() + i;
                    text.replace_range(i..end, &fragment);
                }
            }
        }
        agree::<Doc>(&text);
    }

    /// Documents of random text in every scalar style, at random indents.
    #[test]
    fn generated_documents_read_the_same(
        values in proptest::collection::vec(("[ -~éü🙂]{0,14}", 0..4usize), 1..6),
        indent in 1..5usize,
        compact in any::<bool>(),
    ) {
        let pad = " ".repeat(indent);
        let mut text = String::from("m:\n");
        let (first, style) = &values[0];
        text.push_str(&format!("{pad}s: {}\n{pad}l:\n", styled(first, *style)));
        let item_pad = if compact { pad.clone() } else { format!("{pad}{pad}") };
        for (value, style) in &values[1..] {
            text.push_str(&format!("{item_pad}- {}\n", styled(value, *style)));
        }
        if values.len() == 1 {
            text.push_str(&format!("{item_pad}- x\n"));
        }
        let flow: Vec<String> = values.iter().map(|(v, s)| styled(v, *s)).collect();
        text.push_str(&format!("nested:\n{pad}- [{}]\n", flow.join(", ")));
        agree::<Doc>(&text);
    }

    /// Block scalars of random lines (blank, more indented, comment-like), every header,
    /// in a mapping and in a sequence, followed by a key or the end, with LF or CRLF.
    #[test]
    fn generated_block_scalars_read_the_same(
        lines in proptest::collection::vec("[ -~éü🙂]{0,10}", 1..6),
        header in proptest::sample::select(vec!["|", "|-", "|+", ">", ">-", ">+", "| # c", ">-  #c"]),
        extra in 1..4usize,
        in_sequence in any::<bool>(),
        then_key in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let (mut text, indent) = if in_sequence {
            (format!("ms:\n  - s: {header}\n"), 4)
        } else {
            (format!("s: {header}\n"), 0)
        };
        let pad = " ".repeat(indent + extra);
        for line in &lines {
            if line.trim().is_empty() {
                text.push_str(line);
            } else {
                text.push_str(&pad);
                text.push_str(line);
            }
            text.push('\n');
        }
        if then_key {
            text.push_str(&" ".repeat(indent));
            text.push_str("b: true\n");
        }
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        agree::<Doc>(&text);
    }
}

#[test]
fn the_sample_document_is_in_the_subset() {
    assert!(agree::<Doc>(sample_doc()).is_some());
}
