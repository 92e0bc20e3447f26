//! Random faults from one picker, for fuzzing and for chaos mode.
//!
//! [`FaultMix::pick`] draws a node and a fault for it from a seeded [`Rng`], looking at the run
//! only through [`FaultScene`]. Fuzzing ([`FUZZ_MIX`]) takes every fault it picks as a recorded
//! visitor action; chaos mode ([`CHAOS_MIX`], run by [`Chaos`] inside the simulator) injects
//! crashes, restarts, pauses, partitions, one-way cuts and latency spikes at a rate the visitor
//! sets, each regenerated from the run's seed on every replay, so a link carries only the rate.

use super::action::{ActionKind, NetConfig};
use super::node::NodeId;
use super::rng::Rng;
use super::time::{MS, Micros, SEC};

/// One kind of fault a mix can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Crash the chosen node.
    Crash,
    /// Force the chosen node's timeout.
    Timeout,
    /// Drop a random message in flight.
    Drop,
    /// Random loss and duplication on the whole network.
    Lossy,
    /// Split the nodes into two random sides.
    Partition,
    /// Cut the link from the chosen node to the next one (both ways).
    Cut,
    /// Heal every partition and cut.
    Heal,
    /// Heal the network if it is cut anywhere, else give one slowed direction its normal
    /// latency back (chaos undoes its own damage this way).
    Mend,
    /// Freeze the chosen node for 10–600 ms.
    Pause,
    /// Cut the direction from the chosen node to the next one.
    OneWay,
    /// A latency spike from the chosen node to the next one.
    Slow,
}

/// What a fault picker sees of the run at the moment of a fault.
pub struct Scene<'a> {
    /// Whether each node is running, node 1 first (every node of the run, clients included).
    pub up: &'a [bool],
    /// The messages in flight the picker may drop, by id in increasing order (empty: none).
    pub flights: &'a [u64],
    /// Whether every message can get through (no partition or cut).
    pub whole: bool,
    /// A direction with its own latency range, if any.
    pub slow: Option<(NodeId, NodeId)>,
}

/// A weighted choice of faults.
#[derive(Clone, Copy, Debug)]
pub struct FaultMix {
    /// Each fault with its share of 100 rolls, in order; rolls past the last band are idle.
    pub bands: &'static [(Fault, u8)],
    /// An idle roll, or a fault that needs a running node, sends a running node a client
    /// request (fuzzing keeps the protocol busy); otherwise it does nothing.
    pub idle_request: bool,
    /// A crashed node drawn is restarted whatever the roll (chaos: crashed nodes come back);
    /// otherwise only rolls whose fault needs a running node restart it.
    pub restart_first: bool,
}

/// Fuzzing's mix: every fault, message drops, forced timeouts and client requests included.
pub const FUZZ_MIX: FaultMix = FaultMix {
    bands: &[
        (Fault::Crash, 15),
        (Fault::Timeout, 15),
        (Fault::Drop, 15),
        (Fault::Lossy, 10),
        (Fault::Partition, 10),
        (Fault::Cut, 10),
        (Fault::Heal, 10),
        (Fault::Pause, 3),
        (Fault::OneWay, 2),
        (Fault::Slow, 1),
    ],
    idle_request: true,
    restart_first: false,
};

/// Chaos mode's mix: the faults of the Simian Army, and mending so the run stays alive.
pub const CHAOS_MIX: FaultMix = FaultMix {
    bands: &[
        (Fault::Crash, 22),
        (Fault::Pause, 16),
        (Fault::Partition, 12),
        (Fault::OneWay, 12),
        (Fault::Slow, 12),
        (Fault::Mend, 26),
    ],
    idle_request: false,
    restart_first: true,
};

