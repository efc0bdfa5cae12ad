//! The source model: what the YAML files of a book can say, with the spans that
//! diagnostics point at. Deserialised strictly (unknown keys are errors) and described by a
//! JSON Schema for editors.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::source::Span;

/// A value and the byte range of the YAML node it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            // The fast reader (crate::yaml_fast), which hands over the span directly.
            return deserializer.deserialize_tuple_struct(
                crate::yaml_fast::SPANNED,
                3,
                FastSpanned(std::marker::PhantomData),
            );
        }
        let inner = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let span = inner.referenced.span();
        let span = match (span.byte_offset(), span.byte_len()) {
            (Some(start), Some(len)) => Span::new(start as usize, (start + len) as usize),
            // Only reader sources lack byte offsets, and we always parse from strings.
            _ => Span::default(),
        };
        Ok(Spanned {
            value: inner.value,
            span,
        })
    }
}

/// `Spanned` from the fast reader: start, end, value.
struct FastSpanned<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for FastSpanned<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar with its span")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Spanned<T>, A::Error> {
        let missing = || de::Error::invalid_length(0, &"start, end and value");
        let start: usize = seq.next_element()?.ok_or_else(missing)?;
        let end: usize = seq.next_element()?.ok_or_else(missing)?;
        let value: T = seq.next_element()?.ok_or_else(missing)?;
        Ok(Spanned::new(value, Span::new(start, end)))
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// `true`, `false` or `not-applicable`: the vocabulary of Microsoft's "Feature Supported"
/// and "Feature Enabled by Default" columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tri {
    True,
    False,
    NotApplicable,
}

impl Tri {
    /// As Microsoft's mapping files and articles write it.
    pub fn label(self) -> &'static str {
        match self {
            Tri::True => "True",
            Tri::False => "False",
            Tri::NotApplicable => "Not Applicable",
        }
    }
}

impl Serialize for Tri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tri::True => serializer.serialize_bool(true),
            Tri::False => serializer.serialize_bool(false),
            Tri::NotApplicable => serializer.serialize_str("not-applicable"),
        }
    }
}

impl<'de> Deserialize<'de> for Tri {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TriVisitor;
        impl Visitor<'_> for TriVisitor {
            type Value = Tri;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, `false` or `not-applicable`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tri, E> {
                Ok(if v { Tri::True } else { Tri::False })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tri, E> {
                match v {
                    "not-applicable" => Ok(Tri::NotApplicable),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }
        deserializer.deserialize_any(TriVisitor)
    }
}

impl JsonSchema for Tri {
    fn schema_name() -> Cow<'static, str> {
        "TriState".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "`true`, `false` or `not-applicable`",
            "oneOf": [{ "type": "boolean" }, { "const": "not-applicable" }]
        })
    }
}

/// Who configures a feature: Microsoft's "Responsibility" column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Responsibility {
    Customer,
    Microsoft,
    Shared,
    NotApplicable,
}

impl Responsibility {
    pub fn label(self) -> &'static str {
        match self {
            Responsibility::Customer => "Customer",
            Responsibility::Microsoft => "Microsoft",
            Responsibility::Shared => "Shared",
            Responsibility::NotApplicable => "Not Applicable",
        }
    }
}

/// Whether customers can reach the host or operating system of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HostAccess {
    NoAccess,
    ReadOnly,
    FullAccess,
}

impl HostAccess {
    pub fn label(self) -> &'static str {
        match self {
            HostAccess::NoAccess => "No Access",
            HostAccess::ReadOnly => "Read Only",
            HostAccess::FullAccess => "Full Access",
        }
    }
}

/// `content/benchmarks/<id>.yaml`: a security benchmark's domains and controls.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    /// Identifier that baselines refer to, e.g. `mcsb-v1`.
    pub id: Spanned<String>,
    /// Full name, e.g. "Microsoft cloud security benchmark".
    pub name: String,
    /// Version as published, e.g. "1.0".
    pub version: String,
    /// The benchmark's overview page.
    pub link: Spanned<String>,
    /// Domains in the benchmark's order.
    pub domains: Vec<Domain>,
    /// Controls in the benchmark's order.
    pub controls: Vec<Control>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Short id, the prefix of its controls' ids (`NS`).
    pub id: Spanned<String>,
    /// Name as articles show it ("Network security").
    pub name: Spanned<String>,
    /// Name as Microsoft's workbooks write it in the "Control Domain" column.
    pub workbook_name: String,
    pub link: Spanned<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Control id, e.g. `NS-1`.
    pub id: Spanned<String>,
    /// Id of the control's domain.
    pub domain: Spanned<String>,
    pub title: Spanned<String>,
    pub link: Spanned<String>,
    /// Other titles under which published baselines show this control.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Spanned<String>>,
    /// CIS Controls v8 ids.
    #[serde(default)]
    pub cis_v8: Vec<String>,
    /// NIST SP 800-53 revision 4 ids.
    #[serde(default)]
    pub nist_sp800_53_r4: Vec<String>,
    /// PCI-DSS v3.2.1 ids.
    #[serde(default)]
    pub pci_dss_v3_2_1: Vec<String>,
}

