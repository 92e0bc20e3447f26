//! Which server a request's key goes to, under consistent hashing and the schemes the page
//! compares it with:
//!
//! * [`Ring`] — consistent hashing (Karger et al., 1997): every server owns `vnodes` points on
//!   a 64-bit ring, and a key goes to the first point clockwise from its hash. When a server
//!   leaves, only its own arcs change hands. With bounded loads (Mirrokni, Thorup and
//!   Zadimoghaddam, 2018) a server already holding its cap of requests is passed over and the
//!   walk goes on clockwise.
//! * [`rendezvous`] — highest random weight (Thaler and Ravishankar, 1998): every server scores
//!   the key, the highest score wins.
//! * [`jump`] — jump consistent hashing (Lamping and Veach, 2014): no table at all, but buckets
//!   are numbered `0..n`, so only the last one can leave without moving other keys.
//! * mod-N — `hash mod n`, the baseline: almost every key moves when `n` changes.
//!
//! Hashes are a fixed 64-bit mixer (SplitMix64's finaliser), identical on every platform and
//! Rust version, so a seeded run places keys the same way everywhere.

use crate::sim::NodeId;

/// A 64-bit hash of `x`: SplitMix64's finaliser, a bijection that spreads nearby inputs
/// (consecutive keys, a server's virtual-node numbers) over the whole ring.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The hash of a server's virtual node `v` on the ring.
fn point(server: NodeId, v: u32) -> u64 {
    mix((u64::from(server) << 32) | u64::from(v))
}

/// How keys are mapped to servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Consistent hashing on a ring with virtual nodes.
    Ring,
    /// Highest random weight.
    Rendezvous,
    /// Jump consistent hashing over the servers in id order.
    Jump,
    /// The key's hash modulo the number of servers.
    ModN,
}

/// Names of the schemes, in [`Scheme`] order, for a named-choice parameter.
pub const SCHEMES: &[&str] = &["ring", "rendezvous", "jump", "mod-n"];

impl Scheme {
    /// The scheme at position `i` of [`SCHEMES`].
    pub fn from_index(i: u64) -> Scheme {
        match i {
            1 => Scheme::Rendezvous,
            2 => Scheme::Jump,
            3 => Scheme::ModN,
            _ => Scheme::Ring,
        }
    }
}

/// A consistent-hashing ring: the virtual nodes of a set of servers, sorted by position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    points: Vec<(u64, NodeId)>,
}

impl Ring {
    /// The ring of `servers`, each with `vnodes` virtual nodes (at least one).
    pub fn new(servers: &[NodeId], vnodes: u32) -> Ring {
        let mut points = Vec::with_capacity(servers.len() * vnodes.max(1) as usize);
        for &s in servers {
            for v in 0..vnodes.max(1) {
                points.push((point(s, v), s));
            }
        }
        heap_sort(&mut points);
        Ring { points }
    }

    /// The virtual nodes, by position: (position on the ring, server).
    pub fn points(&self) -> &[(u64, NodeId)] {
        &self.points
    }

    /// Index of the first point at or clockwise after `hash` (wrapping round).
    fn first_from(&self, hash: u64) -> usize {
        let i = self.points.partition_point(|&(p, _)| p < hash);
        if i == self.points.len() { 0 } else { i }
    }

    /// The server owning `key`, if the ring has any.
    pub fn owner(&self, key: u64) -> Option<NodeId> {
        (!self.points.is_empty()).then(|| self.points[self.first_from(mix(key))].1)
    }

    /// The server `key` goes to with bounded loads: the first clockwise whose load (`load`,
    /// requests it holds) is below `cap`; the plain owner when every server is at its cap.
    pub fn owner_bounded(
        &self,
        key: u64,
        cap: u64,
        load: impl Fn(NodeId) -> u64,
    ) -> Option<NodeId> {
        let start = self.first_from(mix(key));
        let n = self.points.len();
        (0..n)
            .map(|k| self.points[(start + k) % n].1)
            .find(|&s| load(s) < cap)
            .or_else(|| self.owner(key))
    }

    /// The fraction of the ring (of all possible key hashes) each of `servers` owns, in the
    /// same order.
    pub fn shares(&self, servers: &[NodeId]) -> Vec<f64> {
        let mut owned = vec![0u128; servers.len()];
        let n = self.points.len();
        for (i, &(p, s)) in self.points.iter().enumerate() {
            // Point i owns the hashes after the previous point, up to and including itself.
            let prev = self.points[(i + n - 1) % n].0;
            let arc = if n == 1 {
                1u128 << 64
            } else {
                u128::from(p.wrapping_sub(prev))
            };
            if let Some(k) = servers.iter().position(|&x| x == s) {
                owned[k] += arc;
            }
        }
        let whole = (1u128 << 64) as f64;
        let mut shares = Vec::with_capacity(owned.len());
        for a in owned {
            shares.push(a as f64 / whole);
        }
        shares
    }
}

