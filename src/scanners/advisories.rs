//! Advisories scanner: lockfiles against vulnerability databases (RustSec first).

pub mod cfg;

use super::{ScanContext, ScanOutput, Scanner};
use crate::finding::{Notification, ScannerKind};

/// Lockfiles against the RustSec advisory database.
#[derive(Debug, Default, Clone, Copy)]
pub struct AdvisoriesScanner;

impl Scanner for AdvisoriesScanner {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Advisories
    }

    fn scan(&self, _ctx: &ScanContext<'_>) -> ScanOutput {
        ScanOutput {
            notifications: vec![Notification::error(
                ScannerKind::Advisories,
                "the advisories scanner is not built yet",
            )],
            ..ScanOutput::default()
        }
    }
}
