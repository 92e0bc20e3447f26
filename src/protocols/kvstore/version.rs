//! Versions of a key in the leaderless (`quorum`) store, and how a replica reconciles a version
//! it hears of with the ones it holds (the `reconcile` parameter).
//!
//! Every write carries its coordinator's clock reading (the stamp) and a version vector: how
//! many writes each replica coordinated that this one follows. The coordinator builds the vector
//! from its own copy of the key (a write follows everything its coordinator held), so two writes
//! are ordered by causality exactly when one coordinator had seen the other's write.
//!
//! Under `lww` the larger stamp wins and the vector only lets the run tell when that choice went
//! against causality: a replica that keeps a write over one that follows it has lost an update
//! (a clock that runs behind makes it happen). Under `version-vectors` a write that follows
//! another replaces it whatever the clocks say, and concurrent writes are kept side by side as
//! siblings, which a read returns together, until a write that follows them all replaces them.

use crate::protocols::clocksync::store::{Order, order};
use crate::sim::NodeId;

/// Most replicas a store run has: a version vector has one count per replica.
pub const MAX_REPLICAS: usize = 7;

/// Writes of each replica (index `id − 1`) a version follows, its own included.
pub type VClock = [u32; MAX_REPLICAS];

/// How replicas reconcile versions, the `reconcile` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reconcile {
    /// Last writer wins, by the coordinator's clock (then its id).
    Lww,
    /// Version vectors: a later write wins, concurrent ones are kept as siblings.
    Vectors,
}

/// The choices of `reconcile`, in order.
pub const RECONCILES: &[&str] = &["lww", "version-vectors"];

/// One write of a key as replicas store it (raft modes keep one per key too: there `stamp` is
/// the log index that wrote it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Versioned {
    /// The coordinator's clock when it took the write (µs); 0 for a never-written key.
    pub stamp: u64,
    /// The coordinator, to break ties.
    pub writer: NodeId,
    /// The value (0: never written).
    pub value: u64,
    /// The writes it follows (quorum mode; zeros elsewhere).
    pub clock: VClock,
}

impl Versioned {
    /// Whether this write causally follows `other`: its coordinator had seen it.
    pub fn follows(&self, other: &Versioned) -> bool {
        order(&self.clock, &other.clock) == Order::After
    }
}

/// What a replica did with a version it heard of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merged {
    /// It holds the version now.
    Kept,
    /// It already held it, or something that wins over it.
    Ignored,
    /// Last writer wins kept `kept` over `lost`, which follows it: an update lost.
    Overruled {
        /// The version kept (the larger stamp).
        kept: Versioned,
        /// The later write, dropped.
        lost: Versioned,
    },
}

/// What a replica holds of one key: nothing (never written), one version, or, under version
/// vectors, concurrent versions side by side (siblings), in stamp order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Siblings(Vec<Versioned>);

impl Siblings {
    /// A copy holding `version` alone.
    pub fn one(version: Versioned) -> Self {
        Siblings(vec![version])
    }

    /// The versions held, in stamp order.
    pub fn versions(&self) -> &[Versioned] {
        &self.0
    }

    /// The value of the last-stamped version (0 if never written): the only one outside
    /// version-vector siblings.
    pub fn value(&self) -> u64 {
        self.0.last().map_or(0, |v| v.value)
    }

    /// Every value held, in stamp order.
    pub fn values(&self) -> Vec<u64> {
        self.0.iter().map(|v| v.value).collect()
    }

    /// The vector a write coordinated here follows: every version held.
    pub fn context(&self) -> VClock {
        let mut clock = VClock::default();
        for v in &self.0 {
            for (c, x) in clock.iter_mut().zip(v.clock) {
                *c = (*c).max(x);
            }
        }
        clock
    }

