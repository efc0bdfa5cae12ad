//! Azure Policy import: reads a built-in initiative and the policy definitions it references,
//! and picks the policies whose rule targets one resource provider, grouped by MCSB control.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

use super::{Action, Defects, ImportError};
use crate::model::{Policy, Spanned};
use crate::source::Span;

/// JSON files larger than this are refused: the MCSB initiatives are under 200 KB and a
/// built-in definition rarely exceeds 100 KB.
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// Azure Policy effects as Azure writes them. Definitions spell them in any case (some list
/// both `audit` and `Audit` as allowed values), and the model wants one spelling.
const EFFECTS: &[&str] = &crate::model::POLICY_EFFECTS;

/// What an initiative expects of its inputs, for error messages.
const EXPECTED_INITIATIVE: &str =
    "expected an Azure Policy initiative (policy set definition) with `properties.policyDefinitions`";

/// A parsed initiative: for every policy definition GUID (lowercase), the MCSB control ids
/// it is grouped under (e.g. "NS-2"), in the initiative's order.
#[derive(Clone, Debug, Default)]
pub struct Initiative {
    display_name: String,
    references: Vec<Reference>,
}

/// One entry of `policyDefinitions`. An initiative may reference a definition twice (the
/// MCSB v2 preview does, with different parameters), so entries are kept as they come.
#[derive(Clone, Debug)]
struct Reference {
    /// JSON path of the entry, where defects point.
    at: String,
    /// Lowercase GUID (last segment of `policyDefinitionId`); `None` when unusable.
    guid: Option<String>,
    /// Control ids of the recognised group names, in the entry's order.
    controls: Vec<String>,
    /// Group names from which no control id could be read.
    unrecognised: Vec<String>,
    /// `definitionVersion`, e.g. `2.*.*`.
    pin: Option<String>,
}

