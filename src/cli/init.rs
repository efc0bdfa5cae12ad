//! `controlbook init [DIR]`: a new, empty book.

use std::path::PathBuf;

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of the new book (created if missing)
    #[arg(default_value = ".")]
    dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let written = controlbook::init::create(&args.dir)?;
    for path in &written {
        eprintln!("created {}", args.dir.join(path).display());
    }
    eprintln!(
        "new book in {}: add baselines with `controlbook import xlsx FILE|DIR` or by hand in content/baselines/, then `controlbook build`",
        args.dir.display()
    );
    Ok(Outcome::Ok)
}
