//! Runs the page's drawing arithmetic (`src/ui/geometry.rs`, part of the wasm-only UI) and its
//! unit tests natively: node, crown and label placement for every cluster size, flight
//! positions, the palette and the speed ladder.

/// What `geometry.rs` reaches through `crate::sim`.
mod sim {
    pub use quorumscope::sim::{node, time};
}

#[allow(dead_code)]
#[path = "../src/ui/geometry.rs"]
mod geometry;
