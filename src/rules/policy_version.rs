//! `policy-invalid-version`: a policy version is `MAJOR.MINOR.PATCH`, optionally with
//! Azure Policy's `-preview` or `-deprecated` suffix.

use crate::diag::{Diagnostic, Severity};

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "policy-invalid-version",
    severity: Severity::Error,
    summary: "a policy version is not MAJOR.MINOR.PATCH",
    explanation: "\
## What it does
Checks that each policy's `version` is `MAJOR.MINOR.PATCH` with an optional `-preview` or
`-deprecated` suffix, as Azure Policy's built-in definitions write it.

## Why
Readers compare the version with the portal to see whether an assignment is current; a
mistyped version (`1.1`, `v2`) cannot be compared.

## Example
```yaml
version: 2.0
```

## How to fix
Copy `properties.metadata.version` from the definition, quoted if YAML would read it as a
number: `version: \"2.0.0\"`.",
    check: Some(check),
};

pub fn is_version(s: &str) -> bool {
    let core = s
        .strip_suffix("-preview")
        .or_else(|| s.strip_suffix("-deprecated"))
        .unwrap_or(s);
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, _, control) in ctx.controls() {
        for p in &control.policies {
            if !is_version(&p.version.value) {
                out.push(
                    Diagnostic::error(
                        RULE.id,
                        format!(
                            "version `{}` of policy `{}` is not MAJOR.MINOR.PATCH",
                            p.version.value, p.name.value
                        ),
                    )
                    .at(file, p.version.span)
                    .label("expected e.g. 2.0.0 or 1.0.0-preview")
                    .help("copy `properties.metadata.version` from the definition"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::policy_guid::tests::{with_policy, GUID};
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_a_two_part_version() {
        let text = with_policy(GUID, "\"2.0\"", "[Audit]");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "\"2.0\"");
    }

    #[test]
    fn passes_on_versions_with_and_without_suffix() {
        assert!(run(&RULE, &with_policy(GUID, "2.0.0", "[Audit]")).is_empty());
        assert!(run(&RULE, &with_policy(GUID, "1.0.1-preview", "[Audit]")).is_empty());
        assert!(!is_version("1.0.0-beta"));
    }
}
