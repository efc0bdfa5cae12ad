//! Turns a loaded book into render-ready documents: one [`Doc`] per baseline with the
//! catalog's names, descriptions, links and titles filled in, controls in the benchmark's
//! order. Renderers read only these, never the source model or its spans.

use serde::Serialize;

use crate::load::Book;
use crate::model::{self, Responsibility, Tri};

/// One baseline, resolved against its benchmark and the feature catalog.
#[derive(Clone, Debug, Serialize)]
pub struct Doc {
    pub service: String,
    pub slug: String,
    pub benchmark: BenchmarkRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
    /// Introduction paragraphs (Markdown).
    pub intro: Vec<String>,
    pub security_profile: Vec<ProfileRow>,
    /// Domains that have at least one control in this baseline, in the benchmark's order.
    pub domains: Vec<DomainDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BenchmarkRef {
    pub id: String,
    pub name: String,
    pub version: String,
    pub link: String,
}

/// A row of the security profile: attribute, its fixed description, and the value.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileRow {
    pub attribute: &'static str,
    pub description: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DomainDoc {
    pub id: String,
    pub name: String,
    pub workbook_name: String,
    pub link: String,
    /// Whether the article shows this domain (it has a shown control).
    pub shown: bool,
    pub controls: Vec<ControlDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ControlDoc {
    pub id: String,
    pub title: String,
    pub link: String,
    /// Stable page anchor, e.g. `ns-2`.
    pub anchor: String,
    pub cis_v8: Vec<String>,
    pub nist_sp800_53_r4: Vec<String>,
    pub pci_dss_v3_2_1: Vec<String>,
    /// Whether the article shows this control (a feature is supported or not, or it has
    /// guidance or policies); not-applicable-only controls are in the workbook alone.
    pub shown: bool,
    pub features: Vec<FeatureDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsibility: Option<Responsibility>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance_notes: Option<String>,
    pub policies: Vec<PolicyDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FeatureDoc {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learn_more: Option<String>,
    /// Stable page anchor, e.g. `ns-2-azure-private-link`.
    pub anchor: String,
    pub supported: Tri,
    pub enabled_by_default: Tri,
    pub responsibility: Responsibility,
    /// Whether the article shows this feature (supported is true or false).
    pub shown: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_guidance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance_notes: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_guidance: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<ReferenceDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReferenceDoc {
    pub title: String,
    pub url: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyDoc {
    pub name: String,
    pub description: String,
    pub effects: Vec<String>,
    pub version: String,
    pub definition_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The definition in the Azure portal.
    pub portal_url: String,
    /// The definition's source in the Azure Policy repository, when its path is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl Doc {
    pub fn controls(&self) -> impl Iterator<Item = (&DomainDoc, &ControlDoc)> {
        self.domains
            .iter()
            .flat_map(|d| d.controls.iter().map(move |c| (d, c)))
    }

    pub fn features(&self) -> impl Iterator<Item = (&DomainDoc, &ControlDoc, &FeatureDoc)> {
        self.controls()
            .flat_map(|(d, c)| c.features.iter().map(move |f| (d, c, f)))
    }

    /// Base name of the per-baseline output files (`<slug>-security-baseline`).
    pub fn file_stem(&self) -> String {
        format!("{}-security-baseline", self.slug)
    }
}

/// Descriptions of the security profile attributes, as Microsoft's mapping files carry them.
pub const PROFILE_DESCRIPTIONS: [(&str, &str); 4] = [
    (
        "Product Category",
        "Product type label, generally to categorize the functionality of the offering. For example: 'Compute', 'Storage', 'Security'. Products can fit into many categories.",
    ),
    (
        "Customer can access HOST / OS",
        "The offering lets the user access the host / OS level of the system. For example: Azure Virtual Machines let customers configure custom images or access and configure the virtualized host.",
    ),
    (
        "Service can be deployed into customer's virtual network",
        "The offering deploys user-facing ARM resources in the user's virtual networks or assigns an IP from the user's network. For Example: Azure Virtual Machine deploys a public IP resource into the user's virtual network or Azure Storage deploys a private endpoint resource reserving an IP from the user's network.",
    ),
    (
        "Stores customer content at rest",
        "The offering stores 'customer content' at rest for >24 hours.",
    ),
];

/// Resolves every baseline of a book whose references were checked by
/// [`crate::references::check`]; a baseline whose benchmark is missing is skipped.
pub fn resolve(book: &Book) -> Vec<Doc> {
    let mut docs: Vec<Doc> = book
        .baselines
        .iter()
        .filter_map(|b| resolve_one(book, &b.value))
        .collect();
    docs.sort_by(order);
    docs
}

/// The order every listing shows documents in: by service name, ignoring case, then by
/// slug.
pub fn order(a: &Doc, b: &Doc) -> std::cmp::Ordering {
    a.service
        .to_lowercase()
        .cmp(&b.service.to_lowercase())
        .then(a.slug.cmp(&b.slug))
}

/// Resolves one baseline; `None` when its benchmark is not in the book (loading reports
/// that as an error, so a book that loaded cleanly always resolves).
pub fn resolve_one(book: &Book, baseline: &model::Baseline) -> Option<Doc> {
    let benchmark = book.benchmark(&baseline.benchmark.value)?;
    let service = baseline.service.value.clone();
    let bench_ref = BenchmarkRef {
        id: benchmark.id.value.clone(),
        name: benchmark.name.clone(),
        version: benchmark.version.clone(),
        link: benchmark.link.value.clone(),
    };
    let intro = baseline
        .intro
        .clone()
        .unwrap_or_else(|| default_intro(&service, &bench_ref));

    let mut domains = Vec::new();
    for domain in &benchmark.domains {
        let mut controls = Vec::new();
        for control in benchmark
            .controls
            .iter()
            .filter(|c| c.domain.value == domain.id.value)
        {
            for entry in baseline
                .controls
                .iter()
                .filter(|c| c.id.value == control.id.value)
            {
                controls.push(resolve_control(book, control, entry));
            }
        }
        if !controls.is_empty() {
            domains.push(DomainDoc {
                id: domain.id.value.clone(),
                name: domain.name.value.clone(),
                workbook_name: domain.workbook_name.clone(),
                link: domain.link.value.clone(),
                shown: controls.iter().any(|c| c.shown),
                controls,
            });
        }
    }

    let p = &baseline.security_profile;
    let values = [
        p.product_category
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        p.host_os_access.label().to_string(),
        bool_label(p.deployable_into_vnet).to_string(),
        bool_label(p.stores_content_at_rest).to_string(),
    ];
    let security_profile = PROFILE_DESCRIPTIONS
        .iter()
        .zip(values)
        .map(|(&(attribute, description), value)| ProfileRow {
            attribute,
            description,
            value,
        })
        .collect();

    Some(Doc {
        service,
        slug: baseline.slug.value.clone(),
        benchmark: bench_ref,
        resource_provider: baseline.resource_provider.clone(),
        mapping_file: baseline.mapping_file.as_ref().map(|s| s.value.clone()),
        last_reviewed: baseline.last_reviewed.as_ref().map(|s| s.value.clone()),
        intro,
        security_profile,
        domains,
    })
}

fn resolve_control(
    book: &Book,
    control: &model::Control,
    entry: &model::BaselineControl,
) -> ControlDoc {
    let anchor = control.id.value.to_lowercase();
    let features: Vec<FeatureDoc> = entry
        .features
        .iter()
        .map(|f| resolve_feature(book, &anchor, f))
        .collect();
    let policies: Vec<PolicyDoc> = entry.policies.iter().map(resolve_policy).collect();
    let guidance = text(&entry.guidance);
    let shown = features.iter().any(|f| f.shown) || guidance.is_some() || !policies.is_empty();
    ControlDoc {
        id: control.id.value.clone(),
        title: entry.title.as_ref().map_or_else(
            || normalize_space(&control.title.value),
            |t| t.value.clone(),
        ),
        link: control.link.value.clone(),
        anchor,
        cis_v8: control.cis_v8.clone(),
        nist_sp800_53_r4: control.nist_sp800_53_r4.clone(),
        pci_dss_v3_2_1: control.pci_dss_v3_2_1.clone(),
        shown,
        features,
        guidance,
        responsibility: entry.responsibility,
        guidance_notes: text(&entry.guidance_notes),
        policies,
    }
}

fn resolve_feature(book: &Book, control_anchor: &str, f: &model::FeatureEntry) -> FeatureDoc {
    let catalog = book.feature(&f.feature.value);
    let name = f
        .name
        .as_ref()
        .or_else(|| catalog.map(|c| &c.name))
        .map_or_else(|| f.feature.value.clone(), |s| s.value.clone());
    let description = f
        .description
        .as_ref()
        .or_else(|| catalog.map(|c| &c.description))
        .map(|s| s.value.clone())
        .unwrap_or_default();
    let learn_more = f
        .learn_more
        .as_ref()
        .or_else(|| catalog.and_then(|c| c.learn_more.as_ref()))
        .map(|s| s.value.clone());
    FeatureDoc {
        id: f.feature.value.clone(),
        name,
        description,
        learn_more,
        anchor: format!("{control_anchor}-{}", f.feature.value),
        supported: f.supported.value,
        enabled_by_default: f.enabled_by_default.value,
        responsibility: f.responsibility.value,
        shown: f.supported.value != Tri::NotApplicable,
        guidance: text(&f.guidance),
        feature_notes: text(&f.feature_notes),
        additional_guidance: text(&f.additional_guidance),
        guidance_notes: text(&f.guidance_notes),
        custom_guidance: f
            .custom_guidance
            .iter()
            .map(|s| s.value.clone())
            .filter(|s| !s.trim().is_empty())
            .collect(),
        reference: f.reference.as_ref().map(|r| ReferenceDoc {
            title: r.title.value.clone(),
            url: r.url.value.clone(),
        }),
    }
}

fn resolve_policy(p: &model::Policy) -> PolicyDoc {
    let id = p.definition_id.value.trim().to_lowercase();
    PolicyDoc {
        name: p.name.value.clone(),
        description: p.description.value.clone(),
        effects: p.effects.iter().map(|e| e.value.clone()).collect(),
        version: p.version.value.clone(),
        definition_id: id.clone(),
        path: p.path.clone(),
        portal_url: format!(
            "https://portal.azure.com/#blade/Microsoft_Azure_Policy/PolicyDetailBlade/definitionId/%2Fproviders%2FMicrosoft.Authorization%2FpolicyDefinitions%2F{id}"
        ),
        source_url: p.path.as_ref().map(|path| {
            format!(
                "https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/{}",
                path.split('/').map(percent_encode_segment).collect::<Vec<_>>().join("/")
            )
        }),
    }
}

/// The standard introduction of Microsoft's baseline articles (MCSB v1 wording).
fn default_intro(service: &str, benchmark: &BenchmarkRef) -> Vec<String> {
    let name = &benchmark.name;
    vec![
        format!(
            "This security baseline applies guidance from the [{name} version {version}]({link}) to {service}. The {name} provides recommendations on how you can secure your cloud solutions on Azure. The content is grouped by the security controls defined by the {name} and the related guidance applicable to {service}.",
            version = benchmark.version,
            link = benchmark.link,
        ),
        "You can monitor this security baseline and its recommendations using Microsoft Defender for Cloud. Azure Policy definitions will be listed in the Regulatory Compliance section of the Microsoft Defender for Cloud portal page.".to_string(),
        format!(
            "When a feature has relevant Azure Policy Definitions, they are listed in this baseline to help you measure compliance with the {name} controls and recommendations. Some recommendations may require a paid Microsoft Defender plan to enable certain security scenarios."
        ),
    ]
}

fn text(value: &Option<model::Spanned<String>>) -> Option<String> {
    value
        .as_ref()
        .map(|s| s.value.clone())
        .filter(|s| !s.trim().is_empty())
}

fn bool_label(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Trims and collapses runs of whitespace (Microsoft's titles carry stray spaces and line
/// breaks).
pub fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn percent_encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_links_are_built_from_id_and_path() {
        let p = model::Policy {
            name: model::Spanned::new("n".into(), Default::default()),
            description: model::Spanned::new(String::new(), Default::default()),
            effects: vec![],
            version: model::Spanned::new("1.0.0".into(), Default::default()),
            definition_id: model::Spanned::new(
                "D0793B48-0EDC-4296-A390-4C75D1BDFD71".into(),
                Default::default(),
            ),
            path: Some("Container Registry/ACR_X.json".into()),
        };
        let d = resolve_policy(&p);
        assert!(d
            .portal_url
            .ends_with("%2Fd0793b48-0edc-4296-a390-4c75d1bdfd71"));
        assert_eq!(
            d.source_url.as_deref(),
            Some("https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Container%20Registry/ACR_X.json")
        );
    }

    #[test]
    fn whitespace_is_normalised() {
        assert_eq!(
            normalize_space(" Enable  data\nat rest  "),
            "Enable data at rest"
        );
    }
}