impl Initiative {
    /// The initiative's display name, empty when it has none.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// Number of distinct policy definitions referenced.
    pub fn len(&self) -> usize {
        self.references
            .iter()
            .filter_map(|r| r.guid.as_deref())
            .collect::<HashSet<_>>()
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Control ids that the definition `guid` is grouped under, in the initiative's order,
    /// without repeats. Empty when the initiative does not reference it.
    pub fn controls(&self, guid: &str) -> Vec<&str> {
        let guid = guid.trim().to_ascii_lowercase();
        let mut out: Vec<&str> = Vec::new();
        for r in self
            .references
            .iter()
            .filter(|r| r.guid.as_deref() == Some(&guid))
        {
            for c in &r.controls {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// Reads and parses an initiative JSON file. Errors (unreadable, not JSON, no
/// `policyDefinitions`) name the file and what was expected.
pub fn load_initiative(path: &Path) -> Result<Initiative, ImportError> {
    let file = path.display().to_string();
    let text = read_json_file(path).map_err(|message| ImportError::Unreadable {
        file: file.clone(),
        message,
    })?;
    parse_initiative(&file, &text)
}

/// Parses the text of an initiative; `file` names it in errors. Accepts the repository
/// layout (`properties.policyDefinitions`) and the flattened one that `az policy
/// set-definition show` prints (`policyDefinitions` at the top).
pub fn parse_initiative(file: &str, json: &str) -> Result<Initiative, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        file: file.to_string(),
        message,
    };
    let root: Value = serde_json::from_str(json)
        .map_err(|e| invalid(format!("not JSON ({e}); {EXPECTED_INITIATIVE}")))?;
    let Some(root) = root.as_object() else {
        return Err(invalid(format!(
            "the top level is not an object; {EXPECTED_INITIATIVE}"
        )));
    };
    let (body, prefix) = match get_ci(root, "properties").and_then(Value::as_object) {
        Some(props) if get_ci(props, "policyDefinitions").is_some() => (props, "properties."),
        _ => (root, ""),
    };
    let Some(entries) = get_ci(body, "policyDefinitions").and_then(Value::as_array) else {
        return Err(invalid(format!(
            "no `policyDefinitions` array; {EXPECTED_INITIATIVE}"
        )));
    };
    let display_name = get_str(body, "displayName").unwrap_or_default().to_string();
    let references = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| parse_reference(format!("{prefix}policyDefinitions[{i}]"), entry))
        .collect();
    Ok(Initiative {
        display_name,
        references,
    })
}

fn parse_reference(at: String, entry: &Value) -> Reference {
    let mut reference = Reference {
        at,
        guid: None,
        controls: Vec::new(),
        unrecognised: Vec::new(),
        pin: None,
    };
    let Some(entry) = entry.as_object() else {
        return reference;
    };
    // Built-ins are `/providers/Microsoft.Authorization/policyDefinitions/<GUID>`; custom
    // definitions live under a subscription or management group, and end the same way.
    reference.guid = get_str(entry, "policyDefinitionId")
        .and_then(|id| id.trim().trim_end_matches('/').rsplit('/').next())
        .map(|guid| guid.trim().to_ascii_lowercase())
        .filter(|guid| !guid.is_empty());
    reference.pin = get_str(entry, "definitionVersion").map(str::to_string);
    let groups = get_ci(entry, "groupNames").and_then(Value::as_array);
    for group in groups.into_iter().flatten().filter_map(Value::as_str) {
        match control_id(group) {
            Some(id) if !reference.controls.contains(&id) => reference.controls.push(id),
            Some(_) => {}
            None => reference.unrecognised.push(group.to_string()),
        }
    }
    reference
}

/// The control id at the end of a group name: `Azure_Security_Benchmark_v3.0_NS-2` gives
/// `NS-2`. The MCSB v2 preview keeps the v3.0 prefix and adds domains (`..._AI-1`), so the
/// id is recognised by its shape, not by the prefix.
fn control_id(group: &str) -> Option<String> {
    let tail = group.trim().rsplit('_').next()?;
    let (domain, number) = tail.split_once('-')?;
    let domain_ok =
        (1..=4).contains(&domain.len()) && domain.chars().all(|c| c.is_ascii_alphabetic());
    let number_ok = (1..=3).contains(&number.len()) && number.chars().all(|c| c.is_ascii_digit());
    (domain_ok && number_ok).then(|| format!("{}-{number}", domain.to_ascii_uppercase()))
}

/// Policy definitions indexed by GUID, each parsed once.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    by_guid: HashMap<String, Definition>,
}

/// What the import needs of one definition.
#[derive(Clone, Debug)]
struct Definition {
    guid: String,
    display_name: String,
    description: String,
    version: String,
    effects: Vec<String>,
    /// Path relative to the definitions folder, with `/` separators.
    path: String,
    /// Resource types that the rule's `if` requires, lowercase.
    types: Vec<TypePattern>,
}

/// A resource type that a rule requires: exact (`equals`, `in`) or a `like` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TypePattern {
    Exact(String),
    Like(String),
}

impl Definition {
    /// Whether the rule requires a resource type of `provider` (lowercase, no trailing `/`).
    fn targets(&self, provider: &str) -> bool {
        self.types.iter().any(|t| match t {
            TypePattern::Exact(t) => in_provider(t, provider),
            // `Microsoft.ContainerRegistry*` covers the provider's types too; a pattern
            // whose wildcard comes earlier (`Microsoft.*`) targets every provider, so no
            // one in particular.
            TypePattern::Like(p) => {
                in_provider(p, provider) || p.split('*').next() == Some(provider)
            }
        })
    }

    fn to_policy(&self) -> Policy {
        let spanned = |s: &str| Spanned::new(s.to_string(), Span::default());
        Policy {
            name: spanned(&self.display_name),
            description: spanned(&self.description),
            effects: self.effects.iter().map(|e| spanned(e)).collect(),
            version: spanned(&self.version),
            definition_id: spanned(&self.guid),
            path: Some(self.path.clone()),
        }
    }
}

/// `type` (lowercase) is `provider/...`.
fn in_provider(type_: &str, provider: &str) -> bool {
    type_
        .strip_prefix(provider)
        .is_some_and(|rest| rest.starts_with('/'))
}

