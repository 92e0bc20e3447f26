//! The deterministic discrete-event simulator: virtual clock, event queue, network model,
//! seeded PRNG, recorded visitor actions, time travel and the trace.
//!
//! It knows nothing above it: the protocols, their registry, the link codec, fuzzing and trace
//! import depend on it, never the other way round.

pub mod action;
pub mod causality;
pub mod chaos;
pub mod chunked;
pub mod decimal;
pub mod engine;
pub mod erased;
pub mod figure;
pub mod json;
pub mod json_read;
pub mod lab;
pub mod metrics;
pub mod node;
pub mod ops;
pub mod param;
pub mod picture;
pub mod rng;
pub mod scenario;
pub mod session;
pub mod small_sort;
pub mod sorted_map;
mod spans;
pub mod time;
pub mod trace;
pub mod workload;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use action::{Action, ActionKind, NetConfig};
pub use causality::{CommEvent, Cone, EventClock, Relation};
pub use erased::{Cluster, Definition};
pub use figure::{Figure, Measure};
pub use json::{JsonFields, JsonObject};
pub use lab::{
    ChaosView, DropReason, FlightView, InvariantStatus, Lab, Milestone, NetworkView, NodeState,
    SpanView, TraceKind, TraceView,
};
pub use node::{
    BugSpec, ChartSpec, Checker, CompareSpec, Ctx, Diagram, EntryView, Finding, HashRingView, Host,
    InvariantSpec, KindCount, KindSpec, Knob, LeadClaim, LeadStage, Lift, LiveSpec, Marker,
    Message, MovedKeys, MsgView, Node, NodeId, NodeView, Note, Outbox, Panel, ParamSpec, Picture,
    Placement, Protocol, ProtocolInfo, Setup, TradeoffSpec, TradeoffSweep, Unit,
};
pub use rng::Rng;
pub use scenario::Scenario;
pub use session::Session;
pub use time::{MS, Micros, SEC};
