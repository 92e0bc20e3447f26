//! How the balancer picks a server for each request: the policies of the survey and the
//! load-balancing literature, as pure functions of what the balancer knows about its servers.
//!
//! The balancer knows only what it observed — requests it forwarded and has not had answered
//! (`outstanding`), the latencies of answers (an exponentially weighted moving average), the
//! load servers last reported (possibly stale) and which servers its health checks trust. No
//! policy reads a server's real state: what the balancer cannot see, it cannot use.

use super::hashing::{Ring, Scheme, mix, place};
use crate::sim::NodeId;

/// A balancing policy (the `policy` parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Each healthy server in turn.
    RoundRobin,
    /// In turn, in proportion to the servers' weights (smooth weighted round-robin, as nginx).
    Weighted,
    /// The server with the fewest requests in progress.
    LeastConnections,
    /// The server with the lowest expected wait: its latency average times its requests in
    /// progress plus one (Finagle's peak-EWMA score).
    LeastResponseTime,
    /// Two servers at random, the less loaded of the two (Mitzenmacher's power of two choices),
    /// by the load they last reported.
    P2c,
    /// The server owning the request's key (consistent hashing or a comparison scheme).
    ConsistentHashing,
}

/// Names of the policies, in [`Policy`] order, for the named-choice parameter `policy`.
pub const POLICIES: &[&str] = &[
    "round-robin",
    "weighted",
    "least-connections",
    "least-response-time",
    "p2c",
    "consistent-hashing",
];

impl Policy {
    /// The policy at position `i` of [`POLICIES`].
    pub fn from_index(i: u64) -> Policy {
        match i {
            1 => Policy::Weighted,
            2 => Policy::LeastConnections,
            3 => Policy::LeastResponseTime,
            4 => Policy::P2c,
            5 => Policy::ConsistentHashing,
            _ => Policy::RoundRobin,
        }
    }
}

/// What the balancer knows about one server.
#[derive(Clone, Debug, PartialEq)]
pub struct Known {
    /// The server.
    pub id: NodeId,
    /// Whether the health checks trust it (suspected servers get no requests).
    pub healthy: bool,
    /// Its weight for the weighted policy (at least 1).
    pub weight: u32,
    /// Requests forwarded to it and not yet answered.
    pub outstanding: u32,
    /// Moving average of its answers' latency as the balancer measured them (µs; 0 before the
    /// first answer).
    pub latency: f64,
    /// The load (requests queued or in service) it last reported.
    pub reported: u32,
}

/// How consistent hashing is set up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hashing {
    /// Ring, rendezvous, jump or mod-N.
    pub scheme: Scheme,
    /// Virtual nodes per server on the ring.
    pub vnodes: u32,
    /// Bounded loads: a server may hold at most this factor times the mean load (e.g. 1.25);
    /// 0 for no bound.
    pub bound: f64,
}

/// The balancer's choosing state: round-robin positions and the ring of healthy servers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chooser {
    next: usize,
    /// Smooth weighted round-robin's current weights, by server position.
    current: Vec<i64>,
    /// The ring of the healthy servers, rebuilt when they change.
    ring: Ring,
    ring_of: Vec<NodeId>,
}

impl Chooser {
    /// The server for a request with `key` under `policy`, among `servers` (in id order), or
    /// none when no server is healthy. `random(n)` draws uniformly from `0..n` (the run's PRNG).
    pub fn choose(
        &mut self,
        policy: Policy,
        hashing: Hashing,
        servers: &[Known],
        key: u64,
        mut random: impl FnMut(u64) -> u64,
    ) -> Option<NodeId> {
        let mut healthy = Vec::new();
        for (i, k) in servers.iter().enumerate() {
            if k.healthy {
                healthy.push(i);
            }
        }
        if healthy.is_empty() {
            return None;
        }
        let pick = match policy {
            Policy::RoundRobin => {
                let i = healthy[self.next % healthy.len()];
                self.next = self.next.wrapping_add(1);
                i
            }
            Policy::Weighted => self.smooth_weighted(servers, &healthy),
            Policy::LeastConnections => self.least(&healthy, |i| servers[i].outstanding as f64),
            Policy::LeastResponseTime => self.least(&healthy, |i| {
                servers[i].latency * f64::from(servers[i].outstanding + 1)
            }),
            Policy::P2c => {
                let a = healthy[random(healthy.len() as u64) as usize];
                let b = if healthy.len() > 1 {
                    // A second, different server.
                    let j = random(healthy.len() as u64 - 1) as usize;
                    let b = healthy[j];
                    if b == a {
                        healthy[healthy.len() - 1]
                    } else {
                        b
                    }
                } else {
                    a
                };
                if servers[b].reported < servers[a].reported {
                    b
                } else {
                    a
                }
            }
            Policy::ConsistentHashing => return self.hashed(hashing, servers, &healthy, key),
        };
        Some(servers[pick].id)
    }

