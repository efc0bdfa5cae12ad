//! `controlbook import policies`: fills the Azure Policy tables of the book's baselines
//! from a built-in initiative and the policy definitions it references.

use std::path::Path;

use controlbook::import::{batch, policies, Defects, ImportError};

use super::import::{report_policies, PoliciesArgs};
use super::Outcome;

pub fn run(root: &Path, args: PoliciesArgs) -> anyhow::Result<Outcome> {
    let result = controlbook::load(root)?;
    if super::report_load_errors(&result) {
        eprintln!("error: the book must load before policies are imported into it");
        return Ok(Outcome::InputError);
    }
    let book = &result.book;
    let source = args.initiative.display().to_string();
    let converted = (|| -> Result<Vec<batch::Imported>, ImportError> {
        let initiative = policies::load_initiative(&args.initiative)?;
        let mut load_defects = Defects::new(args.definitions.display().to_string());
        let definitions = policies::load_definitions(&args.definitions, &mut load_defects)?;
        let wanted = |path: &Path| match &args.baseline {
            Some(b) => same_file(&root.join(path), b) || same_file(path, b),
            None => true,
        };
        let targets: Vec<_> = book
            .baselines
            .iter()
            .filter(|b| wanted(book.sources.path(b.file)))
            .filter(|b| args.baseline.is_some() || b.value.resource_provider.is_some())
            .collect();
        if targets.is_empty() {
            return Err(ImportError::Invalid {
                file: args
                    .baseline
                    .as_ref()
                    .map_or_else(|| "content/baselines/".into(), |b| b.display().to_string()),
                message: "no baseline to fill: a baseline needs a `resource_provider`".into(),
            });
        }
        let mut out = Vec::new();
        for (i, t) in targets.into_iter().enumerate() {
            let mut item = batch::policies(book, t, &initiative, &definitions, &source)?;
            if i == 0 {
                item.defects.splice(0..0, load_defects.list.drain(..));
            }
            out.push(item);
        }
        Ok(out)
    })();
    let imported = match converted {
        Ok(imported) => imported,
        Err(e) => {
            eprintln!("error: {e}\nerror: no baseline was changed");
            return Ok(Outcome::InputError);
        }
    };
    for item in &imported {
        std::fs::write(&item.target, &item.yaml)?;
    }
    report_policies(&imported, args.format);
    Ok(Outcome::Ok)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
