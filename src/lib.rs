//! QuorumScope: an in-browser laboratory for distributed-systems algorithms.
//!
//! * [`sim`] — the deterministic, sans-IO simulator every protocol runs on;
//! * [`protocols`] — the protocols themselves and their one registration point;
//! * [`embed_api`] — the commands a host page posts to an embedded page, checked and typed;
//! * [`scenario`] — what a run is made of (protocol, size, seed, network, actions) and its link form;
//! * `ui` — the Yew single-page app (wasm32 only).

pub mod embed_api;
pub mod protocols;
pub mod scenario;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;
