//! Where a function belongs, by its name: the first page's code or the rest.

use std::collections::{BTreeMap, BTreeSet};

/// Protocol modules the first page runs: the default protocol and what it shares (www/boot.js
/// also knows the default: a link naming another protocol fetches the rest before the start).
const FIRST_PAGE_PROTOCOLS: &[&str] = &["raft", "election"];

/// Page and library modules only the other protocols use.
const REST_MODULES: &[&str] = &[
    // The key–value store's history view, linearizability checker and staleness chart.
    "quorumscope::history_view::",
    "quorumscope::consistency::",
    "quorumscope::staleness::",
    "quorumscope::ui::history::",
    // The trade-off panel (a sweep over seeds, for protocols that declare one).
    "quorumscope::comparison::",
    "quorumscope::tradeoff::",
    "quorumscope::charts::tradeoff::",
    "quorumscope::ui::tradeoff::",
    // Load balancing's hashing panel.
    "quorumscope::ui::hashring::",
];

/// Functions of other protocols the first page calls anyway: each protocol's description,
/// which the protocol menu lists.
const FIRST_PAGE_ENTRIES: &[&str] = &["Protocol>::info"];

/// Copies of generic code named after another protocol that the first page was seen to call
/// (`tests/e2e/split.test.mjs` names them): LLVM merged the first page's own copy into them.
/// One name (without hashes) a line; a line that starts with `#` is a comment (names hold `#`
/// too: `{closure#0}`).
const FIRST_PAGE_MERGED: &str = include_str!("../first-page.txt");

fn merged_into_first_page(name: &str) -> bool {
    FIRST_PAGE_MERGED
        .lines()
        .map(str::trim)
        .any(|l| !l.starts_with('#') && l == name)
}

/// Functions shorter than this (in instructions) stay with the first page whatever their names:
/// a stub would be nearly as long, and LLVM merges functions whose code is identical (the
/// timer adapter of two protocols, a field getter at the same offset) under one of their
/// names, so a short function named after another protocol may well be the first page's too.
const SMALLEST_MOVED: u64 = 24;

/// A copy made for another protocol whose first-page twin is missing stays with the first page
/// up to this length (in instructions), or if it is the shortest copy (see [`Rule::RestIfTwin`]).
const LONGEST_KEPT_WITHOUT_TWIN: u64 = 200;

/// Copies of library code (a component's plumbing, a drop) made for the types of the page parts
/// only other protocols show move from this length (in instructions): shorter ones may be
/// merged with the first page's.
const SMALLEST_LIBRARY_MOVED: u64 = 80;

/// What a function's name says about where it belongs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rule {
    /// The name says nothing: the function goes where its callers are.
    Neutral,
    /// Code of another protocol or of a page part only they show.
    Rest,
    /// Called by the first page although it belongs to another protocol.
    FirstPage,
    /// A copy of shared code (the engine's adapter, a vector) made for another protocol's
    /// types: the rest's if the first page has its own copy. LLVM and wasm-opt merge copies
    /// whose code came out the same and keep one of their names: when the first page's copy
    /// is missing, this one may well be it (`Typed<LoadBalance>::summary` was Raft's too),
    /// unless it is long and a shorter copy is there to be it (Paxos's `summary`, which
    /// describes ballots and chosen values, is not Raft's).
    RestIfTwin,
}

/// A demangled name without its hashes: v0 mangling writes `crate[0123abcd]::path`, legacy
/// mangling `path::h0123456789abcdef`.
pub fn plain_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_hexdigit()) => {
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    match out.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            path.to_string()
        }
        _ => out,
    }
}

/// The path of the item a (plain) name is code of, without generic arguments: the self type of
/// `<Type<Args> as Trait>::method`, or the function of `path::function::<Args>`.
fn defining_path(name: &str) -> String {
    let name = name.trim_start_matches('<').trim_start_matches('&');
    let name = name.strip_prefix("mut ").unwrap_or(name);
    let mut depth = 0usize;
    let mut out = String::new();
    for (i, c) in name.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => break,
            '>' => depth -= 1,
            _ if depth == 0 => {
                if name[i..].starts_with(" as ") {
                    break;
                }
                out.push(c);
            }
            _ => {}
        }
    }
    out
}

