//! The linearizability checker: can every operation be placed at one instant between its
//! invocation and its completion so that the model explains every result?
//!
//! Wing and Gong's search with Lowe's just-in-time linearization, memoised as Porcupine and
//! Knossos do: the history's invocations and completions form a list in time order; the search
//! walks it, linearizing an operation whose invocation it meets if the model allows it there, and
//! backtracks when it meets the completion of an operation not yet linearized. A configuration
//! (which operations are linearized, the model's state) seen once is never explored again. An
//! operation of unknown outcome (`info`) has its completion at the end of time, so it may be
//! linearized at any point after its invocation; the search succeeds once every operation that
//! must be linearized is, so it may also never be.

use std::collections::{HashMap, HashSet};

use super::history::{Call, History, HistoryError, Outcome, Scalar};
use super::model::{Model, Role};

/// How many configurations the search explores, per key, before it gives up: enough for any
/// history of ordinary concurrency; a key's history that needs more is reported as undecided.
pub const MAX_STATES: usize = 1_000_000;

/// One key's linearization: the ids (indexes into [`History::operations`]) of its operations
/// in the order they took effect. `info` operations the search chose never to apply and
/// operations that neither change nor observe anything (failed reads, writes and appends,
/// reads of unknown outcome) are not in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyOrder {
    /// The key, `None` for a history of a single register.
    pub key: Option<String>,
    /// Operation ids in linearization order.
    pub order: Vec<usize>,
}

/// What the checker found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Linearizable: one linearization for each key, keys in sorted order (the keys are
    /// independent, so any interleaving that respects real time orders the whole history).
    Linearizable(Vec<KeyOrder>),
    /// Not linearizable: the first key (in sorted order) whose operations cannot be ordered.
    NotLinearizable {
        /// That key.
        key: Option<String>,
        /// The operation no order gets past: of all the completions the search could not reach
        /// with the operation linearized, the latest (Knossos's "final operation").
        culprit: usize,
        /// A minimal set of its operations that cannot be ordered, ids in invocation order;
        /// see [`witness`].
        witness: Vec<usize>,
    },
    /// The search of one key's history explored `states` configurations without deciding.
    GaveUp {
        /// That key.
        key: Option<String>,
        /// How many configurations were explored.
        states: usize,
    },
}

/// Checks `history` against `model`, each key on its own, with the default cap on explored
/// configurations. An error names the first operation the model does not have (a `cas` in a
/// plain register, an `append` outside `kv`).
pub fn check(history: &History, model: Model) -> Result<Verdict, HistoryError> {
    check_with_limit(history, model, MAX_STATES)
}

/// [`check`] with a cap of `max_states` explored configurations per key.
pub fn check_with_limit(
    history: &History,
    model: Model,
    max_states: usize,
) -> Result<Verdict, HistoryError> {
    // Each key's operations, in key order: a sorted list, not a `BTreeMap`, whose code the web
    // build would carry once more for this key and value type (1 KB gzipped).
    let mut keys: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    for (id, op) in history.operations.iter().enumerate() {
        if !model.supports(&op.call) {
            return Err(HistoryError {
                line: op.invoked_at,
                message: format!(
                    "the {model} model has no {} (try --model {})",
                    op.call.name(),
                    if model == Model::Register {
                        "cas-register or kv"
                    } else {
                        "kv"
                    }
                ),
            });
        }
        if Model::role(op) != Role::Irrelevant {
            match keys.binary_search_by(|(key, _)| key.cmp(&op.key)) {
                Ok(at) => keys[at].1.push(id),
                Err(at) => keys.insert(at, (op.key.clone(), vec![id])),
            }
        }
    }
    let mut orders = Vec::with_capacity(keys.len());
    for (key, ids) in keys {
        match search(history, model, &ids, max_states) {
            Search::Found(order) => orders.push(KeyOrder { key, order }),
            Search::Impossible { culprit } => {
                let witness = witness(history, model, ids, culprit, max_states);
                return Ok(Verdict::NotLinearizable {
                    key,
                    culprit,
                    witness,
                });
            }
            Search::GaveUp(states) => return Ok(Verdict::GaveUp { key, states }),
        }
    }
    Ok(Verdict::Linearizable(orders))
}

