//! Tests of the Azure Policy import: inline initiatives and definitions, and the fixtures.
use super::*;
use std::path::PathBuf;

/// A definition JSON with the given rule condition, `then.effect` and parameters.
fn definition(guid: &str, name: &str, condition: &str, effect: &str, params: &str) -> String {
    format!(
        r#"{{
              "properties": {{
                "displayName": "{name}",
                "description": "About {name}.",
                "metadata": {{ "version": "1.2.3", "category": "Test" }},
                "parameters": {params},
                "policyRule": {{ "if": {condition}, "then": {{ "effect": "{effect}" }} }}
              }},
              "id": "/providers/Microsoft.Authorization/policyDefinitions/{guid}",
              "name": "{guid}"
            }}"#
    )
}

const ACR_TYPE: &str = r#"{ "allOf": [
        { "field": "type", "equals": "Microsoft.ContainerRegistry/registries" },
        { "field": "Microsoft.ContainerRegistry/registries/encryption.status", "notEquals": "enabled" }
    ] }"#;

const EFFECT_PARAM: &str = r#"{ "effect": { "type": "String",
        "allowedValues": ["Audit", "Deny", "Disabled"], "defaultValue": "Audit" } }"#;

fn initiative(entries: &[(&str, &[&str])]) -> String {
    let entries: Vec<String> = entries
            .iter()
            .map(|(guid, groups)| {
                let groups: Vec<String> = groups
                    .iter()
                    .map(|g| format!("\"Azure_Security_Benchmark_v3.0_{g}\""))
                    .collect();
                format!(
                    r#"{{ "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/{guid}",
                         "definitionVersion": "1.*.*", "groupNames": [{}] }}"#,
                    groups.join(", ")
                )
            })
            .collect();
    format!(
        r#"{{ "properties": {{ "displayName": "Test", "policyDefinitions": [{}] }} }}"#,
        entries.join(", ")
    )
}

fn definitions(files: &[(&str, String)]) -> (Definitions, Defects) {
    let mut defects = Defects::new("definitions");
    let mut defs = Definitions::default();
    for (path, json) in files {
        defs.add(path, json, &mut defects);
    }
    (defs, defects)
}

fn names(policies: &[Policy]) -> Vec<&str> {
    policies.iter().map(|p| p.name.as_str()).collect()
}

fn effects(policy: &Policy) -> Vec<&str> {
    policy.effects.iter().map(|e| e.as_str()).collect()
}

#[test]
fn parameterised_effect_gives_the_allowed_values() {
    let guid = "5B9159AE-1701-4a6f-9a7a-aa9c8ddd0580";
    let (defs, load) = definitions(&[(
        "Container Registry/CMK.json",
        definition(
            guid,
            "CMK",
            ACR_TYPE,
            "[parameters('effect')]",
            EFFECT_PARAM,
        ),
    )]);
    assert!(load.list.is_empty(), "{:?}", load.list);
    let ini = parse_initiative("i.json", &initiative(&[(guid, &["DP-5"])])).unwrap();
    let mut defects = Defects::new("i.json");
    let got = policies_for(&ini, &defs, "Microsoft.ContainerRegistry", &mut defects);
    assert!(defects.list.is_empty(), "{:?}", defects.list);
    let policy = &got["DP-5"][0];
    assert_eq!(policy.name.as_str(), "CMK");
    assert_eq!(policy.description.as_str(), "About CMK.");
    assert_eq!(effects(policy), ["Audit", "Deny", "Disabled"]);
    assert_eq!(policy.version.as_str(), "1.2.3");
    assert_eq!(policy.definition_id.as_str(), guid.to_ascii_lowercase());
    assert_eq!(policy.path.as_deref(), Some("Container Registry/CMK.json"));
}

#[test]
fn effects_are_capitalised_and_deduplicated() {
    // Fifteen built-ins allow `audit, Audit, deny, Deny, disabled, Disabled`.
    let params = r#"{ "effect": { "type": "String",
            "allowedValues": ["audit", "Audit", "deny", "Deny", "disabled", "Disabled"] } }"#;
    let (defs, _) = definitions(&[(
        "a.json",
        definition("a", "A", ACR_TYPE, "[parameters('effect')]", params),
    )]);
    assert_eq!(defs.by_guid["a"].effects, ["Audit", "Deny", "Disabled"]);
}

