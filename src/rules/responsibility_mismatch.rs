//! `unsupported-with-responsibility` and `supported-without-responsibility`: the
//! responsibility column must agree with `supported`.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Responsibility, Tri};

use super::{Context, Rule};

pub const UNSUPPORTED_RULE: Rule = Rule {
    id: "unsupported-with-responsibility",
    severity: Severity::Error,
    summary: "an unsupported feature has a responsibility other than not-applicable",
    explanation: "\
## What it does
Finds features whose `supported` is `false` or `not-applicable` while `responsibility` is
`customer`, `microsoft` or `shared`.

## Why
Nobody configures a feature the service does not have; a responsibility here sends a
customer looking for a setting that does not exist.

## Example
```yaml
- feature: azure-backup
  supported: false
  enabled_by_default: not-applicable
  responsibility: customer
```

## How to fix
Use `responsibility: not-applicable`, or correct `supported`.",
    check: Some(check_unsupported),
};

pub const SUPPORTED_RULE: Rule = Rule {
    id: "supported-without-responsibility",
    severity: Severity::Error,
    summary: "a supported feature has responsibility not-applicable",
    explanation: "\
## What it does
Finds features with `supported: true` and `responsibility: not-applicable`.

## Why
Someone configures or operates every supported feature: the customer, Microsoft, or both.
Leaving it not-applicable hides who is accountable.

## Example
```yaml
- feature: data-in-transit-encryption
  supported: true
  enabled_by_default: true
  responsibility: not-applicable
```

## How to fix
Set `responsibility` to `customer`, `microsoft` or `shared`.",
    check: Some(check_supported),
};

fn check_unsupported(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in ctx.features() {
        let e = site.entry;
        if e.supported.value != Tri::True && e.responsibility.value != Responsibility::NotApplicable
        {
            out.push(
                Diagnostic::error(
                    UNSUPPORTED_RULE.id,
                    format!(
                        "feature `{}` is not supported but has responsibility `{}`",
                        e.feature.value,
                        e.responsibility.value.label()
                    ),
                )
                .at(site.file, e.responsibility.span)
                .label("expected `not-applicable`")
                .help("use `responsibility: not-applicable`, or correct `supported`"),
            );
        }
    }
}

fn check_supported(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in ctx.features() {
        let e = site.entry;
        if e.supported.value == Tri::True && e.responsibility.value == Responsibility::NotApplicable
        {
            out.push(
                Diagnostic::error(
                    SUPPORTED_RULE.id,
                    format!(
                        "supported feature `{}` has no responsible party",
                        e.feature.value
                    ),
                )
                .at(site.file, e.responsibility.span)
                .label("supported features need an owner")
                .help("set `responsibility` to `customer`, `microsoft` or `shared`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn feature(supported: &str, responsibility: &str) -> String {
        baseline(
            &format!("      - feature: vnet\n        supported: {supported}\n        enabled_by_default: not-applicable\n        responsibility: {responsibility}\n        guidance: g\n"),
            "",
        )
    }

    #[test]
    fn unsupported_with_a_responsibility_fires() {
        let text = feature("false", "customer");
        let found = run(&UNSUPPORTED_RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "customer");
        assert_eq!(
            run(&UNSUPPORTED_RULE, &feature("not-applicable", "shared")).len(),
            1
        );
    }

    #[test]
    fn unsupported_without_responsibility_passes() {
        assert!(run(&UNSUPPORTED_RULE, &feature("false", "not-applicable")).is_empty());
        assert!(run(&UNSUPPORTED_RULE, &feature("true", "customer")).is_empty());
    }

    #[test]
    fn supported_without_responsibility_fires() {
        let text = feature("true", "not-applicable");
        let found = run(&SUPPORTED_RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "not-applicable");
    }

    #[test]
    fn supported_with_responsibility_passes() {
        assert!(run(&SUPPORTED_RULE, &feature("true", "microsoft")).is_empty());
        assert!(run(&SUPPORTED_RULE, &feature("false", "not-applicable")).is_empty());
    }
}