/// Shrinks the non-linearizable operations `ids` (one key's), where no order gets past
/// `culprit`, to a witness: operations are removed, keeping the others' positions in time,
/// while what is left stays non-linearizable in the same way (no order gets past the culprit,
/// and it is still the latest such operation) and explains its own results — first in halves, then quarters and so on down to single
/// operations, as delta debugging does, then one at a time until none can go.
///
/// Explaining its own results ([`unexplained`]): a removal may not leave a read returning, or
/// a cas expecting, a value that no remaining operation writes (unless the full history already
/// had such a result). Without that rule, removing a write would make every read of its value
/// a witness on its own, however the reads and writes were ordered.
///
/// The culprit rule keeps the witness about the history's violation: removing operations
/// could otherwise create another one (removing the writes between a write and a failed cas
/// expecting its value, say), which the full history does not have.
///
/// Smallest in this sense: removing any one operation of the witness leaves a linearizable
/// history, a result nothing left explains, or a history that fails elsewhere (it is
/// 1-minimal). It is not
/// guaranteed to be the smallest such set overall, which would mean trying every subset.
pub fn witness(
    history: &History,
    model: Model,
    ids: Vec<usize>,
    culprit: usize,
    max_states: usize,
) -> Vec<usize> {
    // Operations invoked after the culprit completed cannot be ordered before it: they play
    // no part.
    let end = history.operations[culprit]
        .completed_at
        .unwrap_or(usize::MAX);
    let ids: Vec<usize> = ids
        .into_iter()
        .filter(|&id| history.operations[id].invoked_at < end)
        .collect();
    let allowed = unexplained(history, model, &ids);
    let still_a_witness = |candidate: &[usize]| {
        unexplained(history, model, candidate)
            .iter()
            .all(|id| allowed.contains(id))
            && search(history, model, candidate, max_states) == Search::Impossible { culprit }
    };
    let mut kept = ids;
    let mut chunk = (kept.len() / 2).max(1);
    loop {
        let mut removed_any = false;
        let mut start = 0;
        while start < kept.len() {
            let end = (start + chunk).min(kept.len());
            let candidate: Vec<usize> = kept[..start].iter().chain(&kept[end..]).copied().collect();
            if still_a_witness(&candidate) {
                kept = candidate;
                removed_any = true;
            } else {
                start = end;
            }
        }
        if chunk > 1 {
            chunk /= 2;
        } else if !removed_any {
            return kept;
        }
    }
}

/// The operations among `ids` (one key's) whose result no operation among them explains: an
/// `ok` read returning, or an `ok` cas expecting, a value no write or cas among `ids` writes
/// and that is not the key's initial value — or, for a string, that is not such a value
/// followed by strings appended among `ids`.
pub fn unexplained(history: &History, model: Model, ids: &[usize]) -> Vec<usize> {
    let ops = || ids.iter().map(|&id| (id, &history.operations[id]));
    let written = |value: &Scalar| {
        *value == model.initial()
            || ops()
                .any(|(_, op)| matches!(&op.call, Call::Write(v) | Call::Cas(_, v) if v == value))
    };
    let tails: Vec<&str> = ops()
        .filter_map(|(_, op)| match &op.call {
            Call::Append(tail) if !tail.is_empty() => Some(tail.as_str()),
            _ => None,
        })
        .collect();
    let produced = |value: &Scalar| match value {
        Scalar::Str(s) if !tails.is_empty() => {
            // reached[i]: s[..i] is a written value followed by appended strings.
            let mut reached = vec![false; s.len() + 1];
            for i in 0..=s.len() {
                if s.is_char_boundary(i) && written(&Scalar::Str(s[..i].to_string())) {
                    reached[i] = true;
                }
            }
            for i in 0..s.len() {
                if reached[i] {
                    for tail in &tails {
                        if s[i..].starts_with(tail) {
                            reached[i + tail.len()] = true;
                        }
                    }
                }
            }
            reached[s.len()]
        }
        _ => written(value),
    };
    ops()
        .filter(|(_, op)| {
            let observed = match (&op.call, op.outcome) {
                (Call::Read, Outcome::Ok) => op.returned.as_ref(),
                (Call::Cas(expected, _), Outcome::Ok) => Some(expected),
                _ => None,
            };
            observed.is_some_and(|v| !produced(v))
        })
        .map(|(id, _)| id)
        .collect()
}

/// The outcome of one search.
#[derive(Debug, PartialEq, Eq)]
enum Search {
    /// A linearization: operation ids in order.
    Found(Vec<usize>),
    /// None exists; no order gets past this operation's completion (the latest such).
    Impossible { culprit: usize },
    /// The cap was reached after this many configurations.
    GaveUp(usize),
}

/// No list node.
const NIL: usize = usize::MAX;

