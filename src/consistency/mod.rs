//! Consistency checking of client histories: what clients saw of a store, judged against a
//! sequential model.
//!
//! * [`history`] — the operations (invocation, completion `ok` / `fail` / `info`), read from and
//!   written to Jepsen-style JSON Lines;
//! * [`model`] — the sequential specifications: register, cas-register, key–value map;
//! * [`linearizable`] — the linearizability checker, with a linearization when there is one and
//!   a minimal witness when there is none;
//! * [`growing`] — one register's history checked as it grows, cut at quiet moments (what a
//!   live checker runs after every completion);
//! * [`run`] — a simulated run's history, from the operation events its clients recorded.
//!
//! Pure and web-free; it depends on the simulator's JSON reader and operation events only, and nothing in the
//! simulator depends on it.

pub mod growing;
pub mod history;
pub mod linearizable;
pub mod model;
pub mod run;

pub use growing::Growing;
pub use history::{Call, History, HistoryError, Operation, Outcome, Scalar};
pub use linearizable::{KeyOrder, Verdict, check, check_with_limit};
pub use model::Model;
pub use run::{OpSpan, RunHistory};