#[test]
fn literal_effect_is_capitalised() {
    let (defs, load) = definitions(&[
        (
            "a.json",
            definition("a", "A", ACR_TYPE, "auditIfNotExists", "{}"),
        ),
        ("b.json", definition("b", "B", ACR_TYPE, "DENYACTION", "{}")),
    ]);
    assert!(load.list.is_empty(), "{:?}", load.list);
    assert_eq!(defs.by_guid["a"].effects, ["AuditIfNotExists"]);
    assert_eq!(defs.by_guid["b"].effects, ["DenyAction"]);
}

#[test]
fn the_parameter_the_rule_names_gives_the_effects() {
    // As Key Vault's Should_Use_PrivateEndpoint_Audit: `effect` is deprecated and unused.
    let params = r#"{
            "audit_effect": { "allowedValues": ["Audit", "Disabled"], "defaultValue": "Audit" },
            "effect": { "allowedValues": ["Audit", "Deny", "Disabled"], "defaultValue": "Audit" } }"#;
    let only_default = r#"{ "Effect": { "defaultValue": "modify" } }"#;
    let (defs, load) = definitions(&[
        (
            "a.json",
            definition("a", "A", ACR_TYPE, "[parameters('audit_effect')]", params),
        ),
        (
            "b.json",
            definition(
                "b",
                "B",
                ACR_TYPE,
                "[ parameters( 'effect' ) ]",
                only_default,
            ),
        ),
        (
            "c.json",
            definition("c", "C", ACR_TYPE, "[parameters('nope')]", "{}"),
        ),
    ]);
    assert_eq!(defs.by_guid["a"].effects, ["Audit", "Disabled"]);
    assert_eq!(defs.by_guid["b"].effects, ["Modify"]);
    assert!(defs.by_guid["c"].effects.is_empty());
    let kinds: Vec<_> = load.list.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, ["unresolved-effect"]);
    assert_eq!(load.list[0].sheet.as_deref(), Some("c.json"));
}

#[test]
fn nested_any_of_type_condition_matches() {
    let nested = r#"{ "anyOf": [
            { "allOf": [ { "field": "type", "equals": "Microsoft.Storage/storageAccounts" } ] },
            { "allOf": [ { "anyOf": [
                { "field": "Type", "In": ["Microsoft.Web/sites", "MICROSOFT.CONTAINERREGISTRY/registries/replications"] }
            ] } ] }
        ] }"#;
    let like = r#"{ "field": "type", "like": "microsoft.containerregistry/*" }"#;
    let double_not = r#"{ "not": { "not": { "field": "type", "equals": "Microsoft.ContainerRegistry/registries" } } }"#;
    let not_not_equals =
        r#"{ "not": { "field": "type", "notEquals": "Microsoft.ContainerRegistry/registries" } }"#;
    let param = r#"{ "effect": { "allowedValues": ["Audit"] },
            "types": { "defaultValue": ["Microsoft.ContainerRegistry/registries"] } }"#;
    let by_param = r#"{ "field": "type", "in": "[parameters('types')]" }"#;
    let (defs, _) = definitions(&[
        ("n.json", definition("n", "N", nested, "audit", "{}")),
        ("l.json", definition("l", "L", like, "audit", "{}")),
        ("d.json", definition("d", "D", double_not, "audit", "{}")),
        (
            "e.json",
            definition("e", "E", not_not_equals, "audit", "{}"),
        ),
        (
            "p.json",
            definition("p", "P", by_param, "[parameters('effect')]", param),
        ),
    ]);
    for guid in ["n", "l", "d", "e", "p"] {
        assert!(
            defs.by_guid[guid].targets("microsoft.containerregistry"),
            "{guid}"
        );
    }
    assert!(defs.by_guid["n"].targets("microsoft.storage"));
    assert!(defs.by_guid["n"].targets("microsoft.web"));
    let ini = parse_initiative(
        "i.json",
        &initiative(&[("n", &["NS-2"]), ("l", &["NS-2"]), ("p", &["NS-1"])]),
    )
    .unwrap();
    let mut defects = Defects::new("i.json");
    let got = policies_for(&ini, &defs, " microsoft.ContainerRegistry/ ", &mut defects);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["NS-1", "NS-2"]);
    assert_eq!(names(&got["NS-2"]), ["L", "N"]);
}