    /// Reconciles `version` with the versions held.
    pub fn merge(&mut self, version: Versioned, how: Reconcile) -> Merged {
        match how {
            Reconcile::Lww => {
                let Some(held) = self.0.last().copied() else {
                    self.0.push(version);
                    return Merged::Kept;
                };
                if version > held {
                    self.0 = vec![version];
                    if held.follows(&version) {
                        Merged::Overruled {
                            kept: version,
                            lost: held,
                        }
                    } else {
                        Merged::Kept
                    }
                } else if version.follows(&held) {
                    Merged::Overruled {
                        kept: held,
                        lost: version,
                    }
                } else {
                    Merged::Ignored
                }
            }
            Reconcile::Vectors => {
                if self
                    .0
                    .iter()
                    .any(|h| *h == version || h.follows(&version) || h.clock == version.clock)
                {
                    return Merged::Ignored;
                }
                self.0.retain(|h| !version.follows(h));
                let at = self.0.partition_point(|h| *h < version);
                self.0.insert(at, version);
                Merged::Kept
            }
        }
    }

    /// Whether merging `other` in would change nothing: this copy is as new as it.
    pub fn covers(&self, other: &Siblings, how: Reconcile) -> bool {
        let mut merged = self.clone();
        for v in &other.0 {
            merged.merge(*v, how);
        }
        merged == *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(value: u64, writer: NodeId, stamp: u64, clock: VClock) -> Versioned {
        Versioned {
            stamp,
            writer,
            value,
            clock,
        }
    }

    #[test]
    fn last_writer_wins_drops_a_later_write_stamped_by_a_clock_behind() {
        // Node 1 writes a (stamp 500); Node 2, having seen it, writes b on a clock 300 µs behind.
        let a = write(10002, 1, 500, [1, 0, 0, 0, 0, 0, 0]);
        let b = write(20002, 2, 400, [1, 1, 0, 0, 0, 0, 0]);
        let mut copy = Siblings::one(a);
        assert_eq!(
            copy.merge(b, Reconcile::Lww),
            Merged::Overruled { kept: a, lost: b }
        );
        assert_eq!(copy.values(), [10002]);
        // The replica that heard b first replaces it with a: the same loss, seen from there.
        let mut other = Siblings::one(b);
        assert_eq!(
            other.merge(a, Reconcile::Lww),
            Merged::Overruled { kept: a, lost: b }
        );
        // Version vectors keep the later write whatever the stamps.
        let mut copy = Siblings::one(a);
        assert_eq!(copy.merge(b, Reconcile::Vectors), Merged::Kept);
        assert_eq!(copy.values(), [20002]);
        assert_eq!(copy.merge(a, Reconcile::Vectors), Merged::Ignored);
        assert!(copy.covers(&Siblings::one(a), Reconcile::Vectors));
    }

    #[test]
    fn concurrent_writes_become_siblings_until_a_write_follows_both() {
        let a = write(10002, 1, 500, [1, 0, 0, 0, 0, 0, 0]);
        let b = write(20002, 2, 400, [0, 1, 0, 0, 0, 0, 0]);
        let mut copy = Siblings::one(a);
        // Last writer wins: concurrent writes, the larger stamp kept, nothing flagged.
        assert_eq!(copy.clone().merge(b, Reconcile::Lww), Merged::Ignored);
        assert_eq!(copy.merge(b, Reconcile::Vectors), Merged::Kept);
        assert_eq!(copy.values(), [20002, 10002]);
        assert_eq!(copy.value(), 10002);
        assert_eq!(copy.context(), [1, 1, 0, 0, 0, 0, 0]);
        let mut replica = Siblings::one(b);
        assert!(!replica.covers(&copy, Reconcile::Vectors));
        replica.merge(a, Reconcile::Vectors);
        assert_eq!(replica, copy);
        // Node 3 writes having seen both: one version again.
        let mut clock = copy.context();
        clock[2] += 1;
        let c = write(30002, 3, 450, clock);
        assert_eq!(copy.merge(c, Reconcile::Vectors), Merged::Kept);
        assert_eq!(copy, Siblings::one(c));
        assert!(copy.covers(&replica, Reconcile::Vectors));
    }
}
