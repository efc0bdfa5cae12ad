//! `controlbook check`: load the book and report every problem found.

use std::path::Path;

use super::{report_load_errors, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(root: &Path, _args: Args) -> anyhow::Result<Outcome> {
    let result = controlbook::load(root)?;
    if report_load_errors(&result) {
        return Ok(Outcome::InputError);
    }
    eprintln!(
        "checked {} baseline{}: no problems found",
        result.book.baselines.len(),
        if result.book.baselines.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    Ok(Outcome::Ok)
}