#[test]
fn other_providers_do_not_match() {
    let conditions = [
        r#"{ "field": "type", "equals": "Microsoft.ContainerRegistryX/registries" }"#,
        r#"{ "field": "type", "equals": "Microsoft.ContainerRegistry" }"#,
        r#"{ "field": "type", "notEquals": "Microsoft.ContainerRegistry/registries" }"#,
        r#"{ "not": { "field": "type", "equals": "Microsoft.ContainerRegistry/registries" } }"#,
        r#"{ "field": "type", "like": "Microsoft.*" }"#,
        r#"{ "field": "kind", "equals": "Microsoft.ContainerRegistry/registries" }"#,
        r#"{ "field": "Microsoft.ContainerRegistry/registries/sku.name", "equals": "Premium" }"#,
        r#"{ "field": "type", "equals": "[concat('Microsoft.ContainerRegistry', '/registries')]" }"#,
    ];
    let files: Vec<(String, String)> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                format!("{i}.json"),
                definition(&format!("g{i}"), "X", c, "audit", "{}"),
            )
        })
        .collect();
    let files: Vec<(&str, String)> = files.iter().map(|(p, j)| (p.as_str(), j.clone())).collect();
    let (defs, load) = definitions(&files);
    assert!(load.list.is_empty(), "{:?}", load.list);
    assert_eq!(defs.len(), conditions.len());
    let refs: Vec<(String, &[&str])> = (0..conditions.len())
        .map(|i| (format!("g{i}"), &["NS-2"][..]))
        .collect();
    let refs: Vec<(&str, &[&str])> = refs.iter().map(|(g, c)| (g.as_str(), *c)).collect();
    let ini = parse_initiative("i.json", &initiative(&refs)).unwrap();
    let mut defects = Defects::new("i.json");
    assert!(policies_for(&ini, &defs, "Microsoft.ContainerRegistry", &mut defects).is_empty());
    assert!(policies_for(&ini, &defs, "", &mut defects).is_empty());
    assert!(defects.list.is_empty(), "{:?}", defects.list);
    // The first targets its own provider.
    assert_eq!(
        policies_for(&ini, &defs, "Microsoft.ContainerRegistryX", &mut defects).len(),
        1
    );
}

#[test]
fn missing_definition_is_reported_once() {
    let (defs, _) = definitions(&[(
        "a.json",
        definition("a", "A", ACR_TYPE, "[parameters('effect')]", EFFECT_PARAM),
    )]);
    let ini = parse_initiative(
        "i.json",
        &initiative(&[("A", &["NS-2"]), ("Gone", &["NS-1"]), ("gone", &["NS-3"])]),
    )
    .unwrap();
    assert_eq!(ini.len(), 2);
    let mut defects = Defects::new("i.json");
    let got = policies_for(&ini, &defs, "Microsoft.ContainerRegistry", &mut defects);
    assert_eq!(names(&got["NS-2"]), ["A"]);
    assert_eq!(defects.list.len(), 1, "{:?}", defects.list);
    let defect = &defects.list[0];
    assert_eq!(defect.kind, "missing-definition");
    assert_eq!(defect.action, Action::Dropped);
    assert_eq!(
        defect.sheet.as_deref(),
        Some("properties.policyDefinitions[1]")
    );
    assert!(defect.message.contains("gone"), "{}", defect.message);
}