    /// The healthy server with the lowest `score`; ties go round-robin, so idle servers share
    /// the first requests instead of all going to the lowest id.
    fn least(&mut self, healthy: &[usize], score: impl Fn(usize) -> f64) -> usize {
        let start = self.next % healthy.len();
        self.next = self.next.wrapping_add(1);
        let mut best = healthy[start];
        for k in 1..healthy.len() {
            let i = healthy[(start + k) % healthy.len()];
            if score(i) < score(best) {
                best = i;
            }
        }
        best
    }

    /// nginx's smooth weighted round-robin: every pick adds each healthy server's weight to its
    /// current weight, takes the largest and subtracts the total from it. Over a cycle of
    /// (sum of weights) picks, each server is picked exactly its weight's number of times,
    /// interleaved rather than in runs.
    fn smooth_weighted(&mut self, servers: &[Known], healthy: &[usize]) -> usize {
        self.current.resize(servers.len(), 0);
        let total: i64 = healthy
            .iter()
            .map(|&i| i64::from(servers[i].weight.max(1)))
            .sum();
        let mut best = healthy[0];
        for &i in healthy {
            self.current[i] += i64::from(servers[i].weight.max(1));
            if self.current[i] > self.current[best] {
                best = i;
            }
        }
        self.current[best] -= total;
        best
    }

    fn hashed(
        &mut self,
        hashing: Hashing,
        servers: &[Known],
        healthy: &[usize],
        key: u64,
    ) -> Option<NodeId> {
        let mut ids = Vec::with_capacity(healthy.len());
        let mut total = 1;
        for &i in healthy {
            ids.push(servers[i].id);
            total += u64::from(servers[i].outstanding);
        }
        if self.ring_of != ids {
            self.ring = Ring::new(&ids, hashing.vnodes);
            self.ring_of = ids.clone();
        }
        if hashing.scheme == Scheme::Ring && hashing.bound > 0.0 {
            let load = |s: NodeId| {
                servers
                    .iter()
                    .find(|k| k.id == s)
                    .map_or(0, |k| u64::from(k.outstanding))
            };
            let cap = (hashing.bound * total as f64 / ids.len() as f64).ceil() as u64;
            return self.ring.owner_bounded(key, cap.max(1), load);
        }
        place(hashing.scheme, key, &ids, &self.ring)
    }
}

