//! The matrix page: one row per service, one column per feature, grouped by the domain of
//! the feature's control. Each cell says whether the service supports the feature and
//! who configures it, in words and a symbol, so that it reads without colour.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::Tri;
use crate::resolve::Doc;

#[derive(Serialize)]
pub struct MatrixView {
    pub domains: Vec<DomainColumns>,
    pub rows: Vec<Row>,
    pub features: usize,
}

/// The features whose control is in one domain, in the order the baselines list them.
#[derive(Serialize)]
pub struct DomainColumns {
    pub id: String,
    pub key: String,
    pub name: String,
    pub features: Vec<Column>,
}

#[derive(Serialize)]
pub struct Column {
    /// The column's position in a row, the service's being 0.
    pub index: usize,
    pub id: String,
    pub name: String,
    pub control: String,
}

#[derive(Serialize)]
pub struct Row {
    pub service: String,
    pub href: String,
    pub cells: Vec<Cell>,
}

#[derive(Serialize)]
pub struct Cell {
    /// The domain's key, for the domain filter.
    pub domain: String,
    /// `yes`, `no`, `na`, or `none` when the baseline does not list the feature.
    pub class: &'static str,
    pub symbol: &'static str,
    pub label: &'static str,
    pub responsibility: &'static str,
    /// Sort rank: supported first.
    pub rank: u8,
}

/// The matrix of `docs`, which are in the order the site lists them.
pub fn view(docs: &[&Doc]) -> MatrixView {
    let mut domains: Vec<DomainColumns> = Vec::new();
    // Borrowed: every feature of every baseline is looked up here.
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for doc in docs {
        for (domain, control, feature) in doc.features() {
            if !seen.insert((&domain.id, &feature.id)) {
                continue;
            }
            let column = Column {
                index: 0,
                id: feature.id.clone(),
                name: feature.name.clone(),
                control: control.id.clone(),
            };
            match domains.iter_mut().find(|d| d.id == domain.id) {
                Some(d) => d.features.push(column),
                None => domains.push(DomainColumns {
                    id: domain.id.clone(),
                    key: domain.id.to_lowercase(),
                    name: domain.name.clone(),
                    features: vec![column],
                }),
            }
        }
    }
    let mut index = 0;
    for column in domains.iter_mut().flat_map(|d| d.features.iter_mut()) {
        index += 1;
        column.index = index;
    }
    // Each baseline's features go to their columns: one lookup per feature, where a map
    // per baseline and a lookup per column took 2% of a rebuild at 1,200 baselines.
    let position: HashMap<(&str, &str), usize> = domains
        .iter()
        .flat_map(|d| {
            d.features
                .iter()
                .map(move |c| ((d.id.as_str(), c.id.as_str()), c.index - 1))
        })
        .collect();
    let rows = docs
        .iter()
        .map(|doc| {
            let mut values: Vec<Option<(Tri, &'static str)>> = vec![None; position.len()];
            // A feature listed twice takes its last entry.
            for (d, _, f) in doc.features() {
                if let Some(&at) = position.get(&(d.id.as_str(), f.id.as_str())) {
                    values[at] = Some((f.supported, f.responsibility.label()));
                }
            }
            let cells = domains
                .iter()
                .flat_map(|d| d.features.iter().map(move |c| (d, c)))
                .map(|(d, c)| cell(&d.key, values[c.index - 1].as_ref()))
                .collect();
            Row {
                service: doc.service.clone(),
                href: format!("../{}/index.html", doc.slug),
                cells,
            }
        })
        .collect();
    MatrixView {
        features: domains.iter().map(|d| d.features.len()).sum(),
        domains,
        rows,
    }
}

fn cell(domain: &str, value: Option<&(Tri, &'static str)>) -> Cell {
    let (class, symbol, label, rank) = match value.map(|v| v.0) {
        Some(Tri::True) => ("yes", "✓", "Supported", 0),
        Some(Tri::False) => ("no", "✗", "Not supported", 1),
        Some(Tri::NotApplicable) => ("na", "–", "Not applicable", 2),
        None => ("none", "", "Not listed", 3),
    };
    let responsibility = match value {
        Some((Tri::True, r)) => r,
        _ => "",
    };
    Cell {
        domain: domain.to_string(),
        class,
        symbol,
        label,
        responsibility,
        rank,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_say_support_in_words_and_symbols() {
        let yes = cell("ns", Some(&(Tri::True, "Customer")));
        assert_eq!(
            (yes.symbol, yes.label, yes.responsibility),
            ("✓", "Supported", "Customer")
        );
        let no = cell("ns", Some(&(Tri::False, "Not Applicable")));
        assert_eq!((no.label, no.responsibility), ("Not supported", ""));
        assert_eq!(cell("ns", None).class, "none");
    }
}