/// `content/features.yaml`: the standard features that baselines assess.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureCatalog {
    pub features: Vec<Feature>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    /// Kebab-case id that baselines refer to.
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    /// The control this feature belongs to.
    pub control: Spanned<String>,
    pub description: Spanned<String>,
    /// The "Learn more" link of the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learn_more: Option<Spanned<String>>,
}

/// `content/baselines/<slug>.yaml`: one service's security baseline.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Service name as titles show it ("Container Registry").
    pub service: Spanned<String>,
    /// File and URL name (`container-registry`).
    pub slug: Spanned<String>,
    /// Id of the benchmark this baseline applies.
    pub benchmark: Spanned<String>,
    /// Azure resource provider namespace, e.g. `Microsoft.ContainerRegistry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_provider: Option<String>,
    /// Microsoft's published mapping file, linked from the article's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping_file: Option<Spanned<String>>,
    /// Date of the last review (YYYY-MM-DD), shown in the front matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Spanned<String>>,
    /// Paragraphs (Markdown) that replace the standard introduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Vec<String>>,
    pub security_profile: SecurityProfile,
    /// Controls in any order; outputs follow the benchmark's order.
    pub controls: Vec<BaselineControl>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityProfile {
    /// Product categories, e.g. `[Compute, Containers]`.
    pub product_category: Vec<Spanned<String>>,
    pub host_os_access: HostAccess,
    pub deployable_into_vnet: bool,
    pub stores_content_at_rest: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineControl {
    /// A control id of the benchmark.
    pub id: Spanned<String>,
    /// The title this baseline shows, when it differs from the catalog's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Spanned<String>>,
    #[serde(default)]
    pub features: Vec<FeatureEntry>,
    /// Control-level guidance where no feature applies (Microsoft's "No Related Feature").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Spanned<String>>,
    /// Responsibility for the control-level guidance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsibility: Option<Responsibility>,
    /// Notes on the control-level guidance (Microsoft's "Guidance Notes").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance_notes: Option<Spanned<String>>,
    /// Azure Policy built-in definitions for this control.
    #[serde(default)]
    pub policies: Vec<Policy>,
}

impl BaselineControl {
    /// A control of the benchmark with nothing of its own yet: no features, guidance or
    /// policies.
    pub fn new(id: Spanned<String>) -> Self {
        BaselineControl {
            id,
            title: None,
            features: Vec::new(),
            guidance: None,
            responsibility: None,
            guidance_notes: None,
            policies: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureEntry {
    /// A feature id of `content/features.yaml`.
    pub feature: Spanned<String>,
    pub supported: Spanned<Tri>,
    pub enabled_by_default: Spanned<Tri>,
    pub responsibility: Spanned<Responsibility>,
    /// Configuration guidance (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_notes: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_guidance: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance_notes: Option<Spanned<String>>,
    /// Further guidance paragraphs (Markdown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_guidance: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// Overrides of the feature catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learn_more: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: Spanned<String>,
    pub url: Spanned<String>,
}

/// Azure Policy effects as Azure writes them.
pub const POLICY_EFFECTS: [&str; 12] = [
    "Append",
    "Audit",
    "AuditIfNotExists",
    "Deny",
    "DenyAction",
    "DeployIfNotExists",
    "Disabled",
    "EnforceOPAConstraint",
    "EnforceRegoPolicy",
    "Manual",
    "Modify",
    "Mutate",
];

/// An Azure Policy built-in definition.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Display name.
    pub name: Spanned<String>,
    pub description: Spanned<String>,
    /// Allowed effects, e.g. `[Audit, Deny, Disabled]`.
    pub effects: Vec<Spanned<String>>,
    /// Definition version, e.g. `2.0.0`.
    pub version: Spanned<String>,
    /// The definition's GUID; gives the Azure portal link.
    pub definition_id: Spanned<String>,
    /// Path under `built-in-policies/policyDefinitions/` of the Azure Policy repository;
    /// gives the version link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}
