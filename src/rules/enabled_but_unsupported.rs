//! `enabled-but-unsupported`: a feature the service does not support cannot be on by
//! default.

use crate::diag::{Diagnostic, Severity};
use crate::model::Tri;

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "enabled-but-unsupported",
    severity: Severity::Error,
    summary: "an unsupported feature is marked enabled by default",
    explanation: "\
## What it does
Finds features whose `supported` is `false` or `not-applicable` while `enabled_by_default`
is `true`.

## Why
The two values contradict each other; compliance teams filtering the workbook on either
column get different answers.

## Example
```yaml
- feature: customer-lockbox
  supported: false
  enabled_by_default: true
```

## How to fix
Use `enabled_by_default: not-applicable` for unsupported features, or correct `supported`.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in ctx.features() {
        let e = site.entry;
        if e.supported.value != Tri::True && e.enabled_by_default.value == Tri::True {
            out.push(
                Diagnostic::error(
                    RULE.id,
                    format!(
                        "feature `{}` is not supported but enabled by default",
                        e.feature.value
                    ),
                )
                .at(site.file, e.enabled_by_default.span)
                .label("contradicts `supported`")
                .help("use `enabled_by_default: not-applicable`, or correct `supported`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_unsupported_and_enabled() {
        let text = baseline(
            "      - feature: vnet\n        supported: false\n        enabled_by_default: true\n        responsibility: not-applicable\n",
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "true");
    }

    #[test]
    fn passes_on_consistent_values() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
        let text = baseline(
            "      - feature: vnet\n        supported: false\n        enabled_by_default: not-applicable\n        responsibility: not-applicable\n",
            "",
        );
        assert!(run(&RULE, &text).is_empty());
    }
}
