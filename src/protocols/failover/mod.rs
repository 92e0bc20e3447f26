//! Fault tolerance (issue "Fault tolerance: heartbeat failure detection and primary–backup"):
//! the building blocks, ahead of the protocol that will use them.
//!
//! * [`detector`] — fixed-timeout and φ accrual failure detectors over a heartbeat history.
//!
//! Not registered yet: the checker nodes, the manager and primary–backup replication come next.

pub mod detector;
