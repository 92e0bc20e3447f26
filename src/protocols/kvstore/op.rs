//! The store's operations and their results, and how an operation travels in a Raft entry.
//!
//! Values are positive integers (each client writes values no other client writes, so a read
//! tells which write it saw); `0` stands for null, the value of a never-written key.

use crate::sim::ops::{Call, Outcome, Scalar};

/// Most keys a run may have (`x`, `y`, `z`, then `k4`…).
pub const MAX_KEYS: u64 = 8;

/// A key's name: `x`, `y`, `z`, `k4`, …
pub fn key_name(key: u8) -> String {
    match key {
        0 => "x".into(),
        1 => "y".into(),
        2 => "z".into(),
        k => format!("k{}", k + 1),
    }
}

/// What a client asks of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read a key.
    Read {
        /// The key.
        key: u8,
    },
    /// Write a value.
    Write {
        /// The key.
        key: u8,
        /// The value (≥ 1).
        value: u64,
    },
    /// Compare and set: `new` if the key holds `expected` (0: never written).
    Cas {
        /// The key.
        key: u8,
        /// The value expected.
        expected: u64,
        /// The value to set.
        new: u64,
    },
}

/// The largest value an operation carries (20 bits in an entry).
pub const MAX_VALUE: u64 = (1 << 20) - 1;

/// A Raft entry that only opens a leader's term (the no-op a new leader commits before it
/// answers reads, §8 of the Raft paper).
pub const NOOP: u64 = 0;

impl Op {
    /// The key it concerns.
    pub fn key(self) -> u8 {
        match self {
            Op::Read { key } | Op::Write { key, .. } | Op::Cas { key, .. } => key,
        }
    }

    /// Whether it only reads.
    pub fn is_read(self) -> bool {
        matches!(self, Op::Read { .. })
    }

    /// The operation packed into a Raft entry's command: kind in bits 0–1 (1 read, 2 write,
    /// 3 cas; 0 is [`NOOP`]), key in 2–7, value in 8–27, expected value in 28–47.
    pub fn command(self) -> u64 {
        match self {
            Op::Read { key } => 1 | u64::from(key) << 2,
            Op::Write { key, value } => 2 | u64::from(key) << 2 | value << 8,
            Op::Cas { key, expected, new } => 3 | u64::from(key) << 2 | new << 8 | expected << 28,
        }
    }

    /// The operation packed with who asked for it, [`Origin`] in bits 48–63: what a replica
    /// logs.
    pub fn entry(self, origin: Origin) -> u64 {
        self.command()
            | (u64::from(origin.client) & 0x1f) << 48
            | (origin.req & ORIGIN_REQS_MASK) << 53
    }

    /// The operation a Raft entry's command carries; `None` for [`NOOP`] (and anything else).
    pub fn of_command(command: u64) -> Option<Op> {
        let key = ((command >> 2) & 0x3f) as u8;
        let value = (command >> 8) & MAX_VALUE;
        match command & 3 {
            1 => Some(Op::Read { key }),
            2 => Some(Op::Write { key, value }),
            3 => Some(Op::Cas {
                key,
                expected: (command >> 28) & MAX_VALUE,
                new: value,
            }),
            _ => None,
        }
    }

    /// Runs the operation on a key holding `current` (0: never written): the key's new value and
    /// the result.
    pub fn apply(self, current: u64) -> (u64, OpResult) {
        match self {
            Op::Read { .. } => (current, OpResult::Value(current)),
            Op::Write { value, .. } => (value, OpResult::Done),
            Op::Cas { expected, new, .. } if expected == current => (new, OpResult::Done),
            Op::Cas { .. } => (current, OpResult::CasFailed(current)),
        }
    }

    /// The operation as a history's call.
    pub fn call(self) -> Call {
        match self {
            Op::Read { .. } => Call::Read,
            Op::Write { value, .. } => Call::Write(scalar(value)),
            Op::Cas { expected, new, .. } => Call::Cas(scalar(expected), scalar(new)),
        }
    }

    /// For people: `write x=3`, `read x`, `cas x 3→4`.
    pub fn describe(self) -> String {
        let key = key_name(self.key());
        match self {
            Op::Read { .. } => format!("read {key}"),
            Op::Write { value, .. } => format!("write {key}={value}"),
            Op::Cas { expected, new, .. } => format!("cas {key} {}→{new}", shown(expected)),
        }
    }
}

/// What a completed operation returned, as a history holds it: an `ok` read's value, or its
/// siblings as one string (`10002|30004`); nothing for the rest.
pub fn returned(
    op: Op,
    outcome: Outcome,
    value: Option<u64>,
    siblings: SiblingValues,
) -> Option<Scalar> {
    match (op, outcome) {
        (Op::Read { .. }, Outcome::Ok) if !siblings.is_empty() => {
            Some(Scalar::Str(siblings.shown()))
        }
        (Op::Read { .. }, Outcome::Ok) => value.map(scalar),
        _ => None,
    }
}

/// A value as a history holds it: 0 is null.
pub fn scalar(value: u64) -> Scalar {
    match value {
        0 => Scalar::Null,
        v => Scalar::Int(v as i64),
    }
}

/// Request numbers an entry keeps (modulo 2048): ample, since a client has one operation in
/// flight and only its latest request can still be retried.
const ORIGIN_REQS_MASK: u64 = 0x7ff;

/// Who asked for a logged operation: a client node (or a replica, for the visitor's writes) and
/// its request number, kept in the entry so that a request logged twice is applied once. A
/// client that is redirected retries at the new leader, and the old leader may have logged the
/// request too: without this, both copies commit, and a compare-and-set applied twice answers
/// `fail` though it took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The node that asked (ids below 32).
    pub client: crate::sim::NodeId,
    /// Its request number, modulo 2048.
    pub req: u64,
}