impl Definitions {
    /// Number of definitions indexed.
    pub fn len(&self) -> usize {
        self.by_guid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_guid.is_empty()
    }

    /// Whether a definition with this GUID (any case) is indexed.
    pub fn contains(&self, guid: &str) -> bool {
        self.by_guid.contains_key(&guid.trim().to_ascii_lowercase())
    }

    /// Parses one definition file's text and indexes it under its GUID. `path` is the file
    /// relative to the definitions folder (`/` separators). A text that is not a valid
    /// definition, or a GUID already indexed, is reported in `defects` and dropped; returns
    /// whether the definition was indexed.
    pub fn add(&mut self, path: &str, json: &str, defects: &mut Defects) -> bool {
        let definition = match parse_definition(path, json, defects) {
            Ok(d) => d,
            Err(message) => {
                defects.add(
                    Some(path),
                    None,
                    "invalid-definition",
                    message,
                    Action::Dropped,
                );
                return false;
            }
        };
        if let Some(first) = self.by_guid.get(&definition.guid) {
            defects.add(
                Some(path),
                None,
                "duplicate-definition",
                format!(
                    "definition {} is already read from `{}`",
                    definition.guid, first.path
                ),
                Action::Dropped,
            );
            return false;
        }
        self.by_guid.insert(definition.guid.clone(), definition);
        true
    }
}

/// Indexes every `*.json` definition below `dir` (recursively) by GUID, reading each file
/// once, in path order so that duplicates resolve the same way on every machine. A file
/// that is not a valid definition is reported in `defects` (`Action::Dropped`), not fatal.
/// Paths are kept relative to `dir` with `/` separators (e.g.
/// `Container Registry/ACR_CMKEncryptionEnabled_Audit.json`). Errors: `dir` unreadable,
/// not a folder, or without any `*.json` file.
pub fn load_definitions(dir: &Path, defects: &mut Defects) -> Result<Definitions, ImportError> {
    let file = dir.display().to_string();
    let meta = fs::metadata(dir).map_err(|e| ImportError::Unreadable {
        file: file.clone(),
        message: format!("cannot read the policy definitions folder: {e}"),
    })?;
    if !meta.is_dir() {
        return Err(ImportError::Invalid {
            file,
            message: "not a folder; expected a folder of Azure Policy definition JSON files"
                .to_string(),
        });
    }
    let mut files = Vec::new();
    collect_json_files(dir, "", &mut files, defects).map_err(|e| ImportError::Unreadable {
        file: file.clone(),
        message: format!("cannot list the policy definitions folder: {e}"),
    })?;
    if files.is_empty() {
        return Err(ImportError::Invalid {
            file,
            message: "no *.json file below it; expected Azure Policy definition JSON files"
                .to_string(),
        });
    }
    files.sort();
    let mut definitions = Definitions::default();
    for (rel, path) in files {
        match read_json_file(&path) {
            Ok(text) => {
                definitions.add(&rel, &text, defects);
            }
            Err(message) => defects.add(
                Some(&rel),
                None,
                "invalid-definition",
                message,
                Action::Dropped,
            ),
        }
    }
    Ok(definitions)
}

/// Appends `(relative path, path)` of every `*.json` file below `dir`. An unreadable
/// subfolder is a defect; only the top folder's failure is returned. Symlinked folders are
/// not followed, so a link cycle cannot loop.
fn collect_json_files(
    dir: &Path,
    rel: &str,
    out: &mut Vec<(String, std::path::PathBuf)>,
    defects: &mut Defects,
) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                defects.add(
                    (!rel.is_empty()).then_some(rel),
                    None,
                    "unreadable-definition",
                    format!("cannot list a folder entry: {e}"),
                    Action::Dropped,
                );
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if let Err(e) = collect_json_files(&path, &child_rel, out, defects) {
                defects.add(
                    Some(&child_rel),
                    None,
                    "unreadable-definition",
                    format!("cannot list the folder: {e}"),
                    Action::Dropped,
                );
            }
        } else if name.to_ascii_lowercase().ends_with(".json") && (kind.is_file() || path.is_file())
        {
            out.push((child_rel, path));
        }
    }
    Ok(())
}

