//! A client history: the operations clients invoked against a store and how each completed, in
//! real-time order, read from and written to Jepsen-style JSON Lines.
//!
//! One event a line: `{"process":3,"type":"invoke","f":"cas","key":"x","value":[1,2]}`, later
//! `{"process":3,"type":"ok","f":"cas","key":"x","value":[1,2]}`. Line order is real-time order,
//! so an event's line number is its position in time.

use std::fmt;

use crate::sim::json_read::{self, Value, object};
pub use crate::sim::ops::{Call, Outcome, Scalar};

/// One client operation, from its invocation to its completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The client that invoked it (Jepsen's `process`).
    pub process: u64,
    /// The key it concerns; `None` for a history of a single register.
    pub key: Option<String>,
    /// What was asked.
    pub call: Call,
    /// How it completed (`Info` if it never did).
    pub outcome: Outcome,
    /// What a read returned, for a read that completed `ok`; `None` otherwise.
    pub returned: Option<Scalar>,
    /// The invocation's position in time: its line number in a file read (from 1).
    pub invoked_at: usize,
    /// The completion's position in time, `None` if the history ends before it completes.
    pub completed_at: Option<usize>,
}

impl fmt::Display for Operation {
    /// The operation in the input's words: `lines 3–9: process 3 cas key "x" value [1,2] → ok`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.completed_at {
            Some(end) => write!(f, "lines {}–{end}: ", self.invoked_at)?,
            None => write!(f, "line {} (never completed): ", self.invoked_at)?,
        }
        write!(f, "process {} {}", self.process, self.call.name())?;
        if let Some(key) = &self.key {
            write!(f, " key {}", Value::from(key.as_str()).to_json())?;
        }
        if self.call != Call::Read {
            write!(f, " value {}", self.call.to_value().to_json())?;
        }
        write!(f, " → {}", self.outcome.name())?;
        if let Some(v) = &self.returned {
            write!(f, " {v}")?;
        }
        Ok(())
    }
}

/// Why a history could not be read or built: what is wrong, on which line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryError {
    /// The line (or event position) at fault, from 1.
    pub line: usize,
    /// What is wrong, one sentence.
    pub message: String,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for HistoryError {}

/// The operations of a history, in invocation order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Every operation, by invocation order (its index is its id in a checker's answer).
    pub operations: Vec<Operation>,
    /// The operation each process has invoked and not yet completed.
    open: Vec<(u64, usize)>,
    /// The position of the last event.
    last_position: usize,
}

impl History {
    /// An empty history, to record events in (positions are then the event numbers, from 1).
    pub fn new() -> History {
        History::default()
    }

    /// Records that `process` invoked `call` on `key`; returns the operation's id. An error if
    /// the process has an operation in flight.
    pub fn invoke(
        &mut self,
        process: u64,
        key: Option<&str>,
        call: Call,
    ) -> Result<usize, HistoryError> {
        let at = self.last_position + 1;
        self.invoke_at(at, process, key.map(str::to_string), call)
    }

    /// Records that `process`'s operation in flight completed with `outcome` (and, for an `ok`
    /// read, what it `returned`); returns the operation's id. An error if the process has no
    /// operation in flight.
    pub fn complete(
        &mut self,
        process: u64,
        outcome: Outcome,
        returned: Option<Scalar>,
    ) -> Result<usize, HistoryError> {
        let at = self.last_position + 1;
        self.complete_at(at, process, outcome, returned)
    }

    fn invoke_at(
        &mut self,
        at: usize,
        process: u64,
        key: Option<String>,
        call: Call,
    ) -> Result<usize, HistoryError> {
        self.last_position = at;
        if let Some(&(_, id)) = self.open.iter().find(|(p, _)| *p == process) {
            return Err(HistoryError {
                line: at,
                message: format!(
                    "process {process} invokes again before its operation invoked on line {} completed",
                    self.operations[id].invoked_at
                ),
            });
        }
        let id = self.operations.len();
        self.operations.push(Operation {
            process,
            key,
            call,
            outcome: Outcome::Info,
            returned: None,
            invoked_at: at,
            completed_at: None,
        });
        self.open.push((process, id));
        Ok(id)
    }

