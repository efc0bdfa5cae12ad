//! The home page: every baseline with its counts of supported, not supported and
//! not-applicable features and of customer responsibilities, and its downloads.

use serde::Serialize;

use crate::config::OutputConfig;
use crate::model::{Responsibility, Tri};
use crate::resolve::{Doc, FeatureDoc};

use super::baseline::{downloads, Link};

#[derive(Serialize)]
pub struct IndexRow {
    service: String,
    href: String,
    benchmark: String,
    controls: usize,
    supported: usize,
    not_supported: usize,
    not_applicable: usize,
    customer: usize,
    downloads: Vec<Link>,
}

pub fn row(doc: &Doc, output: &OutputConfig) -> IndexRow {
    let features: Vec<&FeatureDoc> = doc.features().map(|(_, _, f)| f).collect();
    let count = |t: Tri| features.iter().filter(|f| f.supported == t).count();
    IndexRow {
        service: doc.service.clone(),
        href: format!("{}/index.html", doc.slug),
        benchmark: format!("{} {}", doc.benchmark.name, doc.benchmark.version),
        controls: doc.controls().filter(|(_, c)| c.shown).count(),
        supported: count(Tri::True),
        not_supported: count(Tri::False),
        not_applicable: count(Tri::NotApplicable),
        customer: features
            .iter()
            .filter(|f| f.responsibility == Responsibility::Customer)
            .count(),
        downloads: downloads(doc, "", output),
    }
}
