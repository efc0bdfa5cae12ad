//! `policy-invalid-guid`: a policy's definition id is a GUID.

use crate::diag::{Diagnostic, Severity};

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "policy-invalid-guid",
    severity: Severity::Error,
    summary: "a policy definition id is not a GUID",
    explanation: "\
## What it does
Checks that each policy's `definition_id` is a GUID (`8-4-4-4-12` hexadecimal digits).

## Why
The id builds the Azure portal link of the definition; a malformed id gives a link to an
error page.

## Example
```yaml
definition_id: d0793b48-0edc-4296-a390
```

## How to fix
Copy the `name` of the built-in definition (its GUID) from the Azure Policy repository or
the portal, or run `controlbook import policies`.",
    check: Some(check),
};

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, _, control) in ctx.controls() {
        for p in &control.policies {
            if !is_guid(&p.definition_id.value) {
                out.push(
                    Diagnostic::error(
                        RULE.id,
                        format!(
                            "definition id `{}` of policy `{}` is not a GUID",
                            p.definition_id.value, p.name.value
                        ),
                    )
                    .at(file, p.definition_id.span)
                    .label("expected 8-4-4-4-12 hexadecimal digits")
                    .help("copy the definition's GUID from the Azure Policy repository"),
                );
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::testing::*;
    use super::*;

    pub fn with_policy(id: &str, version: &str, effects: &str) -> String {
        baseline(
            GOOD_FEATURE,
            &format!("    policies:\n      - name: P\n        description: D\n        effects: {effects}\n        version: {version}\n        definition_id: {id}\n"),
        )
    }

    pub const GUID: &str = "d0793b48-0edc-4296-a390-4c75d1bdfd71";

    #[test]
    fn fires_on_a_malformed_guid() {
        let text = with_policy("d0793b48-0edc-4296-a390", "1.0.0", "[Audit]");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), "d0793b48-0edc-4296-a390");
        assert!(!is_guid("g0793b48-0edc-4296-a390-4c75d1bdfd71"));
    }

    #[test]
    fn passes_on_a_guid() {
        assert!(run(&RULE, &with_policy(GUID, "1.0.0", "[Audit]")).is_empty());
    }
}
