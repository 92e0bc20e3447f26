//! Timestamps versus versions: a register `x` replicated on every clock, reconciled by
//! last-writer-wins on the writer's physical clock, or by version vectors.
//!
//! Every write carries both a timestamp (its writer's clock reading) and a version vector (how
//! many writes of each node it follows); under `store=lww` only the timestamp decides, and the
//! version vector is there so that the run can tell when that decision went against causality:
//! a replica that keeps a write over one that causally follows it has lost an update. Under
//! `store=version-vectors` a replica keeps a write only if no write it holds follows it, and
//! keeps concurrent writes side by side as siblings, for the next writer (or a reader) to merge.

use crate::sim::NodeId;

/// How replicas reconcile writes (the `store` parameter; `Off` keeps no store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No store: the run only synchronises clocks.
    Off,
    /// Last writer wins, by the writer's clock reading (ties by node id).
    Lww,
    /// Version vectors: causally later writes win, concurrent ones are kept as siblings.
    Vectors,
}

/// The choices of `store`, in order.
pub const MODES: &[&str] = &["off", "lww", "version-vectors"];

/// One write of `x`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The value written.
    pub value: u64,
    /// Who wrote it.
    pub writer: NodeId,
    /// The writer's clock reading when it wrote (µs).
    pub ts: i64,
    /// Writes of each node (index `id − 1`) this one follows, its own included.
    pub vv: Vec<u32>,
}

/// How two writes are ordered by causality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The same write.
    Same,
    /// The first happened before the second.
    Before,
    /// The first happened after the second.
    After,
    /// Neither knew of the other.
    Concurrent,
}

/// Compares two version vectors.
pub fn order(a: &[u32], b: &[u32]) -> Order {
    let (mut less, mut more) = (false, false);
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        less |= x < y;
        more |= x > y;
    }
    match (less, more) {
        (false, false) => Order::Same,
        (true, false) => Order::Before,
        (false, true) => Order::After,
        (true, true) => Order::Concurrent,
    }
}

/// What a replica did with a write it heard of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It holds the write now (alone).
    Applied,
    /// It already held the write, or one after it.
    Ignored,
    /// It keeps the write beside concurrent ones: this many siblings now.
    Siblings(usize),
    /// Last-writer-wins kept `kept` over `lost`, which causally follows it: an update lost.
    Lost {
        /// The write kept (the larger timestamp).
        kept: Version,
        /// The later write thrown away.
        lost: Version,
    },
}

/// A replica of `x`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replica {
    /// The writes it holds: none yet, one, or (version vectors) concurrent siblings.
    pub siblings: Vec<Version>,
    /// Updates this replica lost to last-writer-wins.
    pub lost: u64,
}

impl Replica {
    /// A new write by `me` (of `n` nodes) at clock reading `ts`: it follows every write held.
    pub fn write(
        &mut self,
        mode: Mode,
        me: NodeId,
        n: usize,
        value: u64,
        ts: i64,
    ) -> (Version, Outcome) {
        let mut vv = vec![0; n];
        for s in &self.siblings {
            for (i, &c) in s.vv.iter().enumerate() {
                vv[i] = vv[i].max(c);
            }
        }
        vv[me as usize - 1] += 1;
        let v = Version {
            value,
            writer: me,
            ts,
            vv,
        };
        let outcome = self.merge(mode, v.clone());
        (v, outcome)
    }