impl Origin {
    /// Request `req` of node `client` (the number kept modulo 2048).
    pub fn new(client: crate::sim::NodeId, req: u64) -> Origin {
        Origin {
            client,
            req: req & ORIGIN_REQS_MASK,
        }
    }

    /// The origin of a logged entry's command.
    pub fn of_command(command: u64) -> Origin {
        Origin {
            client: ((command >> 48) & 0x1f) as crate::sim::NodeId,
            req: (command >> 53) & ORIGIN_REQS_MASK,
        }
    }

    /// Whether request `req` of this client is this one or an earlier one (modulo 2048).
    pub fn covers(self, req: u64) -> bool {
        (self.req.wrapping_sub(req) & ORIGIN_REQS_MASK) < ORIGIN_REQS_MASK / 2
    }
}

/// The value of `node`'s `n`-th write (counted from 1): readable and unique in a run, as the
/// checker needs — the node's id times 10,000, plus `n + 1` (wrapping within 1–9,999): Node 5's
/// first write is 50002, its 22nd 50023. Clients and a replica's visitor writes both use it.
pub fn written_value(node: crate::sim::NodeId, n: u64) -> u64 {
    (u64::from(node) * 10_000 + n % 9_999 + 1) & MAX_VALUE
}

/// A value for people: `null` for 0.
pub fn shown(value: u64) -> String {
    match value {
        0 => "null".into(),
        v => v.to_string(),
    }
}

/// The values of the concurrent versions a read returned, in stamp order (at most one per
/// replica: a replica's own writes follow one another).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SiblingValues([u32; super::version::MAX_REPLICAS]);

impl SiblingValues {
    /// The values of the versions `copy` holds (at most [`super::version::MAX_REPLICAS`]).
    pub fn of(copy: &super::version::Siblings) -> Self {
        let mut kept = SiblingValues::default();
        for (slot, v) in kept.0.iter_mut().zip(copy.versions()) {
            *slot = v.value as u32;
        }
        kept
    }

    /// The values, in stamp order.
    pub fn values(&self) -> impl Iterator<Item = u64> + '_ {
        self.0
            .iter()
            .take_while(|&&v| v != 0)
            .map(|&v| u64::from(v))
    }

    /// Whether there are none (the read returned one value).
    pub fn is_empty(&self) -> bool {
        self.0[0] == 0
    }

    /// `10002|30004`: how a history records the read (a register read returns one value, so
    /// no write wrote this one).
    pub fn shown(&self) -> String {
        let values: Vec<String> = self.values().map(|v| v.to_string()).collect();
        values.join("|")
    }
}

/// What the store answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpResult {
    /// A write or compare-and-set took effect.
    Done,
    /// A read's value (0: never written).
    Value(u64),
    /// A read found concurrent versions (version vectors): their values, for the client to
    /// reconcile.
    Siblings(SiblingValues),
    /// A compare-and-set found this value instead of the expected one: no effect.
    CasFailed(u64),
    /// This replica does not serve it; try the one named, if any. No effect.
    NotLeader(Option<crate::sim::NodeId>),
}

impl OpResult {
    /// For people: `ok`, `→ 3`, `failed (found 2)`, `not the leader`.
    pub fn describe(self) -> String {
        match self {
            OpResult::Done => "ok".into(),
            OpResult::Value(v) => format!("→ {}", shown(v)),
            OpResult::Siblings(s) => format!("→ siblings {}", s.shown()),
            OpResult::CasFailed(v) => format!("failed (found {})", shown(v)),
            OpResult::NotLeader(Some(n)) => format!("not the leader, try Node {n}"),
            OpResult::NotLeader(None) => "not the leader".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_survive_a_raft_entry_and_apply_as_a_register_does() {
        let ops = [
            Op::Read { key: 5 },
            Op::Write {
                key: 1,
                value: MAX_VALUE,
            },
            Op::Cas {
                key: 7,
                expected: 0,
                new: 12,
            },
            Op::Cas {
                key: 0,
                expected: MAX_VALUE,
                new: 1,
            },
        ];
        for op in ops {
            assert_ne!(op.command(), NOOP);
            assert_eq!(Op::of_command(op.command()), Some(op));
        }
        assert_eq!(Op::of_command(NOOP), None);
        let origin = Origin::new(22, 2047);
        for op in ops {
            assert_eq!(Op::of_command(op.entry(origin)), Some(op));
            assert_eq!(Origin::of_command(op.entry(origin)), origin);
        }
        // Request numbers wrap: 2049 is 1, after 2047 and 0.
        let last = Origin::new(22, 2049);
        assert_eq!(last.req, 1);
        assert!(last.covers(1) && last.covers(0) && last.covers(2047));
        assert!(!last.covers(2) && !last.covers(1000));
        assert_eq!(
            Op::Cas {
                key: 0,
                expected: 0,
                new: 4
            }
            .apply(0),
            (4, OpResult::Done)
        );
        assert_eq!(
            Op::Cas {
                key: 0,
                expected: 3,
                new: 4
            }
            .apply(2),
            (2, OpResult::CasFailed(2))
        );
        assert_eq!(Op::Read { key: 0 }.apply(9), (9, OpResult::Value(9)));
        assert_eq!(
            Op::Cas {
                key: 0,
                expected: 0,
                new: 4
            }
            .describe(),
            "cas x null→4"
        );
    }
}
