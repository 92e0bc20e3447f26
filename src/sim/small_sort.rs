//! Sorting for the simulator's short lists (one entry per node, a few votes).
//!
//! The standard library's sorts are several kilobytes of code for each element type they are
//! used with, and the web build carries every copy. An insertion sort is a few hundred bytes
//! and, for lists this short, as fast. It is stable, so it gives exactly what `slice::sort` or
//! `sort_by_key` give (and what `sort_unstable` gives wherever equal elements are
//! indistinguishable, such as integers).

use std::cmp::Ordering;

/// Sorts `v` by `compare`, stably (equal elements keep their order). Quadratic: for lists of a
/// few dozen items at most.
pub fn sort_small_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && compare(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Sorts `v` in increasing order, stably: what `v.sort()` gives.
pub fn sort_small<T: Ord>(v: &mut [T]) {
    sort_small_by(v, T::cmp);
}

/// Sorts `v` by `key`, stably: what `v.sort_by_key(key)` gives.
pub fn sort_small_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_small_by(v, |a, b| key(a).cmp(&key(b)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    #[test]
    fn sorts_like_the_standard_library_including_the_order_of_equal_keys() {
        let mut rng = Rng::new(7);
        for len in 0..40 {
            for _ in 0..20 {
                // (key, original position): equal keys are common, so stability shows.
                let v: Vec<(u64, usize)> = (0..len).map(|i| (rng.range(0, 4), i)).collect();
                let mut ours = v.clone();
                sort_small_by_key(&mut ours, |e| e.0);
                let mut std = v.clone();
                std.sort_by_key(|e| e.0);
                assert_eq!(ours, std);

                let mut ours = v.clone();
                sort_small_by(&mut ours, |a, b| b.0.cmp(&a.0));
                let mut std = v.clone();
                std.sort_by_key(|e| std::cmp::Reverse(e.0));
                assert_eq!(ours, std);

                let mut ours = v.clone();
                sort_small(&mut ours);
                let mut std = v;
                std.sort();
                assert_eq!(ours, std);
            }
        }
    }
}
