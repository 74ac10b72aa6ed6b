//! OSV advisories (the Open Source Vulnerabilities schema): the data behind the lockfiles of
//! every ecosystem other than Rust, and an alternative source for Rust itself.
//!
//! [`record`] validates one OSV JSON record; [`load`] reads records from directories, single
//! files and OSV's per-ecosystem `all.zip` archives, keeping only those about locked packages;
//! [`matching`] evaluates `affected[]` (ranges with `introduced`/`fixed`/`last_affected`/
//! `limit` events in each ecosystem's ordering, and explicit `versions` lists); [`audit`]
//! turns matches into findings of the same shape as RustSec's; [`fetch`] downloads the
//! archives (`stagegate db fetch --osv`).

pub mod audit;
pub mod fetch;
pub mod load;
pub mod matching;
pub mod record;

pub use load::OsvDb;
pub use record::Record;