/// Searches for a linearization of the operations `ids` (of one key, in invocation order).
fn search(history: &History, model: Model, ids: &[usize], max_states: usize) -> Search {
    let ops: Vec<_> = ids.iter().map(|&id| &history.operations[id]).collect();
    let n = ops.len();
    // The events in time order: (position, op, is_call). An optional operation completes at the
    // end of time; real positions are distinct line numbers, so no ties among the others.
    let mut events: Vec<(usize, usize, bool)> = Vec::with_capacity(2 * n);
    for (j, op) in ops.iter().enumerate() {
        events.push((op.invoked_at, j, true));
        let end = match Model::role(op) {
            Role::Required => op.completed_at.unwrap_or(usize::MAX),
            _ => usize::MAX,
        };
        events.push((end, j, false));
    }
    events.sort_by_key(|&(at, j, is_call)| (at, !is_call, j));
    // A doubly linked list over the events, node 0 the head; node i + 1 is events[i].
    let mut next: Vec<usize> = (1..=2 * n).chain([NIL]).collect();
    let mut prev: Vec<usize> = (0..=2 * n).map(|i| i.wrapping_sub(1)).collect();
    let mut call_node = vec![0; n];
    let mut return_node = vec![0; n];
    for (i, &(_, j, is_call)) in events.iter().enumerate() {
        if is_call {
            call_node[j] = i + 1;
        } else {
            return_node[j] = i + 1;
        }
    }
    let unlink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, node: usize| {
        next[prev[node]] = next[node];
        if next[node] != NIL {
            prev[next[node]] = prev[node];
        }
    };
    let relink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, node: usize| {
        next[prev[node]] = node;
        if next[node] != NIL {
            prev[next[node]] = node;
        }
    };

    // Each operation's side (0: required, 1: optional) and place among that side's operations:
    // which of each side are linearized is a set of its own.
    let side = |j: usize| usize::from(Model::role(ops[j]) != Role::Required);
    let mut counts = [0, 0];
    let rank: Vec<usize> = (0..n)
        .map(|j| {
            counts[side(j)] += 1;
            counts[side(j)] - 1
        })
        .collect();
    // Blind writes: `info` writes of a value nothing observes. Each only replaces the state
    // with a value no read returns and no cas expects, so they are interchangeable: the search
    // gives them all the first one's value and tries only the earliest invoked of those not
    // yet applied (an order using others can use the earliest ones at the same points, as
    // each was invoked no later). Without this, which of many timed-out writes were applied
    // would multiply the configurations.
    let blind = blind_writes(&ops);
    let blind_value = (blind.iter().position(|b| b.is_some())).and_then(|j| match &ops[j].call {
        Call::Write(v) => Some(v.clone()),
        _ => None,
    });
    let mut blind_applied = 0;
    let mut done = [BitSet::new(counts[0]), BitSet::new(counts[1])];
    let mut memo = Memo::default();
    // The operations linearized, with the state before each and the pass it was tried in.
    let mut stack: Vec<(usize, Scalar, Pass)> = Vec::new();
    let mut required_left = counts[0];
    let mut state = model.initial();
    let mut node = next[0];
    let mut pass = Pass::Required;
    // The latest completion the search was stopped by, and its operation.
    let mut stuck = (0, 0);
    while required_left > 0 {
        let (_, j, is_call) = events[node - 1];
        if is_call {
            let candidate = (side(j) == 0) == (pass == Pass::Required)
                && blind[j].is_none_or(|rank| rank == blind_applied);
            let after = match (blind[j], &blind_value) {
                (Some(_), Some(v)) => Some(v.clone()),
                _ => model.step(&state, ops[j]),
            };
            if candidate && let Some(after) = after {
                done[side(j)].insert(rank[j]);
                if memo.visit(done[0].key(), after.clone(), done[1].members()) {
                    if memo.count >= max_states {
                        return Search::GaveUp(memo.count);
                    }
                    if side(j) == 0 {
                        required_left -= 1;
                    }
                    if blind[j].is_some() {
                        blind_applied += 1;
                    }
                    stack.push((j, std::mem::replace(&mut state, after), pass));
                    unlink(&mut next, &mut prev, call_node[j]);
                    unlink(&mut next, &mut prev, return_node[j]);
                    node = next[0];
                    pass = Pass::Required;
                    continue;
                }
                done[side(j)].remove(rank[j]);
            }
            node = next[node];
        } else if pass == Pass::Required {
            // The first completion of an operation not linearized: every candidate that must be
            // linearized was tried; now those that may be.
            pass = Pass::Optional;
            node = next[0];
        } else {
            stuck = stuck.max((events[node - 1].0, j));
            let Some((j, before, tried_in)) = stack.pop() else {
                return Search::Impossible {
                    culprit: ids[stuck.1],
                };
            };
            state = before;
            done[side(j)].remove(rank[j]);
            if side(j) == 0 {
                required_left += 1;
            }
            if blind[j].is_some() {
                blind_applied -= 1;
            }
            relink(&mut next, &mut prev, return_node[j]);
            relink(&mut next, &mut prev, call_node[j]);
            node = next[call_node[j]];
            pass = tried_in;
        }
    }
    Search::Found(stack.into_iter().map(|(j, ..)| ids[j]).collect())
}

