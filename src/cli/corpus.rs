//! `corpus` (hidden): writes a benchmark book of N baselines made from Microsoft's mapping
//! workbooks. Used by `bench/compare.sh` and the criterion benches.

use std::path::PathBuf;

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder for the new book (must not hold a book yet).
    dir: PathBuf,
    /// How many baselines: 120 is the size of Microsoft's catalogue, 1200 ten times that.
    #[arg(long, default_value_t = 120)]
    baselines: usize,
    /// The folder of v3 mapping workbooks to copy from.
    #[arg(long, default_value = "../shared/fixtures/msft/v3")]
    from: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let written = controlbook::corpus::generate(&args.from, args.baselines, &args.dir)?;
    eprintln!(
        "wrote a book of {} baselines to {} in {:.1?}",
        written.len(),
        args.dir.display(),
        started.elapsed()
    );
    Ok(Outcome::Ok)
}
