//! A benchmark corpus: a book of N baselines made from Microsoft's published mapping
//! workbooks, so that performance is measured on real text at the size of Microsoft's
//! catalogue (about 120 baselines) and ten times that. The same N always gives the same
//! files.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::import::{batch, slugify};
use crate::model::{Baseline, Spanned};
use crate::source::Span;

/// Creates a new book in `dir` with `count` baselines made from the `.xlsx` workbooks in
/// `fixtures`: the first round keeps the published services, later rounds copy them under
/// new names with varied notes and review dates. Returns the baseline files written.
pub fn generate(fixtures: &Path, count: usize, dir: &Path) -> Result<Vec<PathBuf>> {
    let sources = batch::sources(fixtures, "xlsx").map_err(|e| Error::Other(e.to_string()))?;
    crate::init::create(dir)?;
    allow_published_gaps(dir)?;
    let loaded = crate::load(dir)?;
    let (benchmark, catalog) =
        batch::catalogs(&loaded.book, "mcsb-v1").map_err(|e| Error::Other(e.to_string()))?;
    let out_dir = dir.join("content/baselines");
    let mut originals = Vec::new();
    for path in &sources {
        let imported = batch::xlsx(path, benchmark, catalog, None, &out_dir)
            .map_err(|e| Error::Other(e.to_string()))?;
        let baseline: Baseline = serde_saphyr::from_str(&imported.yaml).map_err(|e| {
            Error::Other(format!(
                "{}: imported YAML does not parse: {e}",
                path.display()
            ))
        })?;
        originals.push(baseline);
    }

    let mut written = Vec::with_capacity(count);
    for index in 0..count {
        let baseline = variant(&originals[index % originals.len()], index, originals.len());
        let path = out_dir.join(format!("{}.yaml", baseline.slug.value));
        std::fs::write(&path, crate::yaml_write::baseline(&baseline))
            .map_err(|e| Error::write(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Microsoft's workbooks leave references out, use older control titles and give one
/// unsupported feature a responsibility; the corpus keeps their text as published, so
/// those three rules are allowed rather than the data changed.
fn allow_published_gaps(dir: &Path) -> Result<()> {
    let path = dir.join("book.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::read(&path, e))?;
    let text = text.replace(
        "allow = []",
        "allow = [\"missing-reference\", \"title-mismatch\", \"unsupported-with-responsibility\"]",
    );
    std::fs::write(&path, text).map_err(|e| Error::write(&path, e))
}

/// The `index`-th baseline of the corpus. Rounds after the first get a numbered service
/// name and, on about one feature in seven, a note of their own, so that no two files
/// are alike and every page has to be rendered.
fn variant(original: &Baseline, index: usize, round_size: usize) -> Baseline {
    let round = index / round_size;
    let mut b = original.clone();
    if round == 0 {
        return b;
    }
    b.service.value = format!("{} {round}", original.service.value);
    b.slug.value = slugify(&b.service.value);
    if let Some(date) = &mut b.last_reviewed {
        date.value = format!("2024-{:02}-{:02}", 1 + round % 12, 1 + index % 28);
    }
    let mut position = 0;
    for control in &mut b.controls {
        for feature in &mut control.features {
            position += 1;
            if (index * 31 + position).is_multiple_of(7) {
                let note = format!("Reviewed for deployment {round} of this service.");
                match &mut feature.feature_notes {
                    Some(n) => {
                        n.value.push(' ');
                        n.value.push_str(&note);
                    }
                    None => feature.feature_notes = Some(Spanned::new(note, Span::default())),
                }
            }
        }
    }
    b
}
