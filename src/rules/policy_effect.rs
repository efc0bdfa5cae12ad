//! `policy-unknown-effect`: a policy effect is one Azure Policy knows.

use crate::diag::{Diagnostic, Severity};

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "policy-unknown-effect",
    severity: Severity::Error,
    summary: "a policy effect is not an Azure Policy effect",
    explanation: "\
## What it does
Checks each entry of a policy's `effects` against Azure Policy's effects: Append, Audit,
AuditIfNotExists, Deny, DenyAction, DeployIfNotExists, Disabled, Manual, Modify, Mutate, and
the legacy EnforceOPAConstraint and EnforceRegoPolicy.

## Why
The Effect(s) column tells readers whether a policy only reports or also blocks; a typo
(`Audi`) or a wrong case hides that.

## Example
```yaml
effects: [audit, Deny, Disable]
```

## How to fix
Use the effect names as Azure Policy writes them: `effects: [Audit, Deny, Disabled]`.",
    check: Some(check),
};

use crate::model::POLICY_EFFECTS as EFFECTS;

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, _, control) in ctx.controls() {
        for p in &control.policies {
            for effect in &p.effects {
                if EFFECTS.contains(&effect.value.as_str()) {
                    continue;
                }
                let near = EFFECTS.iter().find(|e| {
                    e.eq_ignore_ascii_case(&effect.value)
                        || e.to_lowercase().starts_with(&effect.value.to_lowercase())
                });
                let help = match near {
                    Some(e) => format!("did you mean `{e}`?"),
                    None => format!("known effects: {}", EFFECTS.join(", ")),
                };
                out.push(
                    Diagnostic::error(
                        RULE.id,
                        format!(
                            "policy `{}` has unknown effect `{}`",
                            p.name.value, effect.value
                        ),
                    )
                    .at(file, effect.span)
                    .label("unknown effect")
                    .help(help),
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
    fn fires_on_misspelled_effects() {
        let text = with_policy(GUID, "1.0.0", "[audit, Deny, Disable]");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 2);
        assert_eq!(pointed(&text, &found[0]), "audit");
        assert_eq!(found[0].help.as_deref(), Some("did you mean `Audit`?"));
        assert_eq!(found[1].help.as_deref(), Some("did you mean `Disabled`?"));
    }

    #[test]
    fn passes_on_known_effects() {
        assert!(run(
            &RULE,
            &with_policy(GUID, "1.0.0", "[Audit, Deny, Disabled]")
        )
        .is_empty());
    }
}
