//! `controlbook schema`: the JSON Schema of a kind of source file, printed or written.

use std::path::PathBuf;

use anyhow::Context as _;
use controlbook::schema::{schema_json, KINDS};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which file kind: baseline, benchmark or features
    #[arg(default_value = "baseline", value_parser = ["baseline", "benchmark", "features"])]
    kind: String,
    /// Write every schema into this folder instead of printing one
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.out {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (kind, file) in KINDS {
                let text = schema_json(kind).context("schema generation failed")?;
                let path = dir.join(file);
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
        }
        None => print!(
            "{}",
            schema_json(&args.kind).context("unknown schema kind")?
        ),
    }
    Ok(Outcome::Ok)
}