impl FaultMix {
    /// The next fault, or `None` for an idle roll (or a fault with nothing to hit). `base` is
    /// the network the faults start from (latency spikes are drawn from its range).
    pub fn pick(&self, rng: &mut Rng, scene: &Scene, base: NetConfig) -> Option<ActionKind> {
        let n = scene.up.len() as NodeId;
        let node = rng.range(1, n as u64) as NodeId;
        let up = scene.up[node as usize - 1];
        if self.restart_first && !up {
            return Some(ActionKind::Restart { node });
        }
        let roll = rng.range(0, 99);
        let mut start = 0u64;
        let band = self.bands.iter().find_map(|&(fault, share)| {
            start += share as u64;
            (roll < start).then_some(fault)
        });
        let next = (node % n) + 1;
        let kind = match band {
            Some(Fault::Crash) if up => ActionKind::Crash { node },
            Some(Fault::Timeout) if up => ActionKind::Timeout { node },
            Some(Fault::Drop) => {
                let flights = scene.flights;
                if flights.is_empty() {
                    return None;
                }
                let id = flights[rng.range(0, flights.len() as u64 - 1) as usize];
                ActionKind::DropMessage { id }
            }
            Some(Fault::Lossy) => ActionKind::SetNetwork {
                net: NetConfig {
                    loss_ppm: rng.range(0, 300_000) as u32,
                    dup_ppm: rng.range(0, 200_000) as u32,
                    ..base
                },
            },
            Some(Fault::Partition) => ActionKind::Partition {
                groups: (0..n).map(|_| rng.range(0, 1) as u8).collect(),
            },
            Some(Fault::Cut) if n > 1 => ActionKind::CutLink { a: node, b: next },
            Some(Fault::Heal) => ActionKind::Heal,
            Some(Fault::Mend) if !scene.whole => ActionKind::Heal,
            Some(Fault::Mend) => {
                let (from, to) = scene.slow?;
                ActionKind::LinkLatency {
                    from,
                    to,
                    latency: None,
                }
            }
            Some(Fault::Pause) if up => ActionKind::Pause {
                node,
                duration: rng.range(10 * MS, 600 * MS),
            },
            Some(Fault::OneWay) if n > 1 => ActionKind::CutOneWay {
                from: node,
                to: next,
            },
            Some(Fault::Slow) if n > 1 => {
                let lo = rng.range(base.latency_min, 4 * base.latency_max);
                ActionKind::LinkLatency {
                    from: node,
                    to: next,
                    latency: Some((lo, lo + rng.range(0, base.latency_max))),
                }
            }
            _ if !up => ActionKind::Restart { node },
            _ if self.idle_request => ActionKind::ClientRequest { node },
            _ => return None,
        };
        Some(kind)
    }
}

/// Most chaos a run takes: 1,000 faults per virtual second.
pub const MAX_CHAOS_RATE: u32 = 1_000_000;

/// Chaos mode's state inside a run: the rate, its own random stream and how much it did.
/// Seeded from the run's seed, so the same run injects the same faults on every replay.
#[derive(Clone, Debug)]
pub struct Chaos {
    /// Faults per 1,000 virtual seconds (0: off).
    rate: u32,
    rng: Rng,
    /// Bumped at every rate change: a fault scheduled under an older rate is void.
    generation: u64,
    /// Faults injected so far on this path.
    injected: u64,
}

impl Chaos {
    /// Chaos mode for a run of `seed`, off.
    pub fn new(seed: u64) -> Chaos {
        Chaos {
            rate: 0,
            rng: Rng::new(seed ^ 0xC4A0_5C4A_05C4_A05C),
            generation: 0,
            injected: 0,
        }
    }

    /// Faults per 1,000 virtual seconds (0: off).
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Faults injected so far.
    pub fn injected(&self) -> u64 {
        self.injected
    }

    /// The current generation (a scheduled fault carries it; see [`Chaos::is_current`]).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether a fault scheduled under `generation` is still due.
    pub fn is_current(&self, generation: u64) -> bool {
        self.rate > 0 && generation == self.generation
    }

    /// Sets the rate (at most [`MAX_CHAOS_RATE`]; the link codec, the page and the embedding
    /// API refuse more); returns the wait until the first fault under it, if chaos is on.
    pub fn set_rate(&mut self, rate: u32) -> Option<Micros> {
        self.rate = rate.min(MAX_CHAOS_RATE);
        self.generation += 1;
        self.next_gap()
    }

    /// The wait until the next fault at the current rate (exponential: faults are a Poisson
    /// stream), or `None` when chaos is off.
    pub fn next_gap(&mut self) -> Option<Micros> {
        (self.rate > 0).then(|| self.rng.gap(1_000.0 * SEC as f64 / self.rate as f64))
    }

    /// Picks the fault due now (see [`CHAOS_MIX`]), if any.
    pub fn pick(&mut self, scene: &Scene, net: NetConfig) -> Option<ActionKind> {
        CHAOS_MIX.pick(&mut self.rng, scene, net)
    }

    /// Counts a fault that was injected (one that applied).
    pub fn count(&mut self) {
        self.injected += 1;
    }
}

/// A rate in faults per virtual second, as links and the page write it: `2`, `0.5`, `0.125`.
pub fn format_rate(rate: u32) -> String {
    // The shortest decimal that reads back as rate / 1000: at most three decimals.
    super::decimal::scaled(rate.into(), 3)
}

