//! Secrets scanner: committed credentials in the tree, the index and history.

pub mod cfg;

use super::{ScanContext, ScanOutput, Scanner};
use crate::finding::{Notification, ScannerKind};

/// Committed credentials.
#[derive(Debug, Default, Clone, Copy)]
pub struct SecretsScanner;

impl Scanner for SecretsScanner {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Secrets
    }

    fn scan(&self, _ctx: &ScanContext<'_>) -> ScanOutput {
        ScanOutput {
            notifications: vec![Notification::error(
                ScannerKind::Secrets,
                "the secrets scanner is not built yet",
            )],
            ..ScanOutput::default()
        }
    }
}