    fn complete_at(
        &mut self,
        at: usize,
        process: u64,
        outcome: Outcome,
        returned: Option<Scalar>,
    ) -> Result<usize, HistoryError> {
        self.last_position = at;
        let Some(slot) = self.open.iter().position(|(p, _)| *p == process) else {
            return Err(HistoryError {
                line: at,
                message: format!("process {process} completes an operation it never invoked"),
            });
        };
        let (_, id) = self.open.swap_remove(slot);
        let op = &mut self.operations[id];
        op.outcome = outcome;
        op.completed_at = Some(at);
        op.returned = match (&op.call, outcome) {
            (Call::Read, Outcome::Ok) => Some(returned.unwrap_or(Scalar::Null)),
            _ => None,
        };
        Ok(id)
    }

    /// Reads a history from Jepsen-style JSON Lines (blank lines are skipped); the first
    /// malformed line is an error naming it.
    pub fn from_jsonl(text: &str) -> Result<History, HistoryError> {
        let mut history = History::new();
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let fail = |message: String| HistoryError {
                line: number,
                message,
            };
            let event = json_read::parse(line)
                .map_err(|e| fail(format!("not JSON: {} at column {}", e.problem, e.column)))?;
            history.read_event(number, &event).map_err(fail)?;
        }
        Ok(history)
    }

    /// Records one event read from line `at`.
    fn read_event(&mut self, at: usize, event: &Value) -> Result<(), String> {
        if !matches!(event, Value::Object(_)) {
            return Err("an event is a JSON object".into());
        }
        let process = match event.get("process") {
            Some(v) => v
                .as_u64()
                .ok_or_else(|| format!("\"process\" is {}, not a whole number", v.to_json()))?,
            None => return Err("the event has no \"process\"".into()),
        };
        let kind = text_member(event, "type")?;
        let f = text_member(event, "f")?;
        if !["read", "write", "cas", "append"].contains(&f) {
            return Err(format!(
                "unknown f \"{f}\" (expected read, write, cas or append)"
            ));
        }
        let key = match event.get("key") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v @ Value::Number(n)) if n.as_i64().is_some() => Some(v.to_json()),
            Some(v) => {
                return Err(format!(
                    "\"key\" is {}, not a string or an integer",
                    v.to_json()
                ));
            }
        };
        let value = event.get("value").unwrap_or(&Value::Null);
        let outcome = match kind {
            "invoke" => {
                let call = read_call(f, value)?;
                return self
                    .invoke_at(at, process, key, call)
                    .map(|_| ())
                    .map_err(|e| e.message);
            }
            "ok" => Outcome::Ok,
            "fail" => Outcome::Fail,
            "info" => Outcome::Info,
            other => {
                return Err(format!(
                    "unknown type \"{other}\" (expected invoke, ok, fail or info)"
                ));
            }
        };
        let Some(&(_, id)) = self.open.iter().find(|(p, _)| *p == process) else {
            return Err(format!(
                "process {process} completes an operation it never invoked"
            ));
        };
        let invoked = &self.operations[id];
        if invoked.call.name() != f || invoked.key != key {
            return Err(format!(
                "the completion ({f}{}) does not match process {process}'s invocation on line {} ({}{})",
                key_words(&key),
                invoked.invoked_at,
                invoked.call.name(),
                key_words(&invoked.key)
            ));
        }
        let returned = match &invoked.call {
            Call::Read if outcome == Outcome::Ok => {
                Some(Scalar::from_value(value).ok_or_else(|| {
                    format!(
                        "a read returns null, an integer or a string, not {}",
                        value.to_json()
                    )
                })?)
            }
            Call::Read => None,
            call => {
                if event.get("value").is_some() && read_call(f, value).ok().as_ref() != Some(call) {
                    return Err(format!(
                        "the completion's value {} differs from its invocation's on line {}",
                        value.to_json(),
                        invoked.invoked_at
                    ));
                }
                None
            }
        };
        self.complete_at(at, process, outcome, returned)
            .map(|_| ())
            .map_err(|e| e.message)
    }

    /// The history as Jepsen-style JSON Lines, one event a line in time order (what
    /// [`History::from_jsonl`] reads back).
    pub fn to_jsonl(&self) -> String {
        let mut events: Vec<(usize, Value)> = Vec::with_capacity(2 * self.operations.len());
        for op in &self.operations {
            let event = |kind: &str, value: Value| {
                let mut e = object([
                    ("process", Value::from(op.process)),
                    ("type", Value::from(kind)),
                    ("f", Value::from(op.call.name())),
                ]);
                if let Some(key) = &op.key {
                    e.insert("key", Value::from(key.as_str()));
                }
                e.insert("value", value);
                e
            };
            events.push((op.invoked_at, event("invoke", op.call.to_value())));
            if let Some(at) = op.completed_at {
                let value = match &op.returned {
                    Some(v) => v.to_value(),
                    None => op.call.to_value(),
                };
                events.push((at, event(op.outcome.name(), value)));
            }
        }
        events.sort_by_key(|(at, _)| *at);
        let mut out = String::new();
        for (_, e) in events {
            out.push_str(&e.to_json());
            out.push('\n');
        }
        out
    }
}