/// For each of one key's operations (in invocation order), its rank among the blind writes
/// if it is one: an `info` write of a value no read returns and no cas expects. None when the
/// key has appends, whose results build on the values written before.
fn blind_writes(ops: &[&super::history::Operation]) -> Vec<Option<usize>> {
    let mut blind = vec![None; ops.len()];
    if ops.iter().any(|op| matches!(op.call, Call::Append(_))) {
        return blind;
    }
    let observed: HashSet<&Scalar> = (ops.iter())
        .flat_map(|op| match &op.call {
            Call::Cas(expected, _) => Some(expected),
            _ => op.returned.as_ref(),
        })
        .collect();
    let mut rank = 0;
    for (j, op) in ops.iter().enumerate() {
        if let (Call::Write(v), Outcome::Info) = (&op.call, op.outcome)
            && !observed.contains(v)
        {
            blind[j] = Some(rank);
            rank += 1;
        }
    }
    blind
}

/// Which candidates a walk of the event list tries: from each configuration, the search first
/// tries to go on with the operations that must be linearized, and only then with those of
/// unknown outcome, so an `info` operation is applied where something needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    Required,
    Optional,
}

/// The configurations already explored, keyed by the required operations linearized and the
/// state, each with the sets of optional operations linearized with them.
///
/// A configuration is skipped when one with the same key and a subset of its optional
/// operations was seen: that one can do everything it can (an optional operation may also never
/// be applied), so if it led to a linearization the search would have stopped, and if it did
/// not, neither can this one. Without this, every subset of the pending `info` operations would
/// be explored on its own, which is exponential in their number.
#[derive(Default)]
struct Memo {
    seen: HashMap<(CompactSet, Scalar), Vec<Box<[u32]>>>,
    /// How many configurations were recorded.
    count: usize,
}

impl Memo {
    /// Records a configuration; `false` if it, or one that covers it, was seen.
    fn visit(&mut self, required: CompactSet, state: Scalar, optional: Box<[u32]>) -> bool {
        let sets = self.seen.entry((required, state)).or_default();
        if sets.iter().any(|seen| is_subset(seen, &optional)) {
            return false;
        }
        sets.push(optional);
        self.count += 1;
        true
    }
}

/// Whether the sorted `small` is a subset of the sorted `large`.
fn is_subset(small: &[u32], large: &[u32]) -> bool {
    let mut large = large.iter();
    small.iter().all(|x| large.any(|y| y == x))
}

/// A set of operations as the first one not in it and the members after that one.
type CompactSet = (u32, Box<[u32]>);