/// Reads a rate in faults per virtual second (up to three decimals, at most 1,000) into faults
/// per 1,000 virtual seconds; `None` if it is not one (the link codec says what is accepted).
pub fn parse_rate(text: &str) -> Option<u32> {
    let x = super::decimal::parse(text.trim()).ok()?;
    let milli = x * 1000.0;
    let whole = libm::round(milli);
    let exact = (milli - whole).abs() < 1e-6;
    (exact && (0.0..=MAX_CHAOS_RATE as f64).contains(&whole)).then_some(whole as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run seen by the picker: which nodes are down, what is in flight.
    fn scene(up: &[bool]) -> Scene<'_> {
        Scene {
            up,
            flights: &[4, 9],
            whole: true,
            slow: None,
        }
    }

    const NET: NetConfig = NetConfig {
        latency_min: 10 * MS,
        latency_max: 15 * MS,
        loss_ppm: 0,
        dup_ppm: 0,
    };

    #[test]
    fn the_same_seed_picks_the_same_faults() {
        let s = scene(&[true; 5]);
        let run = |seed| {
            let mut c = Chaos::new(seed);
            c.set_rate(2_000);
            (0..200)
                .map(|_| (c.next_gap(), c.pick(&s, NET)))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn chaos_picks_only_its_faults_and_restarts_crashed_nodes() {
        let s = scene(&[true, true, false, true, true]);
        let mut rng = Rng::new(3);
        let mut restarts = 0;
        for _ in 0..2_000 {
            match CHAOS_MIX.pick(&mut rng, &s, NET) {
                Some(ActionKind::Restart { node }) => {
                    assert_eq!(node, 3, "only the crashed node restarts");
                    restarts += 1;
                }
                Some(ActionKind::Crash { node } | ActionKind::Pause { node, .. }) => {
                    assert_ne!(node, 3, "a crashed node is not hit again")
                }
                Some(
                    ActionKind::Partition { .. }
                    | ActionKind::CutOneWay { .. }
                    | ActionKind::LinkLatency { .. },
                )
                | None => {}
                other => panic!("chaos does not inject {other:?}"),
            }
        }
        // Node 3 is drawn one time in five.
        assert!((300..=500).contains(&restarts), "{restarts}");
    }

    #[test]
    fn mending_heals_a_cut_network_then_slow_links() {
        let mut s = scene(&[true; 3]);
        let mut rng = Rng::new(1);
        let mends = |s: &Scene<'_>, rng: &mut Rng| {
            (0..500)
                .filter_map(|_| CHAOS_MIX.pick(rng, s, NET))
                .filter(|k| {
                    matches!(
                        k,
                        ActionKind::Heal | ActionKind::LinkLatency { latency: None, .. }
                    )
                })
                .collect::<Vec<_>>()
        };
        assert!(mends(&s, &mut rng).is_empty(), "nothing to mend");
        s.slow = Some((2, 3));
        let fixed = mends(&s, &mut rng);
        assert!(!fixed.is_empty());
        assert!(fixed.iter().all(|k| *k
            == ActionKind::LinkLatency {
                from: 2,
                to: 3,
                latency: None
            }));
        s.whole = false;
        assert!(mends(&s, &mut rng).iter().all(|k| *k == ActionKind::Heal));
    }

    #[test]
    fn the_rate_is_kept_over_a_long_window() {
        // 2 faults per virtual second over 10,000 virtual seconds: 20,000 expected. Poisson
        // counts have a standard deviation of √20000 ≈ 141; allow 5 of them.
        let mut c = Chaos::new(11);
        let mut t = c.set_rate(2_000).unwrap();
        let mut count = 0u64;
        while t < 10_000 * SEC {
            count += 1;
            t += c.next_gap().unwrap();
        }
        assert!((19_300..=20_700).contains(&count), "{count}");
        // The share of each kind follows the mix (crashes: 22% of the rolls on running nodes).
        let s = scene(&[true; 5]);
        let crashes = (0..10_000)
            .filter(|_| matches!(c.pick(&s, NET), Some(ActionKind::Crash { .. })))
            .count();
        assert!((2_000..=2_400).contains(&crashes), "{crashes}");
    }

    #[test]
    fn off_means_no_faults() {
        let mut c = Chaos::new(1);
        assert_eq!(c.set_rate(0), None);
        assert!(!c.is_current(c.generation()));
        let g = c.generation();
        c.set_rate(500);
        assert!(c.is_current(c.generation()) && !c.is_current(g));
    }

    #[test]
    fn rates_read_and_write_in_faults_per_second() {
        assert_eq!(parse_rate("2"), Some(2_000));
        assert_eq!(parse_rate("0.5"), Some(500));
        assert_eq!(parse_rate(".125"), Some(125));
        assert_eq!(parse_rate("1000"), Some(MAX_CHAOS_RATE));
        for bad in [
            "",
            ".",
            "-1",
            "0.0001",
            "1001",
            "abc",
            "99999999999",
            "NaN",
            "inf",
        ] {
            assert_eq!(parse_rate(bad), None, "{bad}");
        }
        for r in [0, 1, 125, 500, 2_000, 12_340, MAX_CHAOS_RATE] {
            assert_eq!(parse_rate(&format_rate(r)), Some(r));
        }
        assert_eq!(format_rate(500), "0.5");
        assert_eq!(format_rate(3_000), "3");
    }
}
