//! The controls page: each benchmark control that a baseline of the book addresses, with
//! its CIS Controls v8, NIST SP 800-53 r4 and PCI-DSS v3.2.1 ids, and the services that
//! address it with their features and Azure Policy definitions.

use serde::Serialize;

use crate::resolve::{ControlDoc, Doc};

// The views borrow their texts from the documents: the page repeats every baseline's
// features and policy names under each control, megabytes at 1,200 baselines.

#[derive(Serialize)]
pub struct ControlsView<'a> {
    pub domains: Vec<DomainView<'a>>,
}

#[derive(Serialize)]
pub struct DomainView<'a> {
    pub id: &'a str,
    pub anchor: String,
    pub name: &'a str,
    pub controls: Vec<ControlView<'a>>,
}

#[derive(Serialize)]
pub struct ControlView<'a> {
    pub id: &'a str,
    pub anchor: &'a str,
    pub title: &'a str,
    pub benchmark: String,
    pub cis_v8: String,
    pub nist: String,
    pub pci: String,
    pub services: Vec<ServiceView<'a>>,
}

#[derive(Serialize)]
pub struct ServiceView<'a> {
    pub service: &'a str,
    pub href: String,
    pub features: Vec<FeatureView<'a>>,
    pub policies: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct FeatureView<'a> {
    pub name: &'a str,
    pub class: &'static str,
    pub label: &'static str,
    pub responsibility: &'static str,
}

/// The controls addressed by `docs`, in benchmark order. Every baseline of one benchmark
/// lists its controls in the benchmark's order, so merging the lists keeps that order.
pub fn view<'a>(docs: &[&'a Doc]) -> ControlsView<'a> {
    let mut domains: Vec<DomainView> = Vec::new();
    for doc in docs {
        let benchmark = format!("{} {}", doc.benchmark.name, doc.benchmark.version);
        for domain in doc.domains.iter().filter(|d| d.shown) {
            let at = match domains.iter().position(|d| d.id == domain.id) {
                Some(at) => at,
                None => {
                    domains.push(DomainView {
                        id: &domain.id,
                        anchor: domain.id.to_lowercase(),
                        name: &domain.name,
                        controls: Vec::new(),
                    });
                    domains.len() - 1
                }
            };
            let controls = &mut domains[at].controls;
            let mut previous: Option<usize> = None;
            for control in domain.controls.iter().filter(|c| c.shown) {
                let index = match controls.iter().position(|c| c.id == control.id) {
                    Some(i) => i,
                    None => {
                        let i = previous.map_or(0, |p| p + 1);
                        controls.insert(i, control_view(control, &benchmark));
                        i
                    }
                };
                controls[index].services.push(service_view(doc, control));
                previous = Some(index);
            }
        }
    }
    ControlsView { domains }
}

fn control_view<'a>(c: &'a ControlDoc, benchmark: &str) -> ControlView<'a> {
    ControlView {
        id: &c.id,
        anchor: &c.anchor,
        title: &c.title,
        benchmark: benchmark.to_string(),
        cis_v8: c.cis_v8.join(", "),
        nist: c.nist_sp800_53_r4.join(", "),
        pci: c.pci_dss_v3_2_1.join(", "),
        services: Vec::new(),
    }
}

fn service_view<'a>(doc: &'a Doc, c: &'a ControlDoc) -> ServiceView<'a> {
    ServiceView {
        service: &doc.service,
        href: format!("../{}/index.html#{}", doc.slug, c.anchor),
        features: c
            .features
            .iter()
            .filter(|f| f.shown)
            .map(|f| {
                let (class, label) = match f.supported {
                    crate::model::Tri::True => ("yes", "Supported"),
                    crate::model::Tri::False => ("no", "Not supported"),
                    crate::model::Tri::NotApplicable => ("na", "Not applicable"),
                };
                FeatureView {
                    name: &f.name,
                    class,
                    label,
                    responsibility: f.responsibility.label(),
                }
            })
            .collect(),
        policies: c.policies.iter().map(|p| p.name.as_str()).collect(),
    }
}
