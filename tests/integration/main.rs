//! Whole-book tests: the embedded default book built as a user would, its outputs read
//! back, and broken books that must fail cleanly.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod all_workbook;
mod bad_input;
mod browser;
mod check;
mod common;
mod crash_safety;
mod export;
mod fidelity;
mod fuzz_regressions;
mod hostile;
mod import;
mod incremental;
mod learn_structure;
mod limits;
mod load_test;
mod properties;
mod readme;
mod reproducible;
mod schema;
mod serve;
mod site;
mod snapshots;
mod theme;
mod workbook;