/// Reads a JSON file as text, refusing sizes no policy file has.
fn read_json_file(path: &Path) -> Result<String, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > MAX_JSON_BYTES {
        return Err(format!(
            "{} bytes, more than the {MAX_JSON_BYTES} an Azure Policy JSON file can be",
            meta.len()
        ));
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))
}

/// Parses one definition. Problems that leave it usable (no version, effects that cannot be
/// resolved) are reported and kept; the `Err` message is why it is unusable.
fn parse_definition(path: &str, json: &str, defects: &mut Defects) -> Result<Definition, String> {
    const EXPECTED: &str = "expected an Azure Policy definition with `name`, \
        `properties.displayName` and `properties.policyRule`";
    let root: Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON ({e}); {EXPECTED}"))?;
    let root = root
        .as_object()
        .ok_or_else(|| format!("the top level is not an object; {EXPECTED}"))?;
    let props = get_ci(root, "properties")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("no `properties` object; {EXPECTED}"))?;
    // `name` is the GUID; `id` ends with it, for files that lack `name`.
    let guid = get_str(root, "name")
        .or_else(|| get_str(root, "id").and_then(|id| id.trim_end_matches('/').rsplit('/').next()))
        .map(|g| g.trim().to_ascii_lowercase())
        .filter(|g| !g.is_empty())
        .ok_or_else(|| format!("no `name` (the definition's GUID); {EXPECTED}"))?;
    let display_name = get_str(props, "displayName")
        .ok_or_else(|| format!("no `properties.displayName`; {EXPECTED}"))?
        .to_string();
    let rule = get_ci(props, "policyRule")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("no `properties.policyRule` object; {EXPECTED}"))?;
    let params = get_ci(props, "parameters").and_then(Value::as_object);
    let empty = Map::new();
    let params = params.unwrap_or(&empty);

    let description = get_str(props, "description")
        .unwrap_or_default()
        .to_string();
    let metadata = get_ci(props, "metadata").and_then(Value::as_object);
    // The portal and the docs show `metadata.version`; `properties.version` is the newer
    // field and equal to it in every built-in, so it only stands in.
    let version = metadata
        .and_then(|m| get_str(m, "version"))
        .or_else(|| get_str(props, "version"))
        .map(str::to_string)
        .unwrap_or_else(|| {
            defects.add(
                Some(path),
                None,
                "missing-version",
                format!("definition {guid} has no `properties.metadata.version`"),
                Action::Kept,
            );
            String::new()
        });
    let effects = effects_of(rule, params).unwrap_or_else(|message| {
        defects.add(
            Some(path),
            None,
            "unresolved-effect",
            format!("definition {guid}: {message}"),
            Action::Kept,
        );
        Vec::new()
    });
    let mut types = Vec::new();
    if let Some(condition) = get_ci(rule, "if") {
        collect_types(condition, false, params, &mut types);
    }
    Ok(Definition {
        guid,
        display_name,
        description,
        version,
        effects,
        path: path.to_string(),
        types,
    })
}

