//! The command line: raw arguments (`args`) and the validated plan (`plan`).

pub mod args;
pub mod plan;
pub mod print;
