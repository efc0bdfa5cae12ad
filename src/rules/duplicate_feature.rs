//! `duplicate-feature`: a feature appears once per control.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};

use super::{Context, Rule};

pub const RULE: Rule = Rule {
    id: "duplicate-feature",
    severity: Severity::Error,
    summary: "the same feature appears twice in one control",
    explanation: "\
## What it does
Finds a feature id listed more than once under the same control.

## Why
Microsoft's published files carry duplicate rows; the article then shows the feature twice
with possibly conflicting values, and a filter on the workbook counts it twice.

## Example
```yaml
- id: IM-1
  features:
    - feature: local-authentication-methods-for-data-plane-access
      ...
    - feature: local-authentication-methods-for-data-plane-access
      ...
```

## How to fix
Merge the entries: keep one, and move the extra guidance into its `custom_guidance`.",
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, _, control) in ctx.controls() {
        let mut seen = HashMap::new();
        for e in &control.features {
            if let Some(first) = seen.insert(e.feature.value.as_str(), e.feature.span) {
                let line = ctx.book.sources.get(file).line_col(first.start).line;
                out.push(
                    Diagnostic::error(
                        RULE.id,
                        format!(
                            "feature `{}` appears twice in `{}`",
                            e.feature.value, control.id.value
                        ),
                    )
                    .at(file, e.feature.span)
                    .label(format!("first listed on line {line}"))
                    .help("merge the two entries; extra paragraphs go into `custom_guidance`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn fires_on_the_second_entry() {
        let text = baseline(&format!("{GOOD_FEATURE}{GOOD_FEATURE}"), "");
        let found = run(&RULE, &text);
        assert_eq!(found.len(), 1);
        let second = text.rfind("feature: vnet").unwrap() + "feature: ".len();
        assert_eq!(found[0].location.unwrap().span.unwrap().start, second);
    }

    #[test]
    fn passes_when_each_feature_is_listed_once() {
        assert!(run(&RULE, &baseline(GOOD_FEATURE, "")).is_empty());
    }
}