/// The effects a definition can have: the allowed values of the parameter that
/// `then.effect` refers to (not necessarily named `effect`: one Key Vault built-in uses
/// `audit_effect` and keeps a deprecated `effect` beside it), else its default, else the
/// literal effect.
fn effects_of(
    rule: &Map<String, Value>,
    params: &Map<String, Value>,
) -> Result<Vec<String>, String> {
    let effect = get_ci(rule, "then")
        .and_then(Value::as_object)
        .and_then(|then| get_str(then, "effect"))
        .ok_or("no `policyRule.then.effect` string")?;
    let Some(name) = parameter_reference(effect) else {
        if is_expression(effect) {
            return Err(format!("the effect `{effect}` is an expression"));
        }
        return Ok(vec![canonical_effect(&literal(effect))]);
    };
    let param = get_ci(params, name)
        .and_then(Value::as_object)
        .ok_or_else(|| {
            format!("the effect refers to the parameter `{name}`, which is not declared")
        })?;
    let mut effects: Vec<String> = Vec::new();
    let allowed = get_ci(param, "allowedValues").and_then(Value::as_array);
    let values = allowed
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .chain(
            // Without allowed values the default is the only effect we can name.
            get_str(param, "defaultValue").filter(|_| allowed.is_none_or(|a| a.is_empty())),
        );
    for value in values {
        let effect = canonical_effect(value);
        if !effects.contains(&effect) {
            effects.push(effect);
        }
    }
    if effects.is_empty() {
        return Err(format!(
            "the effect parameter `{name}` has neither allowed values nor a default"
        ));
    }
    Ok(effects)
}

fn canonical_effect(effect: &str) -> String {
    let effect = effect.trim();
    EFFECTS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(effect))
        .map_or_else(|| effect.to_string(), |e| e.to_string())
}

/// Collects the resource types that `condition` requires of `field: type`. Under an odd
/// number of `not`s, `notEquals` / `notIn` / `notLike` require and `equals` / `in` / `like`
/// exclude.
fn collect_types(
    condition: &Value,
    negated: bool,
    params: &Map<String, Value>,
    out: &mut Vec<TypePattern>,
) {
    let Some(condition) = condition.as_object() else {
        return;
    };
    // Policy language keys are case-insensitive (`allOf`, `AllOf`).
    let is_type_field =
        get_str(condition, "field").is_some_and(|f| f.trim().eq_ignore_ascii_case("type"));
    for (key, value) in condition {
        match (key.to_ascii_lowercase().as_str(), negated) {
            ("allof" | "anyof", _) => {
                for c in value.as_array().into_iter().flatten() {
                    collect_types(c, negated, params, out);
                }
            }
            ("not", _) => collect_types(value, !negated, params, out),
            ("equals" | "in", false) | ("notequals" | "notin", true) if is_type_field => {
                for t in type_values(value, params) {
                    out.push(TypePattern::Exact(t));
                }
            }
            ("like", false) | ("notlike", true) if is_type_field => {
                for t in type_values(value, params) {
                    out.push(TypePattern::Like(t));
                }
            }
            _ => {}
        }
    }
}

/// Lowercase type strings of a condition's value: a string, an array of strings, or a
/// parameter reference (its default and allowed values).
fn type_values(value: &Value, params: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        let s = s.trim().to_ascii_lowercase();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    for s in strings(value) {
        match parameter_reference(&s) {
            Some(name) => {
                let param = get_ci(params, name).and_then(Value::as_object);
                for key in ["defaultValue", "allowedValues"] {
                    if let Some(v) = param.and_then(|p| get_ci(p, key)) {
                        strings(v).iter().for_each(|s| push(s));
                    }
                }
            }
            None if is_expression(&s) => {}
            None => push(&literal(&s)),
        }
    }
    out
}

/// The name in `[parameters('name')]`, the only expression that built-in effects and
/// types use.
fn parameter_reference(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if inner.starts_with('[') {
        return None;
    }
    let (function, rest) = inner.split_once('(')?;
    if !function.trim().eq_ignore_ascii_case("parameters") {
        return None;
    }
    let name = rest.trim_end().strip_suffix(')')?.trim();
    let name = name.strip_prefix('\'')?.strip_suffix('\'')?;
    (!name.is_empty() && !name.contains('\'')).then_some(name)
}

/// ARM evaluates a string in brackets as an expression, unless it starts with `[[`.
fn is_expression(s: &str) -> bool {
    let s = s.trim();
    s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']')
}

/// The literal value of a string that is not an expression: `[[x]` stands for `[x]`.
fn literal(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix("[[") {
        Some(rest) => format!("[{rest}"),
        None => s.to_string(),
    }
}

