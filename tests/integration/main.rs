//! Whole-book tests: the embedded default book built as a user would, its outputs read
//! back, and broken books that must fail cleanly.

mod bad_input;
mod common;
mod fidelity;
mod reproducible;
mod snapshots;
mod workbook;