const PROTOCOLS: &str = "quorumscope::protocols::";

/// The protocol modules a (plain) name mentions, in order.
fn protocol_modules(name: &str) -> Vec<&str> {
    let mut modules = Vec::new();
    for (at, _) in name.match_indices(PROTOCOLS) {
        let tail = &name[at + PROTOCOLS.len()..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        // `protocols::create` is the registry's function, `protocols::paxos::…` a module.
        if tail[len..].starts_with("::") {
            modules.push(&tail[..len]);
        }
    }
    modules
}

fn is_first_page_protocol(module: &str) -> bool {
    FIRST_PAGE_PROTOCOLS.contains(&module)
}

/// A name with every protocol's item path replaced by `#`: the copies of one generic function
/// made for different protocols share it (`Typed<#>::handle`, `Vec<#>::push`).
fn template(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find(PROTOCOLS) {
        out.push_str(&rest[..at]);
        out.push('#');
        let tail = &rest[at + PROTOCOLS.len()..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// Where a function goes by its name and size, before looking at the other functions.
fn rule(name: &str, size: u64) -> Rule {
    let name = &plain_name(name);
    if size < SMALLEST_MOVED {
        return Rule::Neutral;
    }
    if FIRST_PAGE_ENTRIES.iter().any(|e| name.ends_with(e)) || merged_into_first_page(name) {
        return Rule::FirstPage;
    }
    let home = defining_path(name);
    let home_is_rest = protocol_modules(&home)
        .first()
        .is_some_and(|m| !is_first_page_protocol(m))
        || REST_MODULES.iter().any(|m| home.starts_with(m));
    if home_is_rest {
        return Rule::Rest;
    }
    if protocol_modules(name)
        .iter()
        .any(|m| !is_first_page_protocol(m))
    {
        return Rule::RestIfTwin;
    }
    if size >= SMALLEST_LIBRARY_MOVED && REST_MODULES.iter().any(|m| name.contains(m)) {
        return Rule::Rest;
    }
    Rule::Neutral
}

/// The rules of every function, a copy of shared code made for another protocol settled by
/// whether the first page's own copy is there (see [`Rule::RestIfTwin`]).
pub fn rules(names: &[String], sizes: &[u64]) -> Vec<Rule> {
    let plain: Vec<String> = names.iter().map(|n| plain_name(n)).collect();
    let twins: BTreeSet<String> = plain
        .iter()
        .filter(|n| {
            let modules = protocol_modules(n);
            !modules.is_empty() && modules.iter().all(|m| is_first_page_protocol(m))
        })
        .map(|n| template(n))
        .collect();
    // The shortest copy of each generic function: where a missing first-page copy most likely
    // went (the first page's `Typed<Raft>::summary` into load balancing's short one).
    let mut shortest: BTreeMap<String, u64> = BTreeMap::new();
    for (n, &size) in plain.iter().zip(sizes) {
        let at = shortest.entry(template(n)).or_insert(size);
        *at = (*at).min(size);
    }
    names
        .iter()
        .zip(sizes)
        .zip(&plain)
        .map(|((name, &size), plain)| match rule(name, size) {
            Rule::RestIfTwin => {
                let template = template(plain);
                let long = size >= LONGEST_KEPT_WITHOUT_TWIN && size > shortest[&template];
                if twins.contains(&template) || long {
                    Rule::Rest
                } else {
                    Rule::Neutral
                }
            }
            r => r,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_hashes() {
        assert_eq!(
            plain_name(
                "<quorumscope[f709]::protocols::paxos::Paxos as quorumscope[f709]::sim::Protocol>::info"
            ),
            "<quorumscope::protocols::paxos::Paxos as quorumscope::sim::Protocol>::info"
        );
        assert_eq!(
            plain_name("quorumscope::protocols::raft::Raft::step::h0123456789abcdef"),
            "quorumscope::protocols::raft::Raft::step"
        );
        assert_eq!(
            plain_name("core::array::<[u8; 4]>::map"),
            "core::array::<[u8; 4]>::map"
        );
    }

    #[test]
    fn the_defining_path_is_the_self_type_or_the_function() {
        assert_eq!(
            defining_path(
                "<alloc::raw_vec::RawVec<core::option::Option<quorumscope::protocols::multipaxos::msg::Value>>>::grow_one"
            ),
            "alloc::raw_vec::RawVec"
        );
        assert_eq!(
            defining_path(
                "<&quorumscope::protocols::paxos::common::Ballot as core::fmt::Display>::fmt"
            ),
            "quorumscope::protocols::paxos::common::Ballot"
        );
        assert_eq!(
            defining_path("core::ptr::drop_in_place::<quorumscope::protocols::kvstore::Msg>"),
            "core::ptr::drop_in_place::"
        );
        assert_eq!(
            defining_path(
                "<quorumscope::sim::erased::Typed<quorumscope::protocols::paxos::Paxos> as quorumscope::sim::erased::Cluster>::handle"
            ),
            "quorumscope::sim::erased::Typed"
        );
    }

    #[test]
    fn other_protocols_and_their_page_parts_are_the_rest() {
        let big = 500;
        let rest = |name: &str| rule(name, big) == Rule::Rest;
        assert!(rest(
            "quorumscope::protocols::paxos::node::PaxosNode::handle"
        ));
        assert_eq!(
            rule(
                "<quorumscope::sim::erased::Typed<quorumscope::protocols::kvstore::KvStore> as quorumscope::sim::erased::Cluster>::check",
                big
            ),
            Rule::RestIfTwin
        );
        assert!(rest(
            "<yew::html::component::lifecycle::CompStateInner<quorumscope::ui::history::HistoryView> as yew::html::component::lifecycle::Stateful>::view"
        ));
        assert!(!rest("quorumscope::protocols::raft::node::RaftNode::step"));
        assert!(!rest("quorumscope::protocols::election::timeout"));
        assert!(
            !rest("quorumscope::protocols::create"),
            "the registry's functions"
        );
        assert!(
            !rest("quorumscope::ui::historyless::thing"),
            "a module boundary, not a prefix"
        );
        assert_eq!(
            rule(
                "<quorumscope::protocols::paxos::Paxos as quorumscope::sim::Protocol>::info",
                big
            ),
            Rule::FirstPage,
            "the protocol menu lists every protocol"
        );
        assert_eq!(
            rule(
                "quorumscope::protocols::paxos::node::PaxosNode::id",
                SMALLEST_MOVED - 1
            ),
            Rule::Neutral,
            "short functions stay"
        );
        let library = "<alloc::vec::Vec<quorumscope::protocols::paxos::Msg>>::push";
        assert_eq!(rule(library, big), Rule::RestIfTwin);
        let component = "core::ptr::drop_in_place::<quorumscope::ui::history::HistoryProps>";
        assert_eq!(rule(component, SMALLEST_LIBRARY_MOVED - 1), Rule::Neutral);
        assert_eq!(rule(component, SMALLEST_LIBRARY_MOVED), Rule::Rest);
    }

    #[test]
    fn a_copy_for_another_protocol_moves_only_beside_the_first_pages_own() {
        let names: Vec<String> = [
            "<quorumscope::sim::erased::Typed<quorumscope::protocols::raft::Raft> as quorumscope::sim::erased::Cluster>::handle",
            "<quorumscope::sim::erased::Typed<quorumscope::protocols::paxos::Paxos> as quorumscope::sim::erased::Cluster>::handle",
            // Raft's copy of `summary` was merged into this one.
            "<quorumscope::sim::erased::Typed<quorumscope::protocols::paxos::Paxos> as quorumscope::sim::erased::Cluster>::summary",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            rules(&names, &[100, 100, 100]),
            [Rule::Neutral, Rule::Rest, Rule::Neutral]
        );
        let summaries: Vec<String> = [
            "<quorumscope::sim::erased::Typed<quorumscope::protocols::paxos::Paxos> as quorumscope::sim::erased::Cluster>::summary",
            "<quorumscope::sim::erased::Typed<quorumscope::protocols::loadbalance::LoadBalance> as quorumscope::sim::erased::Cluster>::summary",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            rules(&summaries, &[1500, 48]),
            [Rule::Rest, Rule::Neutral],
            "a long copy moves when a shorter one is there to be the first page's"
        );
        assert_eq!(
            template(&names[1]),
            "<quorumscope::sim::erased::Typed<#> as quorumscope::sim::erased::Cluster>::handle"
        );
    }
}
