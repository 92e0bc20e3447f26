//! Client operations as the simulator records them: what a client asked of a store and how it
//! ended, as typed trace events.
//!
//! A protocol whose clients run operations against a store (the key–value store) writes an
//! [`OpEvent`] for each invocation and completion through [`crate::sim::Note::operation`]; the
//! page, the CLI and the consistency checkers read them back from the trace
//! ([`crate::sim::Lab::operations`]) without knowing the protocol.

use std::fmt;

use super::json_read::Value;
use super::node::NodeId;
use super::time::Micros;

/// A value a register holds, a client writes or a read returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `null`: what a never-written register holds.
    Null,
    /// An integer.
    Int(i64),
    /// A string (a `kv` key's value, which `append` extends).
    Str(String),
}

impl Scalar {
    /// The value as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Int(n) => Value::from(*n),
            Scalar::Str(s) => Value::from(s.as_str()),
        }
    }

    /// A JSON value that is one (`null`, an integer or a string).
    pub fn from_value(v: &Value) -> Option<Scalar> {
        match v {
            Value::Null => Some(Scalar::Null),
            Value::Number(n) => n.as_i64().map(Scalar::Int),
            Value::String(s) => Some(Scalar::Str(s.clone())),
            _ => None,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_value().to_json())
    }
}

/// What a client asked for: the `f` of its invocation with the invocation's `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// `read`: what the register holds (the completion says what it returned).
    Read,
    /// `write` of a value.
    Write(Scalar),
    /// `cas` `[expected, new]`: set `new` if the register holds `expected`.
    Cas(Scalar, Scalar),
    /// `append` of a string to a `kv` key's string value.
    Append(String),
}

impl Call {
    /// The `f` of the call's events.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Read => "read",
            Call::Write(_) => "write",
            Call::Cas(..) => "cas",
            Call::Append(_) => "append",
        }
    }

    /// The invocation's `value`.
    pub fn to_value(&self) -> Value {
        match self {
            Call::Read => Value::Null,
            Call::Write(v) => v.to_value(),
            Call::Cas(expected, new) => Value::Array(vec![expected.to_value(), new.to_value()]),
            Call::Append(s) => Value::from(s.as_str()),
        }
    }
}

/// How an operation completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `ok`: it took effect, once, between its invocation and its completion.
    Ok,
    /// `fail`: it completed without effect (a failed `cas` saw another value than expected).
    Fail,
    /// `info`, or never completed: unknown; it may take effect at any time after its
    /// invocation, or never.
    Info,
}

impl Outcome {
    /// The `type` of the completion event.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
        }
    }
}

/// One event of a client operation, as a note carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpEvent {
    /// The client invoked `call` on `key` (`None` for a single register).
    Invoke {
        /// The key.
        key: Option<String>,
        /// What it asked.
        call: Call,
    },
    /// The client's operation in flight completed.
    Complete {
        /// How.
        outcome: Outcome,
        /// What a read returned (for an `ok` read).
        returned: Option<Scalar>,
    },
}

/// An [`OpEvent`] with when and where it happened, as [`crate::sim::Lab::operations`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRecord {
    /// Virtual time.
    pub t: Micros,
    /// The client node.
    pub node: NodeId,
    /// What happened.
    pub event: OpEvent,
}
