//! The deterministic discrete-event simulator: virtual clock, event queue, network model,
//! seeded PRNG, recorded visitor actions, time travel and the trace.

pub mod action;
pub mod chunked;
pub mod engine;
pub mod fuzz;
pub mod import;
pub mod lab;
pub mod node;
pub mod rng;
pub mod session;
mod spans;
pub mod time;
pub mod trace;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use action::{Action, ActionKind, NetConfig};
pub use lab::{FlightView, InvariantStatus, Lab, NetworkView, NodeState, SpanView, TraceView};
pub use node::{
    BugSpec, Checker, Ctx, EntryView, Finding, InvariantSpec, LeadClaim, LeadStage, Marker,
    Message, MsgView, Node, NodeId, NodeView, Note, Outbox, ParamSpec, Protocol, ProtocolInfo,
    Setup, Unit,
};
pub use rng::Rng;
pub use session::Session;
pub use time::{MS, Micros, SEC};