/// ` key "x"` for a key, nothing without one.
fn key_words(key: &Option<String>) -> String {
    key.as_ref()
        .map(|k| format!(" key {}", Value::from(k.as_str()).to_json()))
        .unwrap_or_default()
}

/// The string member `name` of an event, which must be there.
fn text_member<'a>(event: &'a Value, name: &str) -> Result<&'a str, String> {
    match event.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(v) => Err(format!("\"{name}\" is {}, not a string", v.to_json())),
        None => Err(format!("the event has no \"{name}\"")),
    }
}

/// The call an invocation of `f` with `value` asks for.
fn read_call(f: &str, value: &Value) -> Result<Call, String> {
    let scalar = |v: &Value| {
        Scalar::from_value(v).ok_or_else(|| {
            format!(
                "a {f}'s value is null, an integer or a string, not {}",
                v.to_json()
            )
        })
    };
    match f {
        "read" => Ok(Call::Read),
        "write" => Ok(Call::Write(scalar(value)?)),
        "cas" => match value.as_array() {
            Some([expected, new]) => Ok(Call::Cas(scalar(expected)?, scalar(new)?)),
            _ => Err(format!(
                "a cas's value is [expected, new], not {}",
                value.to_json()
            )),
        },
        _ => match value {
            Value::String(s) => Ok(Call::Append(s.clone())),
            other => Err(format!(
                "an append's value is a string, not {}",
                other.to_json()
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAS: &str = r#"{"process":3,"type":"invoke","f":"cas","key":"x","value":[1,2]}
{"process":1,"type":"invoke","f":"read","key":"x","value":null}

{"process":3,"type":"ok","f":"cas","key":"x","value":[1,2]}
{"process":1,"type":"ok","f":"read","key":"x","value":2}
{"process":2,"type":"invoke","f":"append","key":"y","value":"ab"}
"#;

    #[test]
    fn jsonl_is_read_with_line_numbers_as_positions_and_written_back() {
        let h = History::from_jsonl(CAS).unwrap();
        assert_eq!(h.operations.len(), 3);
        let cas = &h.operations[0];
        assert_eq!(cas.call, Call::Cas(Scalar::Int(1), Scalar::Int(2)));
        assert_eq!((cas.invoked_at, cas.completed_at), (1, Some(4)));
        assert_eq!(h.operations[1].returned, Some(Scalar::Int(2)));
        let pending = &h.operations[2];
        assert_eq!(
            (pending.outcome, pending.completed_at),
            (Outcome::Info, None)
        );
        assert_eq!(
            pending.to_string(),
            "line 6 (never completed): process 2 append key \"y\" value \"ab\" → info"
        );
        let written = h.to_jsonl();
        assert_eq!(written, CAS.replace("\n\n", "\n"));
        // Read back, only the positions move (the blank line is gone).
        let again = History::from_jsonl(&written).unwrap();
        assert_eq!(again.to_jsonl(), written);
    }

    #[test]
    fn a_process_in_flight_cannot_invoke_and_an_idle_one_cannot_complete() {
        let mut h = History::new();
        h.invoke(1, None, Call::Read).unwrap();
        let e = h.invoke(1, None, Call::Read).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("invokes again"), "{e}");
        let e = h.complete(2, Outcome::Ok, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: process 2 completes an operation it never invoked"
        );
    }
}
