//! Legacy (v1.1 and v2.0) mapping workbook import (in progress).

use super::workbook::Workbook;
use super::{Defects, ImportError};

pub fn is_legacy(workbook: &Workbook) -> bool {
    workbook.sheet("Security Baseline").is_some()
}

pub fn import(
    workbook: &Workbook,
    _benchmark: &crate::model::Benchmark,
    _defects: &mut Defects,
) -> Result<crate::model::Baseline, ImportError> {
    Err(ImportError::Invalid {
        file: workbook.file.clone(),
        message: "legacy layouts are not supported yet".into(),
    })
}
