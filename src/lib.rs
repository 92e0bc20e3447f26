//! QuorumScope: an in-browser laboratory for distributed-systems algorithms.
//!
//! Layers, each depending only on those above it in this list:
//! * [`sim`] — the deterministic, sans-IO simulator every protocol runs on (engine, network,
//!   time travel, trace, indexes); it imports nothing below;
//! * [`causal_view`] — what the space-time diagram shows of logical clocks and causality
//!   (labels, the event a click picks, how events stand to a selected one; pure);
//! * [`consistency`] — client histories of a store and the linearizability checker (pure, no
//!   web dependency; the simulator does not import it);
//! * [`history_view`] and [`staleness`] — what the history view and the staleness chart show of
//!   a run's client operations (lanes, bars, each key's linearization or witness, reads by
//!   time since the latest acknowledged write; pure);
//! * [`charts`] — what a protocol's charts show, as points, lines, axes and sentences built from
//!   the simulator's metrics (pure, no web dependency; the page draws them);
//! * [`protocols`] — the protocols themselves and their one registration point;
//! * [`scenario`] — the link codec: a run's description as a query string;
//! * [`embed_api`] — the commands a host page posts to an embedded page, checked and typed;
//! * [`comparison`] — settings of a protocol compared over many seeded runs under gentle
//!   crashes (the threads-free core, which the page's trade-off panel runs too); `compare` —
//!   the command line's threaded runner and tables around it (native only);
//! * [`side_by_side`] — a run next to its twin with one parameter changed, on one clock (what
//!   the page needs of it, natively tested);
//! * [`fuzz`] — randomized fault injection over many seeds; [`export`] and [`import`] — writing
//!   a trace and reading it back;
//! * `ui` — the Yew single-page app (wasm32 only).

pub mod causal_view;
pub mod charts;
#[cfg(not(target_arch = "wasm32"))]
pub mod compare;
pub mod comparison;
pub mod consistency;
pub mod embed_api;
pub mod export;
pub mod fuzz;
pub mod history_view;
pub mod import;
pub mod protocols;
pub mod scenario;
pub mod side_by_side;
pub mod sim;
pub mod staleness;
pub mod tradeoff;

#[cfg(target_arch = "wasm32")]
pub mod ui;
