//! Importers: Microsoft's published mapping workbooks (v3 and the two legacy layouts), the
//! MCSB catalog workbook, Azure Policy initiatives, and our own CSV, into the source model.
//! Every defect found in the source is reported with its workbook, sheet and cell, and
//! what was done about it.

pub mod batch;
pub mod benchmark;
pub mod csv;
pub mod legacy;
pub mod policies;
pub mod v3;
pub mod workbook;

use std::fmt;

use serde::Serialize;

/// What the importer did about a defect of the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Fixed, because the fix is unambiguous.
    Repaired,
    /// Kept verbatim; `check` flags it.
    Kept,
    /// Not carried into the model (the model has no place for it).
    Dropped,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Repaired => "repaired",
            Action::Kept => "kept",
            Action::Dropped => "dropped",
        }
    }
}

/// One defect of an imported source: where it is and what was done.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Defect {
    /// The source file as the user named it.
    pub file: String,
    /// Sheet name (workbooks) or JSON path (initiatives), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Cell address (`B34`) or line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Stable kind, e.g. `missing-control-id`.
    pub kind: &'static str,
    pub message: String,
    pub action: Action,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match (&self.sheet, &self.cell) {
            (Some(sheet), Some(cell)) => write!(f, ": {sheet}!{cell}")?,
            (Some(sheet), None) => write!(f, ": {sheet}")?,
            (None, Some(cell)) => write!(f, ": {cell}")?,
            (None, None) => {}
        }
        write!(
            f,
            ": [{}] {} ({})",
            self.kind,
            self.message,
            self.action.as_str()
        )
    }
}

/// Collects the defects of one source file.
#[derive(Clone, Debug, Default)]
pub struct Defects {
    file: String,
    pub list: Vec<Defect>,
}

impl Defects {
    pub fn new(file: impl Into<String>) -> Self {
        Defects {
            file: file.into(),
            list: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        sheet: Option<&str>,
        cell: Option<String>,
        kind: &'static str,
        message: impl Into<String>,
        action: Action,
    ) {
        self.list.push(Defect {
            file: self.file.clone(),
            sheet: sheet.map(str::to_string),
            cell,
            kind,
            message: message.into(),
            action,
        });
    }
}

/// Why a source cannot be imported at all. Names the file and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: no sheet named `{expected}` (sheets: {found})")]
    MissingSheet {
        file: String,
        expected: String,
        found: String,
    },
    #[error("{file}: sheet `{sheet}` lacks the column `{expected}` (header row: {found})")]
    MissingColumn {
        file: String,
        sheet: String,
        expected: String,
        found: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Microsoft's spellings of "no value".
pub fn is_absent(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("n/a")
}

/// Splits `Title: https://…` at the `: http` separator; a cell that is only a URL gets the
/// URL as title.
pub fn split_reference(cell: &str) -> Option<(String, String)> {
    let cell = cell.trim();
    if is_absent(cell) {
        return None;
    }
    let lower = cell.to_ascii_lowercase();
    // The last ": http" wins: titles may contain colons, URLs rarely contain ": http".
    let at = lower.rfind(": http").or_else(|| lower.rfind(": ttps"));
    match at {
        Some(i) => Some((
            cell[..i].trim().to_string(),
            cell[i + 2..].trim().to_string(),
        )),
        None if lower.starts_with("http") || lower.starts_with("ttps") => {
            Some((cell.to_string(), cell.to_string()))
        }
        None => Some((cell.to_string(), String::new())),
    }
}

/// Kebab-case slug of a name ("Data Leakage/Loss Prevention" -> `data-leakage-loss-prevention`).
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_url() {
        assert_eq!(
            split_reference("Disable public network access: https://x.org/a#b"),
            Some((
                "Disable public network access".into(),
                "https://x.org/a#b".into()
            ))
        );
        assert_eq!(
            split_reference("Title: with colon: https://x.org"),
            Some(("Title: with colon".into(), "https://x.org".into()))
        );
        assert_eq!(split_reference("None"), None);
        assert_eq!(
            split_reference("Typo: ttps://x.org"),
            Some(("Typo".into(), "ttps://x.org".into()))
        );
    }

    #[test]
    fn slugs_are_kebab_case() {
        assert_eq!(
            slugify("Data Leakage/Loss Prevention"),
            "data-leakage-loss-prevention"
        );
        assert_eq!(
            slugify("Microsoft Defender for Service / Product Offering"),
            "microsoft-defender-for-service-product-offering"
        );
        assert_eq!(slugify("  Container Registry "), "container-registry");
    }
}
