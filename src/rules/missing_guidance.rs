//! `missing-guidance`: a supported feature must tell the reader how to configure it.

use crate::diag::{Diagnostic, Severity};
use crate::model::Tri;

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "missing-guidance",
    severity: Severity::Error,
    summary: "a supported feature has no guidance",
    explanation: "\
## What it does
Finds features with `supported: true` that have no `guidance`, `additional_guidance` or
`custom_guidance`.

## Why
A supported feature is one the customer can use to meet the control; the baseline exists to
say how. Without guidance the article shows an empty block and the mapping file an empty
Guidance cell.

## Example
```yaml
- feature: managed-identities
  supported: true
  enabled_by_default: false
  responsibility: customer
```

## How to fix
Add `guidance:` with the configuration steps (Markdown), or `additional_guidance:` when the
feature needs no configuration but deserves a remark.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in ctx.features() {
        let e = site.entry;
        let has_text = |t: &Option<crate::model::Spanned<String>>| {
            t.as_ref().is_some_and(|s| !s.value.trim().is_empty())
        };
        let has_guidance = has_text(&e.guidance)
            || has_text(&e.additional_guidance)
            || e.custom_guidance.iter().any(|s| !s.value.trim().is_empty());
        if e.supported.value == Tri::True && !has_guidance {
            out.push(
                Diagnostic::error(
                    RULE.id,
                    format!("supported feature `{}` has no guidance", e.feature.value),
                )
                .at(site.file, e.feature.span)
                .label("supported, but no guidance")
                .help("add `guidance:` with the configuration steps"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_a_supported_feature_without_guidance() {
        let text = baseline(
            "      - feature: vnet\n        supported: true\n        enabled_by_default: false\n        responsibility: customer\n",
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "vnet");
    }

    #[test]
    fn passes_with_guidance_or_when_unsupported() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
        let unsupported = "      - feature: vnet\n        supported: false\n        enabled_by_default: not-applicable\n        responsibility: not-applicable\n";
        assert!(run(&RULE, &baseline(unsupported, "")).is_empty());
        let additional = "      - feature: vnet\n        supported: true\n        enabled_by_default: false\n        responsibility: customer\n        additional_guidance: Prefer managed identities.\n";
        assert!(run(&RULE, &baseline(additional, "")).is_empty());
    }
}
