//! `empty-text`: a text field that is present must say something.

use crate::diag::{Diagnostic, Severity};

use super::{texts, Context, Rule};

pub const RULE: Rule = Rule {
    id: "empty-text",
    severity: Severity::Error,
    summary: "a text field is empty",
    explanation: "\
## What it does
Finds text fields that are empty or only whitespace: names, titles, URLs, guidance, notes,
policy names and descriptions.

## Why
Microsoft's files write `None` or leave cells blank; an empty field renders as a label with
nothing after it (`Configuration Guidance:`) and an empty cell that looks like missing data.

## Example
```yaml
guidance: \"\"
```

## How to fix
Write the text, or remove the optional key altogether.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, field, _, text) in texts(ctx) {
        if text.value.trim().is_empty() {
            out.push(
                Diagnostic::error(RULE.id, format!("{field} is empty"))
                    .at(file, text.span)
                    .label("empty")
                    .help("write the text, or remove the key if it is optional"),
            );
        }
    }
    for (file, baseline) in ctx.baselines() {
        if baseline.security_profile.product_category.is_empty() {
            out.push(
                Diagnostic::error(RULE.id, "product_category is empty")
                    .at(file, baseline.slug.span)
                    .help("list at least one category, e.g. `product_category: [Compute]`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_empty_guidance() {
        let text = baseline(
            &GOOD_FEATURE.replace(
                "guidance: Deploy it into a virtual network.",
                "guidance: \"\"",
            ),
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "guidance is empty");
    }

    #[test]
    fn passes_when_every_field_has_text() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
    }
}
