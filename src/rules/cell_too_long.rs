//! `cell-too-long`: a workbook cell would hold more text than Excel allows.

use crate::diag::{Diagnostic, Severity};
use crate::model::Spanned;
use crate::render::ooxml::{excel_len, fits_a_cell, MAX_CELL_TEXT};

use super::{texts, Context, Rule};

pub const RULE: Rule = Rule {
    id: "cell-too-long",
    severity: Severity::Error,
    summary: "a text is too long for one Excel cell",
    explanation: "\
## What it does
Finds texts that would fill a workbook cell with more than 32,767 characters, Excel's limit
for one cell. Most fields are a cell of their own. The Guidance cell of a feature holds its
`guidance`, `additional_guidance` and `custom_guidance` together, and the Feature Reference
cell holds the reference's `title: url`, so their lengths are added up. Characters are
counted as Excel counts them: one for most, two for emoji and other characters outside the
Basic Multilingual Plane.

The rule runs only when the book writes workbooks (`[output] xlsx = true`).

## Why
Excel refuses such a cell, so the workbooks cannot be written: `build` would stop at the
render. This rule stops it at `check`, pointing at the text.

## Example
```yaml
guidance: A text of 40,000 characters...
```

## How to fix
Shorten the text: move detail into the service's documentation and link it under
`reference:`, or split the guidance between the features it is about.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.book.config.output.xlsx {
        return;
    }
    let too_long = |len: usize| len > MAX_CELL_TEXT;
    for (file, field, _, text) in texts(ctx) {
        if !fits_a_cell(&text.value) {
            out.push(finding(field, excel_len(&text.value)).at(file, text.span));
        }
    }
    for site in ctx.features() {
        let e = site.entry;
        let paragraphs: Vec<&Spanned<String>> = e
            .guidance
            .iter()
            .chain(&e.additional_guidance)
            .chain(&e.custom_guidance)
            .collect();
        // Each alone is checked above; the cell also holds the blank lines between them.
        let reported = |t: &Spanned<String>| !fits_a_cell(&t.value);
        let bytes = paragraphs.iter().map(|p| p.value.len() + 2).sum::<usize>();
        if paragraphs.len() > 1 && too_long(bytes) && !paragraphs.iter().any(|p| reported(p)) {
            let len = paragraphs
                .iter()
                .map(|p| excel_len(p.value.trim()))
                .sum::<usize>()
                + 2 * (paragraphs.len() - 1);
            let longest = paragraphs.iter().max_by_key(|p| p.value.len());
            if let Some(longest) = longest.filter(|_| too_long(len)) {
                out.push(finding("the Guidance cell", len).at(site.file, longest.span));
            }
        }
        let reference = e.reference.as_ref();
        if let Some(r) = reference.filter(|r| too_long(r.title.value.len() + 2 + r.url.value.len()))
        {
            let len = excel_len(&r.title.value) + 2 + excel_len(&r.url.value);
            if too_long(len) && !reported(&r.title) && !reported(&r.url) {
                out.push(finding("the Feature Reference cell", len).at(site.file, r.title.span));
            }
        }
    }
}

fn finding(what: &str, len: usize) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        format!("{what} is too long for an Excel cell: {len} characters, at most {MAX_CELL_TEXT}"),
    )
    .label(format!("{len} characters"))
    .help("shorten it: move detail into the linked documentation")
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn with_guidance(guidance: &str, extra: &str) -> String {
        baseline(
            &GOOD_FEATURE.replace(
                "guidance: Deploy it into a virtual network.",
                &format!("guidance: {guidance}{extra}"),
            ),
            "",
        )
    }

    #[test]
    fn fires_on_a_field_over_the_limit_and_points_at_it() {
        let long = "a".repeat(MAX_CELL_TEXT + 1);
        let text = with_guidance(&long, "");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "guidance is too long for an Excel cell: 32768 characters, at most 32767"
        );
        assert_eq!(pointed(&text, &found[0]), long);
    }

    #[test]
    fn passes_at_the_limit() {
        assert!(run(&RULE, &with_guidance(&"a".repeat(MAX_CELL_TEXT), "")).is_empty());
    }

    #[test]
    fn counts_characters_as_excel_does() {
        // 3 bytes and one UTF-16 unit each: under the limit although over it in bytes.
        assert!(run(&RULE, &with_guidance(&"€".repeat(MAX_CELL_TEXT), "")).is_empty());
        // Outside the BMP: two UTF-16 units each.
        let found = run(
            &RULE,
            &with_guidance(&"😀".repeat(MAX_CELL_TEXT / 2 + 1), ""),
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn adds_up_the_paragraphs_of_the_guidance_cell() {
        // Each paragraph fits; with the blank line between them the cell does not.
        let half = "b".repeat(MAX_CELL_TEXT / 2);
        let text = with_guidance(&half, &format!("\n        additional_guidance: {half}"));
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.starts_with("the Guidance cell"),
            "{found:?}"
        );
        // One character less in each and the two fit with their separator.
        let fits = "b".repeat(MAX_CELL_TEXT / 2 - 1);
        let text = with_guidance(&fits, &format!("\n        additional_guidance: {fits}"));
        assert!(run(&RULE, &text).is_empty());
    }

    #[test]
    fn reports_a_long_paragraph_once() {
        let long = "a".repeat(MAX_CELL_TEXT + 1);
        let text = with_guidance(&long, "\n        additional_guidance: More.");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.starts_with("guidance is"), "{found:?}");
    }

    #[test]
    fn adds_up_the_reference_cell() {
        let title = "t".repeat(MAX_CELL_TEXT - 10);
        let text = baseline(
            &GOOD_FEATURE.replace("title: VNet integration", &format!("title: {title}")),
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.starts_with("the Feature Reference cell"));
        assert_eq!(pointed(&text, &found[0]), title);
    }

    #[test]
    fn silent_when_the_book_writes_no_workbook() {
        let text = with_guidance(&"a".repeat(MAX_CELL_TEXT + 1), "");
        let mut book = book(&text);
        book.config.output.xlsx = false;
        let mut out = Vec::new();
        check(&Context::new(&book), &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