#[test]
fn policies_sort_by_name_then_guid_and_appear_once_per_control() {
    let def = |g: &str, n: &str| definition(g, n, ACR_TYPE, "audit", "{}");
    let (defs, _) = definitions(&[
        ("1.json", def("b2", "beta")),
        ("2.json", def("b1", "Beta")),
        ("3.json", def("c", "Alpha")),
        ("4.json", def("d", "[Preview]: Zeta")),
        ("5.json", def("a", "Beta")),
    ]);
    let ini = parse_initiative(
        "i.json",
        &initiative(&[
            ("b2", &["NS-2"]),
            ("b1", &["NS-2"]),
            ("c", &["NS-2", "DP-5", "NS-2"]),
            ("d", &["NS-2"]),
            ("a", &["NS-2"]),
            ("c", &["NS-2"]),
        ]),
    )
    .unwrap();
    assert_eq!(ini.controls("C"), ["NS-2", "DP-5"]);
    let mut defects = Defects::new("i.json");
    let got = policies_for(&ini, &defs, "Microsoft.ContainerRegistry", &mut defects);
    assert_eq!(
        names(&got["NS-2"]),
        ["[Preview]: Zeta", "Alpha", "Beta", "Beta", "beta"]
    );
    let ids: Vec<_> = got["NS-2"]
        .iter()
        .map(|p| p.definition_id.as_str())
        .collect();
    assert_eq!(ids, ["d", "c", "a", "b1", "b2"]);
    assert_eq!(names(&got["DP-5"]), ["Alpha"]);
}

#[test]
fn group_names_give_control_ids() {
    assert_eq!(
        control_id("Azure_Security_Benchmark_v3.0_NS-2").as_deref(),
        Some("NS-2")
    );
    assert_eq!(
        control_id("Azure_Security_Benchmark_v3.0_AI-7").as_deref(),
        Some("AI-7")
    );
    assert_eq!(
        control_id("Microsoft_cloud_security_benchmark_v2_ns-10").as_deref(),
        Some("NS-10")
    );
    assert_eq!(control_id("NS-2").as_deref(), Some("NS-2"));
    for bad in [
        "",
        "_",
        "Azure_Security_Benchmark_v3.0",
        "NIST_SP_800-53_R4_AC-2(1)",
        "x_NS-",
    ] {
        assert_eq!(control_id(bad), None, "{bad}");
    }
}

#[test]
fn unusable_groups_and_references_are_reported() {
    let (defs, _) = definitions(&[("a.json", definition("a", "A", ACR_TYPE, "audit", "{}"))]);
    let json = r#"{ "policyDefinitions": [
            { "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/a",
              "definitionVersion": "3.*.*", "groupNames": ["Custom_Group", "x_PA-7"] },
            { "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/a" },
            42
        ] }"#;
    let ini = parse_initiative("flat.json", json).unwrap();
    let mut defects = Defects::new("flat.json");
    let got = policies_for(&ini, &defs, "Microsoft.ContainerRegistry", &mut defects);
    assert_eq!(names(&got["PA-7"]), ["A"]);
    let found: Vec<_> = defects
        .list
        .iter()
        .map(|d| (d.kind, d.sheet.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            ("unrecognised-group", "policyDefinitions[0]"),
            ("definition-version-mismatch", "policyDefinitions[0]"),
            ("ungrouped-policy", "policyDefinitions[1]"),
            ("invalid-reference", "policyDefinitions[2]"),
        ]
    );
}

#[test]
fn bad_initiatives_are_errors_naming_the_file() {
    for (json, expected) in [
        ("{ not json", "not JSON"),
        ("[]", "not an object"),
        (
            r#"{ "properties": { "policyRule": {} } }"#,
            "no `policyDefinitions`",
        ),
        (
            r#"{ "properties": { "policyDefinitions": {} } }"#,
            "no `policyDefinitions`",
        ),
    ] {
        let err = parse_initiative("dir/mcsb.json", json)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("dir/mcsb.json: "), "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(err.contains("expected an Azure Policy initiative"), "{err}");
    }
    let missing = Path::new("/nonexistent/controlbook/initiative.json");
    let err = load_initiative(missing).unwrap_err().to_string();
    assert!(
        err.starts_with("/nonexistent/controlbook/initiative.json: "),
        "{err}"
    );
}

