//! The sequential specifications a history is checked against: what one key's value becomes
//! under each operation, and which operations are possible in a given state.
//!
//! Every model is checked one key at a time (a history without keys is one register), as
//! Porcupine partitions a key–value history: linearizability is local, so a history is
//! linearizable exactly when each key's sub-history is.

use std::fmt;

use super::history::{Call, Operation, Outcome, Scalar};

/// Which object the clients used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// A read/write register; a read of a never-written register returns `null`.
    Register,
    /// A register with compare-and-set as well; a `fail`ed cas saw another value than the one
    /// it expected.
    CasRegister,
    /// A key–value map: each key a register with read, write and cas, plus `append` of a string
    /// to the key's string value; a get of a never-written key returns `""`.
    Kv,
}

impl Model {
    /// Every model, by its command-line name.
    pub const ALL: [Model; 3] = [Model::Register, Model::CasRegister, Model::Kv];

    /// The name `--model` takes.
    pub fn name(self) -> &'static str {
        match self {
            Model::Register => "register",
            Model::CasRegister => "cas-register",
            Model::Kv => "kv",
        }
    }

    /// The model named `name`, if any.
    pub fn from_name(name: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.name() == name)
    }

    /// What a key holds before anything is written to it.
    pub fn initial(self) -> Scalar {
        match self {
            Model::Kv => Scalar::Str(String::new()),
            _ => Scalar::Null,
        }
    }

    /// Whether the model has the operation `call` at all.
    pub fn supports(self, call: &Call) -> bool {
        match call {
            Call::Read | Call::Write(_) => true,
            Call::Cas(..) => self != Model::Register,
            Call::Append(_) => self == Model::Kv,
        }
    }

    /// The state after `op` takes effect in `state`, or `None` if it cannot happen there (a
    /// read returning another value, a cas expecting another one, a failed cas that would have
    /// succeeded, an append to a value that is not a string). An `info` cas is only ever
    /// linearized where it succeeds: where it would fail it has no effect, the same as never.
    pub fn step(self, state: &Scalar, op: &Operation) -> Option<Scalar> {
        match (&op.call, op.outcome) {
            (Call::Read, _) => (op.returned.as_ref() == Some(state)).then(|| state.clone()),
            (Call::Write(v), _) => Some(v.clone()),
            (Call::Cas(expected, _), Outcome::Fail) => (expected != state).then(|| state.clone()),
            (Call::Cas(expected, new), _) => (expected == state).then(|| new.clone()),
            (Call::Append(s), _) => match state {
                Scalar::Str(current) => Some(Scalar::Str(format!("{current}{s}"))),
                _ => None,
            },
        }
    }

    /// Whether `op` must be linearized, may be, or plays no part: a failed read, write or
    /// append, and a read of unknown outcome, neither change nor observe anything.
    pub fn role(op: &Operation) -> Role {
        match (&op.call, op.outcome) {
            (Call::Cas(..), Outcome::Fail) | (_, Outcome::Ok) => Role::Required,
            (Call::Read, _) | (_, Outcome::Fail) => Role::Irrelevant,
            (_, Outcome::Info) => Role::Optional,
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The part an operation plays in a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// It took effect (or observed the state): it must be placed between its invocation and
    /// its completion.
    Required,
    /// Its outcome is unknown: it may be placed anywhere after its invocation, or nowhere.
    Optional,
    /// It has neither effect nor observation.
    Irrelevant,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(call: Call, outcome: Outcome, returned: Option<Scalar>) -> Operation {
        Operation {
            process: 0,
            key: None,
            call,
            outcome,
            returned,
            invoked_at: 1,
            completed_at: Some(2),
        }
    }

    #[test]
    fn a_failed_cas_needs_another_value_than_it_expected() {
        let cas = op(
            Call::Cas(Scalar::Int(1), Scalar::Int(2)),
            Outcome::Fail,
            None,
        );
        let m = Model::CasRegister;
        assert_eq!(m.step(&Scalar::Int(1), &cas), None);
        assert_eq!(m.step(&Scalar::Int(3), &cas), Some(Scalar::Int(3)));
        let ok = op(Call::Cas(Scalar::Int(1), Scalar::Int(2)), Outcome::Ok, None);
        assert_eq!(m.step(&Scalar::Int(1), &ok), Some(Scalar::Int(2)));
        assert_eq!(m.step(&Scalar::Null, &ok), None);
    }

    #[test]
    fn kv_keys_start_empty_and_append_extends_strings_only() {
        let append = op(Call::Append("ab".into()), Outcome::Ok, None);
        let start = Model::Kv.initial();
        assert_eq!(start, Scalar::Str(String::new()));
        let after = Model::Kv.step(&start, &append).unwrap();
        assert_eq!(after, Scalar::Str("ab".into()));
        assert_eq!(Model::Kv.step(&Scalar::Int(3), &append), None);
        assert_eq!(Model::Register.initial(), Scalar::Null);
        assert!(!Model::Register.supports(&Call::Cas(Scalar::Null, Scalar::Null)));
        assert!(!Model::CasRegister.supports(&Call::Append(String::new())));
    }

    #[test]
    fn roles_follow_outcomes() {
        let read = |o| op(Call::Read, o, None);
        assert_eq!(Model::role(&read(Outcome::Ok)), Role::Required);
        assert_eq!(Model::role(&read(Outcome::Info)), Role::Irrelevant);
        let write = |o| op(Call::Write(Scalar::Int(1)), o, None);
        assert_eq!(Model::role(&write(Outcome::Fail)), Role::Irrelevant);
        assert_eq!(Model::role(&write(Outcome::Info)), Role::Optional);
        let cas = op(Call::Cas(Scalar::Null, Scalar::Int(1)), Outcome::Fail, None);
        assert_eq!(Model::role(&cas), Role::Required);
    }
}