/// Sorts the ring's points by position. A heap sort: a few hundred bytes of code where the
/// standard library's sort would add kilobytes to the web build for this one element type, and
/// in n log n for the thousands of points of a ring. Unstable, but no two points are equal
/// (a server's virtual nodes hash to distinct positions), so the order is the one `sort` gives.
fn heap_sort(v: &mut [(u64, NodeId)]) {
    // Moves `v[root]` down the heap of `v[..end]` until both its children are smaller.
    fn sift_down(v: &mut [(u64, NodeId)], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for root in (0..v.len() / 2).rev() {
        sift_down(v, root, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// The server with the highest score for `key` among `servers` (rendezvous hashing).
pub fn rendezvous(key: u64, servers: &[NodeId]) -> Option<NodeId> {
    let hk = mix(key);
    servers
        .iter()
        .copied()
        .max_by_key(|&s| (mix(hk ^ mix(u64::from(s))), s))
}

/// Jump consistent hashing: the bucket in `0..buckets` for `key` (0 when there are none).
/// The algorithm of Lamping and Veach's paper, step for step.
pub fn jump(key: u64, buckets: u32) -> u32 {
    let (mut b, mut j): (i64, i64) = (-1, 0);
    let mut k = key;
    while j < i64::from(buckets) {
        b = j;
        k = k.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((k >> 33) + 1) as f64)) as i64;
    }
    b.max(0) as u32
}

/// The server `key` goes to under `scheme`, among `servers` (in id order) whose `ring` was built
/// from the same servers. None when there are no servers.
pub fn place(scheme: Scheme, key: u64, servers: &[NodeId], ring: &Ring) -> Option<NodeId> {
    if servers.is_empty() {
        return None;
    }
    match scheme {
        Scheme::Ring => ring.owner(key),
        Scheme::Rendezvous => rendezvous(key, servers),
        Scheme::Jump => Some(servers[jump(mix(key), servers.len() as u32) as usize]),
        Scheme::ModN => Some(servers[(mix(key) % servers.len() as u64) as usize]),
    }
}

/// How many of `keys` change server under `scheme` when the servers go from `before` to
/// `after` (each in id order), with `vnodes` virtual nodes per server for the ring.
pub fn moved_keys(
    scheme: Scheme,
    keys: impl Iterator<Item = u64>,
    before: &[NodeId],
    after: &[NodeId],
    vnodes: u32,
) -> u64 {
    let (ring_before, ring_after) = (Ring::new(before, vnodes), Ring::new(after, vnodes));
    keys.filter(|&k| place(scheme, k, before, &ring_before) != place(scheme, k, after, &ring_after))
        .count() as u64
}

/// How evenly load is spread: the largest count over the mean, and the standard deviation
/// over the mean (coefficient of variation). Both 0 for no load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Largest count ÷ mean count (1 is perfectly even).
    pub max_over_mean: f64,
    /// Standard deviation ÷ mean (0 is perfectly even).
    pub relative_std: f64,
}

impl Spread {
    /// The spread of `counts` (one per server).
    pub fn of(counts: &[u64]) -> Spread {
        let n = counts.len() as f64;
        let (mut sum, mut max) = (0, 0);
        for &c in counts {
            sum += c;
            max = max.max(c);
        }
        let mean = sum as f64 / n;
        if counts.is_empty() || mean == 0.0 {
            return Spread {
                max_over_mean: 0.0,
                relative_std: 0.0,
            };
        }
        let max = max as f64;
        let mut squares = 0.0;
        for &c in counts {
            squares += (c as f64 - mean) * (c as f64 - mean);
        }
        let var = squares / n;
        Spread {
            max_over_mean: max / mean,
            relative_std: var.sqrt() / mean,
        }
    }
}

/// The spread of `keys` over `servers` on a ring with `vnodes` virtual nodes each: the chart
/// of load spread against the number of virtual nodes.
pub fn ring_spread(keys: impl Iterator<Item = u64>, servers: &[NodeId], vnodes: u32) -> Spread {
    let ring = Ring::new(servers, vnodes);
    let mut counts = vec![0u64; servers.len()];
    for k in keys {
        if let Some(s) = ring.owner(k)
            && let Some(i) = servers.iter().position(|&x| x == s)
        {
            counts[i] += 1;
        }
    }
    Spread::of(&counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVERS: [NodeId; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

    fn without(servers: &[NodeId], gone: NodeId) -> Vec<NodeId> {
        servers.iter().copied().filter(|&s| s != gone).collect()
    }

    #[test]
    fn jump_only_moves_keys_into_a_new_last_bucket() {
        assert_eq!(jump(0, 1), 0);
        assert_eq!(jump(u64::MAX, 1), 0);
        assert_eq!(jump(7, 0), 0);
        // The paper's monotonicity: growing from n to n+1 buckets only moves keys into the new
        // bucket, and about 1/(n+1) of them.
        for key in 0..2_000u64 {
            let k = mix(key);
            for n in 1..20 {
                let (a, b) = (jump(k, n), jump(k, n + 1));
                assert!(a < n);
                assert!(
                    a == b || b == n,
                    "key {key}: {a} → {b} with {n} → {} buckets",
                    n + 1
                );
            }
        }
        let into_ninth = (0..9_000u64).filter(|&k| jump(mix(k), 9) == 8).count();
        assert!(
            (800..1_200).contains(&into_ninth),
            "{into_ninth} of 9000 in the ninth bucket"
        );
    }

    #[test]
    fn with_a_hundred_vnodes_a_leaving_server_moves_at_most_two_nth_of_the_keys() {
        let n = SERVERS.len() as f64;
        for gone in SERVERS {
            let after = without(&SERVERS, gone);
            let moved = moved_keys(Scheme::Ring, 0..10_000, &SERVERS, &after, 100);
            assert!(
                moved as f64 / 10_000.0 <= 2.0 / n,
                "server {gone} leaving moved {moved} of 10000 keys"
            );
            // Only the leaving server's keys move.
            let ring = Ring::new(&SERVERS, 100);
            let owned = (0..10_000).filter(|&k| ring.owner(k) == Some(gone)).count() as u64;
            assert_eq!(moved, owned);
        }
    }

    #[test]
    fn mod_n_moves_most_keys_and_rendezvous_only_the_leavers() {
        let after = without(&SERVERS, 3);
        let mod_n = moved_keys(Scheme::ModN, 0..10_000, &SERVERS, &after, 100);
        assert!(mod_n > 8_000, "mod-N moved only {mod_n}");
        let hrw = moved_keys(Scheme::Rendezvous, 0..10_000, &SERVERS, &after, 100);
        assert!(hrw as f64 / 10_000.0 <= 2.0 / 8.0, "rendezvous moved {hrw}");
        // Jump moves little when the last server leaves, much when one from the middle does.
        let last = moved_keys(
            Scheme::Jump,
            0..10_000,
            &SERVERS,
            &without(&SERVERS, 8),
            100,
        );
        let middle = moved_keys(Scheme::Jump, 0..10_000, &SERVERS, &after, 100);
        assert!(
            last as f64 / 10_000.0 <= 2.0 / 8.0,
            "jump, last server: {last}"
        );
        assert!(
            middle > 2 * last,
            "jump, middle server: {middle} vs last {last}"
        );
    }

    #[test]
    fn more_vnodes_spread_keys_more_evenly() {
        let one = ring_spread(0..20_000, &SERVERS, 1);
        let many = ring_spread(0..20_000, &SERVERS, 200);
        assert!(
            many.max_over_mean < one.max_over_mean,
            "{many:?} vs {one:?}"
        );
        assert!(many.relative_std < 0.1, "{many:?}");
        assert!(many.max_over_mean >= 1.0);
    }

    #[test]
    fn ring_shares_sum_to_one_and_match_the_keys_owned() {
        let ring = Ring::new(&SERVERS, 50);
        let shares = ring.shares(&SERVERS);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let mut counts = [0u64; 8];
        for k in 0..40_000 {
            counts[ring.owner(k).unwrap() as usize - 1] += 1;
        }
        for (share, count) in shares.iter().zip(counts) {
            assert!(
                (share - count as f64 / 40_000.0).abs() < 0.02,
                "{share} vs {count}"
            );
        }
        assert_eq!(Ring::new(&[4], 1).shares(&[4]), vec![1.0]);
    }

    #[test]
    fn bounded_loads_pass_over_a_full_server_clockwise() {
        let ring = Ring::new(&SERVERS, 10);
        for key in 0..500 {
            let owner = ring.owner(key).unwrap();
            assert_eq!(ring.owner_bounded(key, 5, |_| 0), Some(owner));
            let next = ring.owner_bounded(key, 5, |s| if s == owner { 5 } else { 0 });
            assert_ne!(next, Some(owner));
            // Everyone full: the plain owner.
            assert_eq!(ring.owner_bounded(key, 5, |_| 9), Some(owner));
        }
    }

    #[test]
    fn the_ring_is_sorted_as_the_standard_sort_sorts_it() {
        for vnodes in [1, 2, 7, 100] {
            for n in 0..SERVERS.len() {
                let ring = Ring::new(&SERVERS[..n], vnodes);
                let mut sorted = ring.points().to_vec();
                sorted.sort_unstable();
                assert_eq!(ring.points(), &sorted[..]);
                assert_eq!(sorted.len(), n * vnodes as usize);
            }
        }
        let mut v = vec![(3, 1), (1, 2), (3, 0), (2, 9), (1, 1)];
        heap_sort(&mut v);
        assert_eq!(v, [(1, 1), (1, 2), (2, 9), (3, 0), (3, 1)]);
    }

    #[test]
    fn no_servers_no_owner() {
        let ring = Ring::new(&[], 100);
        assert_eq!(ring.owner(7), None);
        for scheme in [Scheme::Ring, Scheme::Rendezvous, Scheme::Jump, Scheme::ModN] {
            assert_eq!(place(scheme, 7, &[], &ring), None);
        }
        assert_eq!(Spread::of(&[]).max_over_mean, 0.0);
    }
}