#[test]
fn definitions_folder_keeps_relative_paths_and_drops_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("Container Registry");
    fs::create_dir_all(sub.join("deeper")).unwrap();
    let good = definition(
        "g",
        "Good",
        ACR_TYPE,
        "[parameters('effect')]",
        EFFECT_PARAM,
    );
    fs::write(sub.join("Good.json"), &good).unwrap();
    fs::write(sub.join("deeper/Copy.JSON"), &good).unwrap();
    fs::write(sub.join("Broken.json"), "{ \"name\": ").unwrap();
    fs::write(
        sub.join("NoRule.json"),
        r#"{ "name": "x", "properties": { "displayName": "X" } }"#,
    )
    .unwrap();
    fs::write(sub.join("Latin1.json"), [0x7b, 0xe9, 0x7d]).unwrap();
    fs::write(sub.join("README.md"), "not a definition").unwrap();
    let mut defects = Defects::new("defs");
    let defs = load_definitions(dir.path(), &mut defects).unwrap();
    assert_eq!(defs.len(), 1);
    assert!(defs.contains("G"));
    assert_eq!(defs.by_guid["g"].path, "Container Registry/Good.json");
    let found: Vec<_> = defects
        .list
        .iter()
        .map(|d| (d.kind, d.sheet.as_deref().unwrap_or(""), d.action))
        .collect();
    assert_eq!(
        found,
        [
            (
                "invalid-definition",
                "Container Registry/Broken.json",
                Action::Dropped
            ),
            (
                "invalid-definition",
                "Container Registry/Latin1.json",
                Action::Dropped
            ),
            (
                "invalid-definition",
                "Container Registry/NoRule.json",
                Action::Dropped
            ),
            (
                "duplicate-definition",
                "Container Registry/deeper/Copy.JSON",
                Action::Dropped
            ),
        ]
    );
    assert!(
        defects.list[2].message.contains("policyRule"),
        "{}",
        defects.list[2]
    );

    let empty = tempfile::tempdir().unwrap();
    let err = load_definitions(empty.path(), &mut defects)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no *.json file"), "{err}");
    let err = load_definitions(&sub.join("Good.json"), &mut defects)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a folder"), "{err}");
}

#[test]
fn no_input_panics() {
    let mut defects = Defects::new("x");
    let mut defs = Definitions::default();
    for json in [
        "",
        "null",
        "[]",
        "{}",
        r#"{"name": 1}"#,
        r#"{"name": "x", "properties": []}"#,
        r#"{"name": "x", "properties": {"displayName": "X", "policyRule": {"if": [], "then": 1}}}"#,
        r#"{"name": "x", "properties": {"displayName": "X", "parameters": 3,
                "policyRule": {"if": {"not": {"anyOf": 7}}, "then": {"effect": "[parameters(')]"}}}}"#,
        r#"{"name": "", "properties": {"displayName": "X", "policyRule": {}}}"#,
    ] {
        defs.add("f.json", json, &mut defects);
        let _ = parse_initiative("i.json", json);
    }
    let ini = parse_initiative(
        "i.json",
        r#"{"policyDefinitions": [{"policyDefinitionId": "/", "groupNames": [1, null, "_-"]},
                {"policyDefinitionId": "x", "groupNames": "NS-1", "definitionVersion": 5}]}"#,
    )
    .unwrap();
    let _ = policies_for(&ini, &defs, "/", &mut defects);
    assert!(parameter_reference("[parameters('')]").is_none());
    assert!(parameter_reference("[[parameters('effect')]").is_none());
    assert!(parameter_reference("[").is_none());
}

fn fixtures() -> Option<PathBuf> {
    crate::test_support::shared_fixtures("azure-policy")
}

fn container_registry(
    initiative_file: &str,
) -> Option<(BTreeMap<String, Vec<Policy>>, Defects, usize)> {
    let dir = fixtures()?;
    let mut load = Defects::new("definitions");
    let defs = load_definitions(&dir.join("definitions"), &mut load).unwrap();
    assert!(load.list.is_empty(), "{:?}", load.list);
    assert_eq!(defs.len(), 223);
    let ini = load_initiative(&dir.join(initiative_file)).unwrap();
    let mut defects = Defects::new(initiative_file);
    let got = policies_for(&ini, &defs, "Microsoft.ContainerRegistry", &mut defects);
    Some((got, defects, ini.len()))
}

