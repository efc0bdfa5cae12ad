//! `controlbook check`: load the book, run every rule, print the findings in the chosen
//! format; `--list-rules` and `--explain RULE` document the rules.

use std::path::Path;

use anyhow::bail;
use controlbook::diag::{self, Format};
use controlbook::rules::{self, RULES};

use super::{use_color, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format of the findings
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    /// Report every error finding as a warning (for migrating imported content)
    #[arg(long, value_name = "LEVEL", value_parser = ["warn"])]
    cap_lints: Option<String>,
    /// List every rule with its id, default severity and summary
    #[arg(long, conflicts_with = "explain")]
    list_rules: bool,
    /// Explain one rule: what it does, why, an example, how to fix
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
    Github,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
        }
    }
}

pub fn run(root: &Path, args: Args) -> anyhow::Result<Outcome> {
    if args.list_rules {
        print!("{}", list_rules());
        return Ok(Outcome::Ok);
    }
    if let Some(id) = &args.explain {
        match rules::find(id) {
            Some(rule) => println!("# {}\n\n{} (default: {})\n\n{}", rule.id, rule.summary, rule.severity.as_str(), rule.explanation),
            None => match rules::INPUT_ERRORS.iter().find(|(code, _)| code == id) {
                Some((code, summary)) => println!("# {code}\n\nAn input error: {summary}. Always an error; the book cannot be built until it is fixed."),
                None => bail!("unknown rule `{id}`; see `controlbook check --list-rules`"),
            },
        }
        return Ok(Outcome::Ok);
    }

    let format = Format::from(args.format);
    let result = controlbook::load(root)?;
    let (diagnostics, input_error) = if result.diagnostics.is_empty() {
        (
            controlbook::check(&result.book, args.cap_lints.is_some()),
            false,
        )
    } else {
        (result.diagnostics.clone(), true)
    };
    let text = diag::render(format, &diagnostics, &result.book.sources, use_color());
    match format {
        Format::Human => eprint!("{text}"),
        _ => print!("{text}"),
    }
    if format == Format::Human && diagnostics.is_empty() {
        let n = result.book.baselines.len();
        eprintln!(
            "checked {n} baseline{}: no problems found",
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(if input_error {
        Outcome::InputError
    } else if diag::error_count(&diagnostics) > 0 {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// The rule table of `--list-rules` (and of README's rule list).
pub fn list_rules() -> String {
    let mut out = String::from("Rules (id, default severity, what it finds):\n");
    for r in RULES {
        out.push_str(&format!(
            "  {:34} {:8} {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    out.push_str("\nInput errors (always errors, exit code 2):\n");
    for (id, summary) in rules::INPUT_ERRORS {
        out.push_str(&format!("  {id:34} {summary}\n"));
    }
    out
}