/// Which operations of a search are linearized.
struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    fn new(n: usize) -> BitSet {
        BitSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    /// This set, compactly: the first operation not linearized
    /// (all before it are) and the linearized ones after it. The search linearizes operations
    /// roughly in invocation order, so the second part stays as short as the history's
    /// concurrency, and a 10,000-operation history does not need 1.2 KB a configuration.
    fn key(&self) -> CompactSet {
        let full = self.words.iter().take_while(|&&w| w == u64::MAX).count();
        let low = full * 64
            + self
                .words
                .get(full)
                .map_or(0, |w| w.trailing_ones() as usize);
        let mut above = Vec::new();
        for (w, &word) in self.words.iter().enumerate().skip(full) {
            let mut bits = word;
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let i = w * 64 + b;
                if i > low {
                    above.push(i as u32);
                }
            }
        }
        (low as u32, above.into_boxed_slice())
    }

    /// The members, in increasing order.
    fn members(&self) -> Box<[u32]> {
        let mut out = Vec::new();
        for (w, &word) in self.words.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                out.push((w * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        out.into_boxed_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register(events: &[(u64, Option<Call>, Outcome, Option<i64>)]) -> History {
        let mut h = History::new();
        for (p, call, outcome, read) in events {
            match call {
                Some(call) => {
                    h.invoke(*p, None, call.clone()).unwrap();
                }
                None => {
                    h.complete(*p, *outcome, read.map(Scalar::Int)).unwrap();
                }
            }
        }
        h
    }

    #[test]
    fn a_read_of_a_value_nobody_wrote_is_its_own_witness() {
        use Outcome::Ok;
        let h = register(&[
            (1, Some(Call::Write(Scalar::Int(1))), Ok, None),
            (1, None, Ok, None),
            (2, Some(Call::Read), Ok, None),
            (2, None, Ok, Some(0)),
        ]);
        // The read returned 0, which nobody wrote: the read alone cannot be ordered.
        let v = check(&h, Model::Register).unwrap();
        assert_eq!(
            v,
            Verdict::NotLinearizable {
                key: None,
                culprit: 1,
                witness: vec![1]
            }
        );
    }

    #[test]
    fn an_unknown_write_may_take_effect_late_or_never() {
        use Outcome::{Info, Ok};
        let h = register(&[
            (1, Some(Call::Write(Scalar::Int(1))), Ok, None),
            (1, None, Info, None),
            (2, Some(Call::Read), Ok, None),
            (2, None, Ok, None),
            (3, Some(Call::Read), Ok, None),
            (3, None, Ok, Some(1)),
        ]);
        // null first (the write not yet applied), then 1: linearizable.
        let Verdict::Linearizable(orders) = check(&h, Model::Register).unwrap() else {
            panic!("linearizable")
        };
        assert_eq!(orders[0].order, vec![1, 0, 2]);
    }

    #[test]
    fn the_memo_key_is_the_same_set_written_compactly() {
        let mut a = BitSet::new(200);
        for i in (0..130).chain([140, 199]) {
            a.insert(i);
        }
        let (low, above) = a.key();
        assert_eq!((low, &*above), (130, &[140, 199][..]));
        a.remove(0);
        let (low, above) = a.key();
        assert_eq!(low, 0);
        assert_eq!(above.len(), 131);
    }

    #[test]
    fn many_timed_out_writes_nobody_read_cost_little() {
        // 40 writes of unknown outcome, a read of one of them, a cas expecting `expected` that
        // failed, and the same read again: a search over which writes took effect would need
        // 2^39 configurations.
        let history = |expected: i64| {
            let mut h = History::new();
            for p in 0..40 {
                h.invoke(p, None, Call::Write(Scalar::Int(p as i64)))
                    .unwrap();
            }
            h.invoke(50, None, Call::Read).unwrap();
            h.complete(50, Outcome::Ok, Some(Scalar::Int(7))).unwrap();
            let cas = Call::Cas(Scalar::Int(expected), Scalar::Int(99));
            h.invoke(51, None, cas).unwrap();
            h.complete(51, Outcome::Fail, None).unwrap();
            h.invoke(52, None, Call::Read).unwrap();
            h.complete(52, Outcome::Ok, Some(Scalar::Int(7))).unwrap();
            check_with_limit(&h, Model::CasRegister, 10_000).unwrap()
        };
        // Between the two reads of 7 the failed cas saw another value (a blind write can give
        // it one), but 7 is written only once.
        let verdict = history(7);
        assert!(
            matches!(verdict, Verdict::NotLinearizable { .. }),
            "{verdict:?}"
        );
        // A cas expecting 3 failed on 7: linearizable, the blind writes left out.
        let verdict = history(3);
        assert!(matches!(verdict, Verdict::Linearizable(_)), "{verdict:?}");
    }

    #[test]
    fn a_search_past_its_cap_gives_up_saying_how_far_it_went() {
        let mut h = History::new();
        for p in 0..8 {
            h.invoke(p, None, Call::Write(Scalar::Int(p as i64)))
                .unwrap();
        }
        // Concurrent reads observe every written value (else the writes would be blind and
        // cheap), and a last read returns a value never written.
        for p in 10..18 {
            h.invoke(p, None, Call::Read).unwrap();
        }
        h.invoke(9, None, Call::Read).unwrap();
        for p in 10..18 {
            h.complete(p, Outcome::Ok, Some(Scalar::Int(p as i64 - 10)))
                .unwrap();
        }
        h.complete(9, Outcome::Ok, Some(Scalar::Int(42))).unwrap();
        assert_eq!(
            check_with_limit(&h, Model::Register, 50).unwrap(),
            Verdict::GaveUp {
                key: None,
                states: 50
            }
        );
    }
}