fn summary(got: &BTreeMap<String, Vec<Policy>>) -> Vec<(String, String, String)> {
    got.iter()
        .flat_map(|(control, policies)| {
            policies.iter().map(move |p| {
                (
                    control.clone(),
                    p.definition_id.value.clone(),
                    p.version.value.clone(),
                )
            })
        })
        .collect()
}

#[test]
fn fixture_container_registry_from_the_v1_initiative() {
    let Some((got, defects, referenced)) = container_registry("mcsb-v1-initiative.json") else {
        return;
    };
    assert_eq!(referenced, 223);
    assert!(defects.list.is_empty(), "{:?}", defects.list);
    let row = |c: &str, g: &str, v: &str| (c.to_string(), g.to_string(), v.to_string());
    assert_eq!(
        summary(&got),
        [
            row("DP-5", "5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580", "1.1.2"),
            row("DS-6", "090c7b07-b4ed-4561-ad20-e9075f3ccaff", "1.0.1"),
            row("NS-2", "d0793b48-0edc-4296-a390-4c75d1bdfd71", "2.0.0"),
            row("NS-2", "e8eef0a8-67cf-4eb4-9386-14b0e78733d4", "1.0.1"),
            row("PV-6", "090c7b07-b4ed-4561-ad20-e9075f3ccaff", "1.0.1"),
        ]
    );
    let cmk = &got["DP-5"][0];
    assert_eq!(
        cmk.name.as_str(),
        "Container registries should be encrypted with a customer-managed key"
    );
    assert_eq!(effects(cmk), ["Audit", "Deny", "Disabled"]);
    assert_eq!(
        cmk.path.as_deref(),
        Some("Container Registry/ACR_CMKEncryptionEnabled_Audit.json")
    );
    assert!(cmk
        .description
        .starts_with("Use customer-managed keys to manage"));
    assert!(cmk
        .description
        .ends_with("Learn more at https://aka.ms/acr/CMK."));
    assert_eq!(
        names(&got["NS-2"]),
        [
            "Container registries should not allow unrestricted network access",
            "Container registries should use private link",
        ]
    );
    assert_eq!(effects(&got["NS-2"][0]), ["Audit", "Deny", "Disabled"]);
    assert_eq!(effects(&got["NS-2"][1]), ["Audit", "Disabled"]);
    assert_eq!(effects(&got["PV-6"][0]), ["AuditIfNotExists", "Disabled"]);
    assert_eq!(
        got["PV-6"][0].path.as_deref(),
        Some("Security Center/MDC_AzureContainerRegistryVulnerabilityAssessment_Audit.json")
    );
}

#[test]
fn fixture_v2_preview_initiative_is_recognised() {
    let Some((got, defects, referenced)) = container_registry("mcsb-v2-preview-initiative.json")
    else {
        return;
    };
    // 414 entries, two of them repeat a definition; only v1's 223 definitions are here.
    assert_eq!(referenced, 412);
    assert!(defects.list.iter().all(|d| d.kind == "missing-definition"));
    assert_eq!(defects.list.len(), 189);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        ["DP-5", "DS-6", "NS-2", "PV-6"]
    );
    assert_eq!(got["NS-2"].len(), 2);
}

#[test]
fn fixture_every_v1_policy_lands_under_a_control() {
    let Some(dir) = fixtures() else {
        return;
    };
    let mut load = Defects::new("definitions");
    let defs = load_definitions(&dir.join("definitions"), &mut load).unwrap();
    let ini = load_initiative(&dir.join("mcsb-v1-initiative.json")).unwrap();
    for reference in &ini.references {
        assert!(reference.unrecognised.is_empty(), "{reference:?}");
        assert!(!reference.controls.is_empty(), "{reference:?}");
        let guid = reference.guid.as_deref().unwrap();
        let def = &defs.by_guid[guid];
        assert!(!def.types.is_empty(), "{} targets no type", def.path);
        assert!(!def.effects.is_empty(), "{} has no effects", def.path);
        for effect in &def.effects {
            assert!(EFFECTS.contains(&effect.as_str()), "{}: {effect}", def.path);
        }
    }
}
