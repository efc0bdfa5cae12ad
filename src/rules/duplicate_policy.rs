//! `duplicate-policy`: a policy is listed once per control.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "duplicate-policy",
    severity: Severity::Error,
    summary: "the same policy appears twice in one control",
    explanation: "\
## What it does
Finds two policies with the same `definition_id` (compared without case) under one control.

## Why
The policy table would show the row twice and compliance counts would double it. The same
policy under *different* controls is normal: one definition can serve several controls.

## Example
```yaml
policies:
  - name: Container registries should use private link
    definition_id: e8eef0a8-67cf-4eb4-9386-14b0e78733d4
  - name: Container registries should use private link
    definition_id: E8EEF0A8-67CF-4EB4-9386-14B0E78733D4
```

## How to fix
Remove the second entry.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, _, control) in ctx.controls() {
        let mut seen = HashMap::new();
        for p in &control.policies {
            let key = p.definition_id.value.trim().to_ascii_lowercase();
            if let Some(first) = seen.insert(key, p.definition_id.span) {
                let line = ctx.book.sources.get(file).line_col(first.start).line;
                out.push(
                    Diagnostic::error(
                        RULE.id,
                        format!(
                            "policy `{}` appears twice in `{}`",
                            p.name.value, control.id.value
                        ),
                    )
                    .at(file, p.definition_id.span)
                    .label(format!("first listed on line {line}"))
                    .help("remove this entry"),
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
    fn fires_on_the_same_definition_twice() {
        let one = with_policy(GUID, "1.0.0", "[Audit]");
        let entry = one.split("    policies:\n").nth(1).unwrap().to_string();
        let text = format!("{one}{}", entry.replace(GUID, &GUID.to_uppercase()));
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(pointed(&text, &found[0]), GUID.to_uppercase());
    }

    #[test]
    fn passes_with_distinct_policies() {
        assert!(run(&RULE, &with_policy(GUID, "1.0.0", "[Audit]")).is_empty());
    }
}