/// The policies of `initiative` whose definition's rule targets `resource_provider` (e.g.
/// `Microsoft.ContainerRegistry`: a `field: type` condition equal to, in, or like a type
/// `Microsoft.ContainerRegistry/...`, without regard to case), grouped by control id.
/// Within a control, policies are sorted by display name (case-insensitively, as Azure's
/// docs list them, so `[Preview]: ...` comes first), then GUID.
///
/// Defects, each reported once per call: a referenced definition missing from
/// `definitions` (`missing-definition`, dropped; every such reference, since its provider
/// cannot be known), an entry without `policyDefinitionId` (`invalid-reference`, dropped),
/// and for the matching policies: a group name without a control id (`unrecognised-group`,
/// dropped), a policy in no group (`ungrouped-policy`, dropped), a definition whose major
/// version differs from the initiative's `definitionVersion`
/// (`definition-version-mismatch`, kept: the definitions are newer than the initiative).
pub fn policies_for(
    initiative: &Initiative,
    definitions: &Definitions,
    resource_provider: &str,
    defects: &mut Defects,
) -> BTreeMap<String, Vec<Policy>> {
    let provider = resource_provider
        .trim()
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let mut grouped: BTreeMap<String, Vec<&Definition>> = BTreeMap::new();
    let mut reported: HashSet<(&'static str, &str)> = HashSet::new();
    for reference in &initiative.references {
        let Some(guid) = reference.guid.as_deref() else {
            defects.add(
                Some(&reference.at),
                None,
                "invalid-reference",
                "no `policyDefinitionId`; the entry names no policy definition",
                Action::Dropped,
            );
            continue;
        };
        let Some(definition) = definitions.by_guid.get(guid) else {
            if reported.insert(("missing-definition", guid)) {
                defects.add(
                    Some(&reference.at),
                    None,
                    "missing-definition",
                    format!("policy definition {guid} is not among the definitions read"),
                    Action::Dropped,
                );
            }
            continue;
        };
        if provider.is_empty() || !definition.targets(&provider) {
            continue;
        }
        for group in &reference.unrecognised {
            defects.add(
                Some(&reference.at),
                None,
                "unrecognised-group",
                format!(
                    "group `{group}` of \"{}\" ({guid}) ends in no control id such as NS-2",
                    definition.display_name
                ),
                Action::Dropped,
            );
        }
        if reference.controls.is_empty() && reference.unrecognised.is_empty() {
            defects.add(
                Some(&reference.at),
                None,
                "ungrouped-policy",
                format!(
                    "\"{}\" ({guid}) is in no group, so under no control",
                    definition.display_name
                ),
                Action::Dropped,
            );
        }
        if let Some(pin) = &reference.pin {
            if major(pin)
                .zip(major(&definition.version))
                .is_some_and(|(a, b)| a != b)
                && reported.insert(("definition-version-mismatch", guid))
            {
                defects.add(
                    Some(&reference.at),
                    None,
                    "definition-version-mismatch",
                    format!(
                        "the initiative pins \"{}\" ({guid}) to {pin}, the definition read is {}",
                        definition.display_name, definition.version
                    ),
                    Action::Kept,
                );
            }
        }
        for control in &reference.controls {
            let list = grouped.entry(control.clone()).or_default();
            if !list.iter().any(|d| d.guid == definition.guid) {
                list.push(definition);
            }
        }
    }
    grouped
        .into_iter()
        .map(|(control, mut list)| {
            list.sort_by(|a, b| {
                (a.display_name.to_lowercase(), &a.display_name, &a.guid).cmp(&(
                    b.display_name.to_lowercase(),
                    &b.display_name,
                    &b.guid,
                ))
            });
            (
                control,
                list.into_iter().map(Definition::to_policy).collect(),
            )
        })
        .collect()
}

/// The major version of `2.0.0` or `2.*.*-preview`.
fn major(version: &str) -> Option<u64> {
    version.trim().split('.').next()?.parse().ok()
}

/// A key of an Azure JSON object: exact spelling first, then without case (ARM treats
/// property names case-insensitively).
fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn get_str<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    get_ci(map, key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests;
