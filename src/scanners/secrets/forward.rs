//! A rule regex built for anchored searches only: a forward lazy DFA that finds where the
//! match at a start ends (or that there is none, usually within a few bytes), then a bounded
//! backtracker (or the PikeVM) over just that match for its groups.
//!
//! This is what `regex-automata`'s meta regex does for an anchored search, without what only
//! its unanchored searches need: the reverse NFA that finds where a match starts, the
//! one-pass DFA and the prefilter. Those are more than half of compiling a rule regex, and a
//! tree scan compiles about a thousand. An unanchored search (a rule's examples, the
//! reference engine of the tests) still works, with the PikeVM: right, only slower.

use regex_automata::hybrid::dfa::{Cache as DfaCache, Config as DfaConfig, DFA};
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::captures::{Captures, GroupInfo};
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::Hir;

/// The engines of one anchored-search build (see the module documentation).
#[derive(Debug)]
pub(crate) struct Forward {
    dfa: DFA,
    backtrack: BoundedBacktracker,
    pikevm: PikeVM,
}

/// A thread's search state for one [`Forward`] regex.
#[derive(Debug)]
pub(crate) struct ForwardCache {
    dfa: DfaCache,
    backtrack: backtrack::Cache,
    pikevm: pikevm::Cache,
}

impl Forward {
    /// Builds the engines for `hir` as the meta regex would configure them (leftmost-first,
    /// no UTF-8 requirement on empty matches, every group); `None` when one of them cannot be
    /// built (the caller then builds a meta regex, which reports the error if there is one).
    pub(crate) fn new(hir: &Hir, nfa_size_limit: usize, dfa_capacity: usize) -> Option<Self> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .nfa_size_limit(Some(nfa_size_limit))
                    .shrink(false)
                    .which_captures(WhichCaptures::All),
            )
            .build_from_hir(hir)
            .ok()?;
        let dfa = DFA::builder()
            .configure(
                DfaConfig::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .cache_capacity(dfa_capacity),
            )
            .build_from_nfa(nfa.clone())
            .ok()?;
        let backtrack = BoundedBacktracker::builder()
            .build_from_nfa(nfa.clone())
            .ok()?;
        let pikevm = PikeVM::builder()
            .configure(pikevm::Config::new().match_kind(MatchKind::LeftmostFirst))
            .build_from_nfa(nfa)
            .ok()?;
        Some(Forward {
            dfa,
            backtrack,
            pikevm,
        })
    }

    /// The regex's groups.
    pub(crate) fn group_info(&self) -> &GroupInfo {
        self.pikevm.get_nfa().group_info()
    }

    /// A new search state.
    pub(crate) fn create_cache(&self) -> ForwardCache {
        ForwardCache {
            dfa: self.dfa.create_cache(),
            backtrack: self.backtrack.create_cache(),
            pikevm: self.pikevm.create_cache(),
        }
    }

    /// Slots for every group.
    pub(crate) fn create_captures(&self) -> Captures {
        self.pikevm.create_captures()
    }

    /// The leftmost-first match of `input` with its groups in `caps` (cleared if none).
    pub(crate) fn search(&self, cache: &mut ForwardCache, input: &Input<'_>, caps: &mut Captures) {
        caps.set_pattern(None);
        if input.get_anchored() == Anchored::No {
            self.pikevm.search(&mut cache.pikevm, input, caps);
            return;
        }
        match self.dfa.try_search_fwd(&mut cache.dfa, input) {
            Ok(None) => {}
            Ok(Some(end)) => {
                // The match starts at the anchor and ends there: its groups come from a
                // search of just that span (the text around it stays visible to look-around).
                let span = input.clone().span(input.start()..end.offset());
                if self.backtrack.max_haystack_len() < span.get_span().len()
                    || self
                        .backtrack
                        .try_search(&mut cache.backtrack, &span, caps)
                        .is_err()
                {
                    self.pikevm.search(&mut cache.pikevm, &span, caps);
                }
            }
            Err(_) => self.pikevm.search(&mut cache.pikevm, input, caps),
        }
    }
}

impl ForwardCache {
    /// Heap bytes held.
    pub(crate) fn memory_usage(&self) -> usize {
        self.dfa.memory_usage() + self.backtrack.memory_usage() + self.pikevm.memory_usage()
    }
}