/// A request's key when clients draw keys from `keys` distinct ones: the hash of a counter, so
/// keys are spread but repeat (the same key goes to the same server under consistent hashing).
pub fn key_of(counter: u64, keys: u64) -> u64 {
    mix(counter) % keys.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(n: u32) -> Vec<Known> {
        (1..=n)
            .map(|id| Known {
                id,
                healthy: true,
                weight: 1,
                outstanding: 0,
                latency: 0.0,
                reported: 0,
            })
            .collect()
    }

    const RING: Hashing = Hashing {
        scheme: Scheme::Ring,
        vnodes: 100,
        bound: 0.0,
    };

    fn pick(chooser: &mut Chooser, policy: Policy, servers: &[Known], key: u64) -> NodeId {
        let mut draws = key;
        chooser
            .choose(policy, RING, servers, key, |n| {
                draws = mix(draws);
                draws % n
            })
            .unwrap()
    }

    #[test]
    fn round_robin_visits_the_healthy_servers_in_turn() {
        let mut s = servers(4);
        s[1].healthy = false;
        let mut c = Chooser::default();
        let picks: Vec<NodeId> = (0..6)
            .map(|k| pick(&mut c, Policy::RoundRobin, &s, k))
            .collect();
        assert_eq!(picks, [1, 3, 4, 1, 3, 4]);
    }

    #[test]
    fn weighted_round_robin_splits_exactly_by_weight_over_a_cycle() {
        let mut s = servers(3);
        (s[0].weight, s[1].weight, s[2].weight) = (5, 1, 2);
        let mut c = Chooser::default();
        for _cycle in 0..3 {
            let mut count = [0; 3];
            for k in 0..8 {
                count[pick(&mut c, Policy::Weighted, &s, k) as usize - 1] += 1;
            }
            assert_eq!(count, [5, 1, 2]);
        }
        // Smooth: the heavy server's picks are interleaved, not five in a row.
        let picks: Vec<NodeId> = (0..8)
            .map(|k| pick(&mut c, Policy::Weighted, &s, k))
            .collect();
        assert!(
            picks.windows(4).all(|w| w.iter().any(|&p| p != 1)),
            "{picks:?}"
        );
    }

    #[test]
    fn least_connections_and_least_response_time_avoid_the_busy_and_the_slow() {
        let mut s = servers(3);
        s[0].outstanding = 4;
        s[2].outstanding = 1;
        let mut c = Chooser::default();
        assert_eq!(pick(&mut c, Policy::LeastConnections, &s, 0), 2);
        s[1].latency = 90_000.0;
        s[0].latency = 10_000.0;
        s[2].latency = 10_000.0;
        // 10 ms × 5, 90 ms × 1, 10 ms × 2: server 3 is expected soonest.
        assert_eq!(pick(&mut c, Policy::LeastResponseTime, &s, 0), 3);
        // Idle, untried servers share the first requests.
        let idle = servers(3);
        let firsts: Vec<NodeId> = (0..3)
            .map(|k| pick(&mut c, Policy::LeastConnections, &idle, k))
            .collect();
        assert_eq!(
            firsts
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            3
        );
    }

    #[test]
    fn power_of_two_choices_never_takes_the_more_loaded_of_its_two() {
        let mut s = servers(5);
        for (i, k) in s.iter_mut().enumerate() {
            k.reported = [7, 0, 3, 9, 1][i];
        }
        let mut c = Chooser::default();
        let mut seen = [0; 5];
        for key in 0..2_000 {
            seen[pick(&mut c, Policy::P2c, &s, key) as usize - 1] += 1;
        }
        // The most loaded server is never the less loaded of two distinct servers.
        assert_eq!(seen[3], 0, "{seen:?}");
        // The least loaded wins whenever drawn: about 2/5 of all picks.
        assert!(seen[1] > 700 && seen[1] < 900, "{seen:?}");
    }

    #[test]
    fn consistent_hashing_keeps_a_key_on_its_server_and_skips_the_unhealthy() {
        let mut s = servers(4);
        let mut c = Chooser::default();
        let first: Vec<NodeId> = (0..50)
            .map(|k| pick(&mut c, Policy::ConsistentHashing, &s, k))
            .collect();
        let again: Vec<NodeId> = (0..50)
            .map(|k| pick(&mut c, Policy::ConsistentHashing, &s, k))
            .collect();
        assert_eq!(first, again);
        s[2].healthy = false;
        for k in 0..50 {
            let now = pick(&mut c, Policy::ConsistentHashing, &s, k);
            assert_ne!(now, 3);
            if first[k as usize] != 3 {
                assert_eq!(
                    now, first[k as usize],
                    "key {k} moved though its server stayed"
                );
            }
        }
    }

    #[test]
    fn bounded_loads_cap_a_hot_server() {
        let mut s = servers(4);
        let bounded = Hashing {
            bound: 1.25,
            ..RING
        };
        let mut c = Chooser::default();
        let owner = c
            .choose(Policy::ConsistentHashing, RING, &s, 42, |_| 0)
            .unwrap();
        s[owner as usize - 1].outstanding = 10;
        let now = c
            .choose(Policy::ConsistentHashing, bounded, &s, 42, |_| 0)
            .unwrap();
        assert_ne!(now, owner);
        let unbounded = c
            .choose(Policy::ConsistentHashing, RING, &s, 42, |_| 0)
            .unwrap();
        assert_eq!(unbounded, owner);
    }

    #[test]
    fn nobody_healthy_nobody_chosen() {
        let mut s = servers(2);
        s.iter_mut().for_each(|k| k.healthy = false);
        for i in 0..POLICIES.len() as u64 {
            let policy = Policy::from_index(i);
            assert_eq!(Chooser::default().choose(policy, RING, &s, 1, |_| 0), None);
        }
    }
}
