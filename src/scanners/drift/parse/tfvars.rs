//! tfvars: not implemented yet in this commit (interim).

use super::{Limits, ParseError};
use crate::scanners::drift::model::FlatConfig;

pub(super) fn parse(path: &str, _text: &str, _limits: &Limits) -> Result<FlatConfig, ParseError> {
    Err(ParseError::new(
        path,
        1,
        0,
        "the tfvars parser is not available in this build yet",
    ))
}