    /// Reconciles a write heard from another replica (or written here).
    pub fn merge(&mut self, mode: Mode, v: Version) -> Outcome {
        let Some(held) = self.siblings.first() else {
            self.siblings.push(v);
            return Outcome::Applied;
        };
        match mode {
            Mode::Lww => {
                let causal = order(&v.vv, &held.vv);
                if causal == Order::Same {
                    return Outcome::Ignored;
                }
                let newer = (v.ts, v.writer) > (held.ts, held.writer);
                match (newer, causal) {
                    (true, Order::Before) => {
                        self.lost += 1;
                        let lost = std::mem::replace(&mut self.siblings[0], v.clone());
                        Outcome::Lost { kept: v, lost }
                    }
                    (true, _) => {
                        self.siblings[0] = v;
                        Outcome::Applied
                    }
                    (false, Order::After) => {
                        self.lost += 1;
                        Outcome::Lost {
                            kept: held.clone(),
                            lost: v,
                        }
                    }
                    (false, _) => Outcome::Ignored,
                }
            }
            Mode::Vectors | Mode::Off => {
                if self
                    .siblings
                    .iter()
                    .any(|s| matches!(order(&s.vv, &v.vv), Order::Same | Order::After))
                {
                    return Outcome::Ignored;
                }
                self.siblings
                    .retain(|s| order(&s.vv, &v.vv) != Order::Before);
                self.siblings.push(v);
                match self.siblings.len() {
                    1 => Outcome::Applied,
                    n => Outcome::Siblings(n),
                }
            }
        }
    }

    /// The values held, for people: `1003`, or `1003 | 2005` for siblings, or `—`.
    pub fn describe(&self) -> String {
        if self.siblings.is_empty() {
            return "—".into();
        }
        let values: Vec<String> = self.siblings.iter().map(|s| s.value.to_string()).collect();
        values.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_order_writes_by_causality() {
        assert_eq!(order(&[1, 0], &[1, 0]), Order::Same);
        assert_eq!(order(&[1, 0], &[1, 1]), Order::Before);
        assert_eq!(order(&[2, 1], &[1, 1]), Order::After);
        assert_eq!(order(&[1, 0], &[0, 1]), Order::Concurrent);
    }

    #[test]
    fn last_writer_wins_loses_a_later_write_from_a_clock_behind() {
        let (mut a, mut b) = (Replica::default(), Replica::default());
        // Node 1 (clock ahead) writes at its 10.0 s; node 2 hears it, then writes at its 9.8 s.
        let (w1, _) = a.write(Mode::Lww, 1, 2, 7, 10_000_000);
        assert_eq!(b.merge(Mode::Lww, w1.clone()), Outcome::Applied);
        let (w2, outcome) = b.write(Mode::Lww, 2, 2, 9, 9_800_000);
        assert!(matches!(outcome, Outcome::Lost { .. }), "{outcome:?}");
        assert_eq!(b.describe(), "7");
        assert!(matches!(a.merge(Mode::Lww, w2), Outcome::Lost { .. }));
        assert_eq!((a.describe(), a.lost), ("7".to_string(), 1));
    }

    #[test]
    fn version_vectors_keep_the_later_write_and_concurrent_ones_as_siblings() {
        let (mut a, mut b) = (Replica::default(), Replica::default());
        let (w1, _) = a.write(Mode::Vectors, 1, 2, 7, 10_000_000);
        b.merge(Mode::Vectors, w1.clone());
        let (w2, _) = b.write(Mode::Vectors, 2, 2, 9, 9_800_000);
        assert_eq!(a.merge(Mode::Vectors, w2), Outcome::Applied);
        assert_eq!(a.describe(), "9");
        // Concurrent writes: both kept until a write that follows both.
        let (w3, _) = a.write(Mode::Vectors, 1, 2, 11, 0);
        let (w4, _) = b.write(Mode::Vectors, 2, 2, 12, 0);
        assert_eq!(a.merge(Mode::Vectors, w4), Outcome::Siblings(2));
        assert_eq!(a.describe(), "11 | 12");
        assert_eq!(b.merge(Mode::Vectors, w3.clone()), Outcome::Siblings(2));
        assert_eq!(b.merge(Mode::Vectors, w3), Outcome::Ignored);
        let (w5, outcome) = b.write(Mode::Vectors, 2, 2, 13, 0);
        assert_eq!(outcome, Outcome::Applied);
        assert_eq!(a.merge(Mode::Vectors, w5), Outcome::Applied);
        assert_eq!(a.describe(), "13");
    }
}
