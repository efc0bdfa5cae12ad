//! `controlbook import policies`: fills the Azure Policy tables of baselines.

use std::path::Path;

use super::import::PoliciesArgs;
use super::Outcome;

pub fn run(_root: &Path, _args: PoliciesArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("import policies: in progress")
}
