//! `title-mismatch`: a control title given in a baseline must be the catalog's (or one of
//! its known aliases).

use crate::diag::{Diagnostic, Severity};
use crate::resolve::normalize_space;

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "title-mismatch",
    severity: Severity::Warning,
    summary: "a control title differs from the benchmark catalog",
    explanation: "\
## What it does
Compares a baseline's `title:` override of a control with the benchmark's title and the
control's `aliases`, after whitespace normalisation.

## Why
Readers and scripts match controls across baselines by id and title; a retyped or outdated
title splits one control into two in filters and in the cross-service views.

## Example
```yaml
- id: PA-8
  title: Choose approval process for third-party support
```

## How to fix
Remove `title:` to use the catalog's title, or, when published baselines really use another
title, add it to the control's `aliases` in the benchmark file.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, baseline, control) in ctx.controls() {
        let Some(title) = &control.title else {
            continue;
        };
        let Some(benchmark) = ctx.book.benchmark(&baseline.benchmark.value) else {
            continue;
        };
        let Some(catalog) = benchmark
            .controls
            .iter()
            .find(|c| c.id.value == control.id.value)
        else {
            continue;
        };
        let wanted = normalize_space(&title.value);
        let known = std::iter::once(&catalog.title)
            .chain(&catalog.aliases)
            .any(|t| normalize_space(&t.value) == wanted);
        if !known {
            out.push(
                Diagnostic::warning(
                    RULE.id,
                    format!(
                        "title of `{}` differs from the benchmark catalog",
                        control.id.value
                    ),
                )
                .at(file, title.span)
                .label("not the catalog title")
                .help(format!(
                    "the catalog says `{}`; remove `title:` or add an alias to the benchmark",
                    normalize_space(&catalog.title.value)
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn with_title(title: &str) -> String {
        baseline(GOOD_FEATURE, "").replace(
            "  - id: NS-1\n",
            &format!("  - id: NS-1\n    title: {title}\n"),
        )
    }

    #[test]
    fn fires_on_a_different_title() {
        let text = with_title("Segment the network");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "Segment the network");
    }

    #[test]
    fn passes_on_the_catalog_title_modulo_spaces_and_on_aliases() {
        assert!(run(
            &RULE,
            &with_title("\"Establish  network segmentation boundaries \"")
        )
        .is_empty());
        let alias = baseline(
            GOOD_FEATURE,
            "  - id: NS-2\n    title: Secure cloud services with network controls\n",
        );
        assert!(run(&RULE, &alias).is_empty());
    }
}
