//! "Does this look like a secret": the one definition shared by the secrets engine, the drift
//! scanner and redaction.
//!
//! * [`base64`]: decoding, for checks that look inside an encoded value.
//! * [`entropy`]: Shannon entropy and the length-aware floor a rule's `entropy` means.
//! * [`placeholder`]: template syntax, filler, masks, stopwords, patterns, documented test
//!   values — values that stand in for a credential.
//! * [`reference`]: values and keys that point at a secret kept elsewhere (`${VAR}`,
//!   `__DB_PASSWORD__`, `ENC[…]`, `secretKeyRef`).
//! * [`key`]: whether a key's *name* says it holds a credential.
//! * [`token`]: whether a *value* has a credential's shape, with token prefixes derived from the
//!   secret rules' keywords.
//!
//! A leaf module: it imports nothing from the scanners. The secret rules reach it as data
//! ([`token::PrefixSource`]), so the rule set stays the single source of token formats.

pub mod base64;
pub mod entropy;
pub mod key;
pub mod placeholder;
pub mod reference;
pub mod regex_facts;
pub mod token;

pub use entropy::{entropy, entropy_floor, shannon_entropy};
pub use key::{is_credential_key, key_words, last_segment, names_no_credential};
pub use placeholder::{
    has_sandbox_marker, is_placeholder, is_stand_in, password_reason, placeholder_reason,
    published_examples, Rejection,
};
pub use reference::{is_reference, is_reference_key};
pub use token::{
    conn_password, has_fixed_prefix, looks_like_credential, url_password, NameOwners, PrefixSource,
    TokenPrefixes,
};
