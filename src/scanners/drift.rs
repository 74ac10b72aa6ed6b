//! Drift scanner: UAT ↔ production configuration parity and production policies.

pub mod cfg;
pub mod model;
pub mod parse;

use super::{ScanContext, ScanOutput, Scanner};
use crate::finding::{Notification, ScannerKind};

/// UAT ↔ production parity.
#[derive(Debug, Default, Clone, Copy)]
pub struct DriftScanner;

impl Scanner for DriftScanner {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Drift
    }

    fn scan(&self, _ctx: &ScanContext<'_>) -> ScanOutput {
        ScanOutput {
            notifications: vec![Notification::error(
                ScannerKind::Drift,
                "the drift scanner is not built yet",
            )],
            ..ScanOutput::default()
        }
    }
}
