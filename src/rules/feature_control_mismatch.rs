//! `feature-control-mismatch`: a feature belongs under the control the catalog gives it.

use crate::diag::{Diagnostic, Severity};

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "feature-control-mismatch",
    severity: Severity::Error,
    summary: "a feature is placed under a control other than its catalog control",
    explanation: "\
## What it does
Checks that each feature sits under the control that `content/features.yaml` assigns it.

## Why
Every baseline maps a feature to the same control; a misplaced feature makes the mapping
file disagree with all other services and breaks the cross-service matrix.

## Example
```yaml
- id: NS-1
  features:
    - feature: azure-private-link   # belongs to NS-2
```

## How to fix
Move the feature under its catalog control.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in ctx.features() {
        let Some(feature) = ctx.book.feature(&site.entry.feature.value) else {
            continue;
        };
        if feature.control.value != site.control.id.value {
            out.push(
                Diagnostic::error(
                    RULE.id,
                    format!(
                        "feature `{}` belongs to `{}`, not `{}`",
                        site.entry.feature.value, feature.control.value, site.control.id.value
                    ),
                )
                .at(site.file, site.entry.feature.span)
                .label(format!("catalog control is {}", feature.control.value))
                .help(format!(
                    "move this feature under `- id: {}`",
                    feature.control.value
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_a_feature_under_the_wrong_control() {
        let text = baseline(
            &GOOD_FEATURE.replace("feature: vnet", "feature: private-link"),
            "",
        );
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "private-link");
        assert!(found[0].message.contains("belongs to `NS-2`"));
    }

    #[test]
    fn passes_under_the_catalog_control() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
    }
}
