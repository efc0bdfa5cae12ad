//! References between files: every baseline names a known benchmark, every control id is
//! in that benchmark, every feature id is in the feature catalog. A broken reference makes
//! the book unbuildable, so these are load errors rather than check findings.

use std::collections::{HashMap, HashSet};

use crate::diag::Diagnostic;
use crate::load::Book;

pub fn check(book: &Book) -> Vec<Diagnostic> {
    check_except(book, &|_| false)
}

/// [`check`], except the benchmark, control and feature references of the baselines at the
/// indexes `known_good` accepts: unchanged since they were found good against the same
/// catalogs. Slugs are always checked, as they must differ across the whole book.
pub fn check_except(book: &Book, known_good: &dyn Fn(usize) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut slugs = HashSet::new();
    // Sets, not scans of the catalogs: `serve` checks every reference on every save.
    let features: HashSet<&str> = book
        .features
        .iter()
        .flat_map(|f| f.value.features.iter().map(|f| f.id.value.as_str()))
        .collect();
    let controls: HashMap<&str, HashSet<&str>> = book
        .benchmarks
        .iter()
        .map(|b| {
            let ids = b.value.controls.iter().map(|c| c.id.value.as_str());
            (b.value.id.value.as_str(), ids.collect())
        })
        .collect();
    for (index, loaded) in book.baselines.iter().enumerate() {
        let file = loaded.file;
        let baseline = &loaded.value;
        if !slugs.insert(baseline.slug.value.as_str()) {
            out.push(
                Diagnostic::error(
                    "duplicate-slug",
                    format!(
                        "another baseline already has the slug `{}`",
                        baseline.slug.value
                    ),
                )
                .at(file, baseline.slug.span)
                .help("every baseline needs its own slug: it names its pages and files"),
            );
        }
        if !is_slug(&baseline.slug.value) {
            out.push(
                Diagnostic::error(
                    "invalid-slug",
                    format!("slug `{}` is not lowercase kebab-case", baseline.slug.value),
                )
                .at(file, baseline.slug.span)
                .help(
                    "use lowercase letters, digits and single hyphens, e.g. `container-registry`",
                ),
            );
        }
        if known_good(index) {
            continue;
        }
        let Some(benchmark) = book.benchmark(&baseline.benchmark.value) else {
            let known: Vec<_> = book
                .benchmarks
                .iter()
                .map(|b| b.value.id.value.as_str())
                .collect();
            out.push(
                Diagnostic::error(
                    "unknown-benchmark",
                    format!("unknown benchmark `{}`", baseline.benchmark.value),
                )
                .at(file, baseline.benchmark.span)
                .label("not in content/benchmarks/")
                .help(if known.is_empty() {
                    "add the benchmark catalog to content/benchmarks/".to_string()
                } else {
                    format!("known benchmarks: {}", known.join(", "))
                }),
            );
            continue;
        };
        for control in &baseline.controls {
            let known = controls.get(benchmark.id.value.as_str());
            if !known.is_some_and(|ids| ids.contains(control.id.value.as_str())) {
                out.push(
                    Diagnostic::error(
                        "unknown-control",
                        format!(
                            "control `{}` is not in benchmark `{}`",
                            control.id.value, benchmark.id.value
                        ),
                    )
                    .at(file, control.id.span)
                    .label("unknown control id")
                    .help(suggest(
                        &control.id.value,
                        benchmark.controls.iter().map(|c| c.id.value.as_str()),
                    )),
                );
            }
            for entry in &control.features {
                if !features.contains(entry.feature.value.as_str()) {
                    let known = book
                        .features
                        .iter()
                        .flat_map(|f| f.value.features.iter().map(|f| f.id.value.as_str()));
                    out.push(
                        Diagnostic::error(
                            "unknown-feature",
                            format!(
                                "feature `{}` is not in the feature catalog",
                                entry.feature.value
                            ),
                        )
                        .at(file, entry.feature.span)
                        .label("unknown feature id")
                        .help(suggest(&entry.feature.value, known)),
                    );
                }
            }
        }
    }
    out
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// "did you mean" for an unknown id: the closest known id by edit distance.
fn suggest<'a>(wrong: &str, known: impl Iterator<Item = &'a str>) -> String {
    let best = known
        .map(|k| (edit_distance(&wrong.to_lowercase(), &k.to_lowercase()), k))
        .min();
    match best {
        Some((d, k)) if d <= wrong.len().max(3) / 2 => format!("did you mean `{k}`?"),
        _ => "see the catalog in content/ for the known ids".to_string(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_id() {
        assert_eq!(
            suggest("NS-11", ["NS-1", "IM-1"].into_iter()),
            "did you mean `NS-1`?"
        );
        assert!(suggest("XYZ-99", ["NS-1"].into_iter()).starts_with("see the catalog"));
    }

    #[test]
    fn slugs_are_kebab_case() {
        assert!(is_slug("container-registry"));
        assert!(!is_slug("Container"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug(""));
    }
}
