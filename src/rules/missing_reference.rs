//! `missing-reference`: a supported feature must link to its documentation.

use crate::diag::{Diagnostic, Severity};
use crate::model::Tri;

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "missing-reference",
    severity: Severity::Error,
    summary: "a supported feature has no reference link",
    explanation: "\
## What it does
Finds features with `supported: true` that have no `reference`.

## Why
Readers follow the reference to the service's own documentation to carry out the guidance;
the mapping file's Feature Reference column is empty without it.

## Example
```yaml
- feature: customer-lockbox
  supported: true
  enabled_by_default: false
  responsibility: customer
  guidance: Use Customer Lockbox to review data access requests.
```

## How to fix
Add a reference with the article's title and URL:
```yaml
  reference:
    title: Customer Lockbox for Microsoft Azure
    url: https://learn.microsoft.com/azure/security/fundamentals/customer-lockbox-overview
```",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in ctx.features() {
        let e = site.entry;
        if e.supported.value == Tri::True && e.reference.is_none() {
            out.push(
                Diagnostic::error(
                    RULE.id,
                    format!(
                        "supported feature `{}` has no reference link",
                        e.feature.value
                    ),
                )
                .at(site.file, e.feature.span)
                .label("supported, but no reference")
                .help("add `reference:` with `title:` and `url:` of the service's documentation"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_a_supported_feature_without_reference() {
        let text = baseline(
            "      - feature: vnet\n        supported: true\n        enabled_by_default: false\n        responsibility: customer\n        guidance: Do it.\n",
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "vnet");
    }

    #[test]
    fn passes_with_a_reference() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
    }
}
