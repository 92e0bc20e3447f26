//! The linearizability checker as its users rely on it: it agrees with trying every order on
//! thousands of small random histories of each model (with `info` operations and fails), finds
//! the expected witness in hand-written histories, checks a 10,000-operation history in bounded
//! time and memory (the time is printed), and names the line of anything malformed.

use std::time::Instant;

use quorumscope::consistency::linearizable::unexplained;
use quorumscope::consistency::model::Role;
use quorumscope::consistency::{
    Call, Growing, History, KeyOrder, Model, Outcome, Scalar, Verdict, check,
};
use quorumscope::sim::rng::Rng;

// ---------------------------------------------------------------------------------------------
// The brute-force reference: every subset of the `info` operations, every order of what is in.

/// Whether the operations `ids` (one key's) can be ordered: tries every order of every choice
/// of the optional operations, respecting real time and the model.
fn brute_force(history: &History, model: Model, ids: &[usize]) -> bool {
    let ops: Vec<usize> = ids
        .iter()
        .copied()
        .filter(|&id| Model::role(&history.operations[id]) != Role::Irrelevant)
        .collect();
    let optional: Vec<usize> = ops
        .iter()
        .copied()
        .filter(|&id| Model::role(&history.operations[id]) == Role::Optional)
        .collect();
    (0..1u32 << optional.len()).any(|mask| {
        let chosen: Vec<usize> = ops
            .iter()
            .copied()
            .filter(|id| match optional.iter().position(|o| o == id) {
                Some(bit) => mask & (1 << bit) != 0,
                None => true,
            })
            .collect();
        some_order(history, model, &mut Vec::new(), &chosen)
    })
}

/// Whether `rest` can follow `prefix` in some order (every permutation, pruned by nothing).
fn some_order(history: &History, model: Model, prefix: &mut Vec<usize>, rest: &[usize]) -> bool {
    if rest.is_empty() {
        return is_valid_order(history, model, prefix);
    }
    (0..rest.len()).any(|i| {
        let mut others = rest.to_vec();
        let next = others.remove(i);
        prefix.push(next);
        let found = some_order(history, model, prefix, &others);
        prefix.pop();
        found
    })
}

/// Whether `order` respects real time (an operation completed before another was invoked comes
/// first; an optional one never completes) and the model explains every result along it.
fn is_valid_order(history: &History, model: Model, order: &[usize]) -> bool {
    let op = |id: usize| &history.operations[id];
    let completes = |id: usize| match Model::role(op(id)) {
        Role::Required => op(id).completed_at.unwrap_or(usize::MAX),
        _ => usize::MAX,
    };
    for (i, &a) in order.iter().enumerate() {
        if order[..i]
            .iter()
            .any(|&earlier| completes(a) < op(earlier).invoked_at)
        {
            return false;
        }
    }
    let mut state = model.initial();
    for &id in order {
        match model.step(&state, op(id)) {
            Some(next) => state = next,
            None => return false,
        }
    }
    true
}

/// The relevant operations of each key of `history`.
fn keys(history: &History) -> Vec<Vec<usize>> {
    let mut by_key: std::collections::BTreeMap<Option<String>, Vec<usize>> = Default::default();
    for (id, op) in history.operations.iter().enumerate() {
        if Model::role(op) != Role::Irrelevant {
            by_key.entry(op.key.clone()).or_default().push(id);
        }
    }
    by_key.into_values().collect()
}

/// The operation (an id of `history`) no order of the operations `ids` gets past, if they
/// cannot be ordered.
fn fails_at(history: &History, model: Model, ids: &[usize]) -> Option<usize> {
    let mut sub = history.clone();
    sub.operations = ids
        .iter()
        .map(|&id| history.operations[id].clone())
        .collect();
    match check(&sub, model).unwrap() {
        Verdict::NotLinearizable { culprit, .. } => Some(ids[culprit]),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Random histories: clients run against a true register (so most are linearizable), each
// operation taking effect at a random moment of its interval, or never for some `info`s; then,
// now and then, a read's result is changed.

/// Whether an operation in flight took effect yet, and if so its result: what a read returned,
/// or `Err` for a cas (or append) that found another value.
type Effect = Option<Result<Option<Scalar>, ()>>;

fn random_value(rng: &mut Rng, model: Model) -> Scalar {
    match model {
        Model::Kv => Scalar::Str(["", "a", "b", "ab"][rng.range(0, 3) as usize].to_string()),
        _ => match rng.range(0, 3) {
            0 => Scalar::Null,
            n => Scalar::Int(n as i64),
        },
    }
}

fn random_call(rng: &mut Rng, model: Model) -> Call {
    let kinds = match model {
        Model::Register => 2,
        Model::CasRegister => 3,
        Model::Kv => 4,
    };
    match rng.range(0, kinds - 1) {
        0 => Call::Read,
        1 => Call::Write(random_value(rng, model)),
        2 => Call::Cas(random_value(rng, model), random_value(rng, model)),
        _ => Call::Append(["a", "b"][rng.range(0, 1) as usize].to_string()),
    }
}

/// An operation taking effect on a key holding `state`: what a read returns, or `Err` for a
/// cas that finds another value or an append to a value that is no string.
fn take_effect(state: &mut Scalar, call: &Call) -> Result<Option<Scalar>, ()> {
    match call {
        Call::Read => Ok(Some(state.clone())),
        Call::Write(v) => {
            *state = v.clone();
            Ok(None)
        }
        Call::Cas(expected, new) if expected == state => {
            *state = new.clone();
            Ok(None)
        }
        Call::Cas(..) => Err(()),
        Call::Append(tail) => match state {
            Scalar::Str(s) => {
                s.push_str(tail);
                Ok(None)
            }
            _ => Err(()),
        },
    }
}

/// A history of `operations` operations by `processes` clients on `key_count` keys.
fn random_history(
    rng: &mut Rng,
    model: Model,
    processes: u64,
    operations: usize,
    key_count: u64,
) -> History {
    struct InFlight {
        process: u64,
        key: Option<String>,
        call: Call,
        applied: Effect,
    }
    let mut states: Vec<Scalar> = vec![model.initial(); key_count as usize];
    let mut history = History::new();
    let mut in_flight: Vec<InFlight> = Vec::new();
    let mut invoked = 0;
    let key_name = |k: u64| (key_count > 1).then(|| ["x", "y", "z"][k as usize].to_string());
    let apply = take_effect;
    while invoked < operations || !in_flight.is_empty() {
        let idle: Vec<u64> = (0..processes)
            .filter(|p| in_flight.iter().all(|f| f.process != *p))
            .collect();
        let choice = rng.range(0, 2);
        if choice == 0 && invoked < operations && !idle.is_empty() {
            let process = idle[rng.range(0, idle.len() as u64 - 1) as usize];
            let k = rng.range(0, key_count - 1);
            let call = random_call(rng, model);
            history
                .invoke(process, key_name(k).as_deref(), call.clone())
                .unwrap();
            in_flight.push(InFlight {
                process,
                key: key_name(k),
                call,
                applied: None,
            });
            invoked += 1;
        } else if choice == 1 && !in_flight.is_empty() {
            // Some operation in flight takes effect now.
            let i = rng.range(0, in_flight.len() as u64 - 1) as usize;
            let f = &mut in_flight[i];
            if f.applied.is_none() {
                let k = f
                    .key
                    .as_ref()
                    .map_or(0, |k| ["x", "y", "z"].iter().position(|n| n == k).unwrap());
                f.applied = Some(apply(&mut states[k], &f.call));
            }
        } else if !in_flight.is_empty() {
            let i = rng.range(0, in_flight.len() as u64 - 1) as usize;
            let mut f = in_flight.swap_remove(i);
            let k = f
                .key
                .as_ref()
                .map_or(0, |k| ["x", "y", "z"].iter().position(|n| n == k).unwrap());
            let unknown = rng.range(0, 5) == 0;
            if f.applied.is_none() && !(unknown && rng.range(0, 1) == 0) {
                f.applied = Some(apply(&mut states[k], &f.call));
            }
            let (outcome, mut returned) = match (&f.applied, unknown) {
                (_, true) => (Outcome::Info, None),
                (Some(Ok(read)), false) => (Outcome::Ok, read.clone()),
                (Some(Err(())), false) => (Outcome::Fail, None),
                (None, false) => unreachable!("applied above"),
            };
            if returned.is_some() && rng.range(0, 3) == 0 {
                returned = Some(random_value(rng, model));
            }
            history.complete(f.process, outcome, returned).unwrap();
        }
        // Now and then the history ends with operations in flight: they never complete.
        if invoked == operations && rng.range(0, 3) == 0 {
            break;
        }
    }
    history
}

#[test]
fn the_checker_agrees_with_trying_every_order_on_thousands_of_small_histories() {
    for model in Model::ALL {
        let mut rng = Rng::new(0xC0FFEE + model as u64);
        let (mut yes, mut no) = (0, 0);
        for round in 0..3000 {
            let processes = rng.range(2, 3);
            let operations = rng.range(1, 7) as usize;
            let key_count = if model == Model::Kv {
                rng.range(1, 2)
            } else {
                1
            };
            let h = random_history(&mut rng, model, processes, operations, key_count);
            let expected = keys(&h).iter().all(|ids| brute_force(&h, model, ids));
            let verdict = check(&h, model).unwrap();
            let context = || format!("{model} round {round}:\n{}{verdict:?}", h.to_jsonl());
            match &verdict {
                Verdict::Linearizable(orders) => {
                    assert!(expected, "{}", context());
                    for KeyOrder { order, .. } in orders {
                        assert!(is_valid_order(&h, model, order), "{}", context());
                    }
                    yes += 1;
                }
                Verdict::NotLinearizable {
                    witness, culprit, ..
                } => {
                    assert!(!expected, "{}", context());
                    assert!(!brute_force(&h, model, witness), "{}", context());
                    assert!(witness.contains(culprit), "{}", context());
                    // 1-minimal: without any one of its operations, the rest can be ordered,
                    // leaves a result nothing explains, or fails at another operation.
                    let allowed = unexplained(&h, model, witness);
                    for i in 0..witness.len() {
                        let mut fewer = witness.clone();
                        fewer.remove(i);
                        let explained = unexplained(&h, model, &fewer)
                            .iter()
                            .all(|id| allowed.contains(id));
                        let same_culprit = fails_at(&h, model, &fewer) == Some(*culprit);
                        assert!(
                            !explained || !same_culprit || brute_force(&h, model, &fewer),
                            "witness {witness:?} without {}: {}",
                            witness[i],
                            context()
                        );
                    }
                    no += 1;
                }
                Verdict::GaveUp { .. } => panic!("{}", context()),
            }
        }
        println!("{model}: {yes} linearizable, {no} not, all as brute force says");
        assert!(yes > 250 && no > 250, "{model}: {yes} yes, {no} no");
    }
}

// ---------------------------------------------------------------------------------------------
// A history checked as it grows, cut at quiet moments, agrees with checking it whole.

/// One event of a growing register history: an invocation or a completion.
enum Event {
    Invoke(u64, Call),
    Complete(u64, Outcome, Option<Scalar>),
}

/// A cas-register history as the key–value store's clients make one: every value written
/// once, operations taking effect at a moment between invocation and completion (or, for some
/// of unknown outcome, never), with now and then a read that returns an older value; sometimes
/// quiet moments, sometimes overlapping clients.
fn unique_value_history(rng: &mut Rng, operations: usize) -> Vec<Event> {
    struct InFlight {
        process: u64,
        call: Call,
        result: Option<Result<Option<Scalar>, ()>>,
    }
    let processes = rng.range(1, 4);
    let mut state = Scalar::Null;
    let mut written: Vec<Scalar> = vec![Scalar::Null];
    let mut next = 0;
    let mut events = Vec::new();
    let mut in_flight: Vec<InFlight> = Vec::new();
    let mut invoked = 0;
    while invoked < operations || !in_flight.is_empty() {
        let idle: Vec<u64> = (0..processes)
            .filter(|p| in_flight.iter().all(|f| f.process != *p))
            .collect();
        match rng.range(0, 2) {
            0 if invoked < operations && !idle.is_empty() => {
                let process = idle[rng.range(0, idle.len() as u64 - 1) as usize];
                next += 1;
                let call = match rng.range(0, 2) {
                    0 => Call::Read,
                    1 => Call::Write(Scalar::Int(next)),
                    _ => {
                        let expected =
                            written[rng.range(0, written.len() as u64 - 1) as usize].clone();
                        Call::Cas(expected, Scalar::Int(next))
                    }
                };
                if let Some(v) = match &call {
                    Call::Write(v) | Call::Cas(_, v) => Some(v),
                    _ => None,
                } {
                    written.push(v.clone());
                }
                events.push(Event::Invoke(process, call.clone()));
                in_flight.push(InFlight {
                    process,
                    call,
                    result: None,
                });
                invoked += 1;
            }
            1 if !in_flight.is_empty() => {
                let i = rng.range(0, in_flight.len() as u64 - 1) as usize;
                let f = &mut in_flight[i];
                if f.result.is_none() {
                    f.result = Some(take_effect(&mut state, &f.call));
                }
            }
            _ if !in_flight.is_empty() => {
                let i = rng.range(0, in_flight.len() as u64 - 1) as usize;
                let f = in_flight.swap_remove(i);
                let unknown = rng.range(0, 5) == 0;
                let (outcome, mut returned) = match (f.result, unknown) {
                    (_, true) | (None, _) => (Outcome::Info, None),
                    (Some(Ok(read)), false) => (Outcome::Ok, read),
                    (Some(Err(())), false) => (Outcome::Fail, None),
                };
                if returned.is_some() && rng.range(0, 3) == 0 {
                    returned =
                        Some(written[rng.range(0, written.len() as u64 - 1) as usize].clone());
                }
                events.push(Event::Complete(f.process, outcome, returned));
            }
            _ => {}
        }
    }
    events
}

#[test]
fn a_history_checked_as_it_grows_agrees_with_checking_it_whole() {
    let mut rng = Rng::new(0x6120_5714);
    let (mut yes, mut no, mut cut) = (0, 0, 0);
    for round in 0..3000 {
        let operations = rng.range(2, 24) as usize;
        let events = unique_value_history(&mut rng, operations);
        let mut whole = History::new();
        let mut growing = Growing::new(Model::CasRegister, None, 100_000);
        let mut linearizable = true;
        for (n, event) in events.iter().enumerate() {
            match event {
                Event::Invoke(p, call) => {
                    whole.invoke(*p, None, call.clone()).unwrap();
                    growing.invoke(*p, call.clone()).unwrap();
                }
                Event::Complete(p, outcome, returned) => {
                    whole.complete(*p, *outcome, returned.clone()).unwrap();
                    growing.complete(*p, *outcome, returned.clone()).unwrap();
                    let expected = matches!(
                        check(&whole, Model::CasRegister).unwrap(),
                        Verdict::Linearizable(_)
                    );
                    let got = growing.check().unwrap();
                    assert_eq!(
                        matches!(got, Verdict::Linearizable(_)),
                        expected,
                        "round {round}, after event {n}:\n{}{got:?}",
                        whole.to_jsonl()
                    );
                    cut += usize::from(growing.segment_len() < whole.operations.len());
                    if !expected {
                        linearizable = false;
                        break;
                    }
                }
            }
        }
        if linearizable { yes += 1 } else { no += 1 }
    }
    println!(
        "{yes} linearizable, {no} not, {cut} checks on a cut history; all as the whole check says"
    );
    assert!(
        yes > 500 && no > 300 && cut > 5_000,
        "{yes} yes, {no} no, {cut} cut"
    );
}

// ---------------------------------------------------------------------------------------------
// Hand-written histories.

/// The verdict on a JSON Lines history, and the witness's operations as "line-line" strings.
fn verdict(text: &str, model: Model) -> (bool, Vec<String>) {
    let h = History::from_jsonl(text).unwrap();
    match check(&h, model).unwrap() {
        Verdict::Linearizable(orders) => {
            for KeyOrder { order, .. } in &orders {
                assert!(is_valid_order(&h, model, order));
            }
            (true, Vec::new())
        }
        Verdict::NotLinearizable { witness, .. } => (
            false,
            witness
                .iter()
                .map(|&id| {
                    let op = &h.operations[id];
                    format!("{}-{}", op.invoked_at, op.completed_at.unwrap_or(0))
                })
                .collect(),
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn register_histories_hand_written() {
    // Two clients: a write of 1 overlaps a read of null and is followed by a read of 1.
    let concurrent = r#"{"process":1,"type":"invoke","f":"write","value":1}
{"process":2,"type":"invoke","f":"read","value":null}
{"process":2,"type":"ok","f":"read","value":null}
{"process":1,"type":"ok","f":"write","value":1}
{"process":2,"type":"invoke","f":"read","value":null}
{"process":2,"type":"ok","f":"read","value":1}
"#;
    assert_eq!(verdict(concurrent, Model::Register), (true, vec![]));
    // A stale read: 1 then 2 written one after the other, then 1 read back. All three are
    // needed: without the first write nothing explains the 1, without the second it is fresh.
    let stale = r#"{"process":1,"type":"invoke","f":"write","value":1}
{"process":1,"type":"ok","f":"write","value":1}
{"process":1,"type":"invoke","f":"write","value":2}
{"process":1,"type":"ok","f":"write","value":2}
{"process":2,"type":"invoke","f":"read","value":null}
{"process":3,"type":"invoke","f":"read","value":null}
{"process":3,"type":"ok","f":"read","value":2}
{"process":2,"type":"ok","f":"read","value":1}
"#;
    assert_eq!(
        verdict(stale, Model::Register),
        (false, vec!["1-2".into(), "3-4".into(), "5-8".into()])
    );
    // A read that goes back in time: 2 read, then 1 read by another client afterwards, while a
    // write of 1 then 2 were in flight together. The first write and the two reads suffice.
    let backwards = r#"{"process":1,"type":"invoke","f":"write","value":1}
{"process":2,"type":"invoke","f":"write","value":2}
{"process":3,"type":"invoke","f":"read","value":null}
{"process":3,"type":"ok","f":"read","value":2}
{"process":4,"type":"invoke","f":"read","value":null}
{"process":4,"type":"ok","f":"read","value":1}
{"process":1,"type":"ok","f":"write","value":1}
{"process":2,"type":"ok","f":"write","value":2}
{"process":3,"type":"invoke","f":"read","value":null}
{"process":3,"type":"ok","f":"read","value":1}
"#;
    // 2 then 1 then 1 again is an order (write 2, read 2, write 1, read 1, read 1).
    assert_eq!(verdict(backwards, Model::Register), (true, vec![]));
    let flipped = backwards.replace(
        r#"{"process":3,"type":"ok","f":"read","value":1}"#,
        r#"{"process":3,"type":"ok","f":"read","value":2}"#,
    );
    // 2, then 1, then 2 again: the register would have to hold 2 twice with one write of 2.
    assert_eq!(
        verdict(&flipped, Model::Register),
        (
            false,
            vec![
                "1-7".into(),
                "2-8".into(),
                "3-4".into(),
                "5-6".into(),
                "9-10".into()
            ]
        )
    );
    // An unknown write may take effect long after it was invoked, even after its client gave up.
    let late = r#"{"process":1,"type":"invoke","f":"write","value":1}
{"process":1,"type":"info","f":"write","value":1}
{"process":2,"type":"invoke","f":"read","value":null}
{"process":2,"type":"ok","f":"read","value":null}
{"process":2,"type":"invoke","f":"read","value":null}
{"process":2,"type":"ok","f":"read","value":1}
"#;
    assert_eq!(verdict(late, Model::Register), (true, vec![]));
    // A failed write never took effect.
    let failed = late.replace(r#""type":"info""#, r#""type":"fail""#);
    assert_eq!(
        verdict(&failed, Model::Register),
        (false, vec!["5-6".into()])
    );
}

#[test]
fn cas_register_histories_hand_written() {
    // cas 1→2 succeeded, so a failed cas expecting 2 must come before it; a read of 2 after.
    let ok = r#"{"process":1,"type":"invoke","f":"write","value":1}
{"process":1,"type":"ok","f":"write","value":1}
{"process":1,"type":"invoke","f":"cas","value":[1,2]}
{"process":2,"type":"invoke","f":"cas","value":[2,3]}
{"process":2,"type":"fail","f":"cas","value":[2,3]}
{"process":1,"type":"ok","f":"cas","value":[1,2]}
{"process":2,"type":"invoke","f":"read","value":null}
{"process":2,"type":"ok","f":"read","value":2}
"#;
    assert_eq!(verdict(ok, Model::CasRegister), (true, vec![]));
    // A cas expecting 2 fails after the register was set to 2 and before anything changed it.
    let wrong_fail = r#"{"process":1,"type":"invoke","f":"write","value":2}
{"process":1,"type":"ok","f":"write","value":2}
{"process":2,"type":"invoke","f":"cas","value":[2,3]}
{"process":2,"type":"fail","f":"cas","value":[2,3]}
{"process":1,"type":"invoke","f":"read","value":null}
{"process":1,"type":"ok","f":"read","value":2}
"#;
    assert_eq!(
        verdict(wrong_fail, Model::CasRegister),
        (false, vec!["1-2".into(), "3-4".into()])
    );
    // Two cas 0→1 both succeed: only one can have found 0.
    let twice = r#"{"process":1,"type":"invoke","f":"write","value":0}
{"process":1,"type":"ok","f":"write","value":0}
{"process":1,"type":"invoke","f":"cas","value":[0,1]}
{"process":2,"type":"invoke","f":"cas","value":[0,1]}
{"process":1,"type":"ok","f":"cas","value":[0,1]}
{"process":2,"type":"ok","f":"cas","value":[0,1]}
"#;
    assert_eq!(
        verdict(twice, Model::CasRegister),
        (false, vec!["1-2".into(), "3-5".into(), "4-6".into()])
    );
    // The same with the second cas of unknown outcome: it may simply not have happened.
    let unknown = twice.replace(
        r#"{"process":2,"type":"ok","f":"cas","value":[0,1]}"#,
        r#"{"process":2,"type":"info","f":"cas","value":[0,1]}"#,
    );
    assert_eq!(verdict(&unknown, Model::CasRegister), (true, vec![]));
}

#[test]
fn kv_histories_hand_written_are_checked_key_by_key() {
    // Appends to x in real-time order, reads see them in order; y is untouched and reads "".
    let ok = r#"{"process":1,"type":"invoke","f":"append","key":"x","value":"a"}
{"process":1,"type":"ok","f":"append","key":"x","value":"a"}
{"process":2,"type":"invoke","f":"append","key":"x","value":"b"}
{"process":1,"type":"invoke","f":"read","key":"x","value":null}
{"process":1,"type":"ok","f":"read","key":"x","value":"ab"}
{"process":2,"type":"ok","f":"append","key":"x","value":"b"}
{"process":3,"type":"invoke","f":"read","key":"y","value":null}
{"process":3,"type":"ok","f":"read","key":"y","value":""}
"#;
    assert_eq!(verdict(ok, Model::Kv), (true, vec![]));
    // On y, a write of "v" completes and then a read sees "" again: y's operations are the
    // witness, x's are not in it.
    let stale = format!(
        "{ok}{}",
        r#"{"process":3,"type":"invoke","f":"write","key":"y","value":"v"}
{"process":3,"type":"ok","f":"write","key":"y","value":"v"}
{"process":1,"type":"invoke","f":"read","key":"y","value":null}
{"process":1,"type":"ok","f":"read","key":"y","value":""}
"#
    );
    let h = History::from_jsonl(&stale).unwrap();
    let Verdict::NotLinearizable { key, .. } = check(&h, Model::Kv).unwrap() else {
        panic!("not linearizable")
    };
    assert_eq!(key.as_deref(), Some("y"));
    assert_eq!(
        verdict(&stale, Model::Kv),
        (false, vec!["9-10".into(), "11-12".into()])
    );
    // Appends seen out of order: "ba" read although a was appended before b was invoked.
    let swapped = ok.replace(r#""value":"ab"}"#, r#""value":"ba"}"#);
    assert_eq!(
        verdict(&swapped, Model::Kv),
        (false, vec!["1-2".into(), "3-6".into(), "4-5".into()])
    );
}

// ---------------------------------------------------------------------------------------------
// A long history, and malformed input.

/// `operations` operations by 5 clients on one cas register, as Jepsen's tests write them:
/// every write and cas writes a value of its own; a cas expects the value its client last read
/// (or 0), so some succeed and some fail; about 1 operation in 500 is of unknown outcome. Each
/// takes effect at a random moment inside its interval (or, for an unknown one, never).
fn long_history(operations: usize) -> History {
    let mut rng = Rng::new(10_000);
    let mut h = History::new();
    let mut state = Scalar::Int(0);
    h.invoke(0, None, Call::Write(Scalar::Int(0))).unwrap();
    h.complete(0, Outcome::Ok, None).unwrap();
    let mut fresh = 0;
    // Per process: the call in flight and whether (and with what result) it took effect.
    let mut in_flight: Vec<Option<(Call, Effect)>> = vec![None; 5];
    let mut last_read = vec![Scalar::Int(0); 5];
    let mut invoked = 1;
    while invoked < operations || in_flight.iter().any(Option::is_some) {
        let p = rng.range(0, 4) as usize;
        match &mut in_flight[p] {
            None if invoked < operations => {
                fresh += 1;
                let call = match rng.range(0, 2) {
                    0 => Call::Read,
                    1 => Call::Write(Scalar::Int(fresh)),
                    _ => Call::Cas(last_read[p].clone(), Scalar::Int(fresh)),
                };
                h.invoke(p as u64, None, call.clone()).unwrap();
                in_flight[p] = Some((call, None));
                invoked += 1;
            }
            None => {}
            Some((call, effect @ None)) if rng.range(0, 1) == 0 => {
                *effect = Some(take_effect(&mut state, call));
            }
            Some((_, None)) => {}
            Some((_, Some(effect))) => {
                let outcome = match effect {
                    _ if rng.range(0, 499) == 0 => Outcome::Info,
                    Ok(_) => Outcome::Ok,
                    Err(()) => Outcome::Fail,
                };
                let returned = effect.clone().ok().flatten();
                if let (Some(v), Outcome::Ok) = (&returned, outcome) {
                    last_read[p] = v.clone();
                }
                h.complete(p as u64, outcome, returned).unwrap();
                in_flight[p] = None;
            }
        }
    }
    h
}

#[test]
fn a_10000_operation_history_is_checked_in_bounded_time() {
    let h = long_history(10_000);
    let started = Instant::now();
    let verdict = check(&h, Model::CasRegister).unwrap();
    let Verdict::Linearizable(orders) = verdict else {
        panic!("{verdict:?}")
    };
    println!(
        "checker: 10,000-operation cas-register history, linearizable, in {:.3} s",
        started.elapsed().as_secs_f64()
    );
    assert!(is_valid_order(&h, Model::CasRegister, &orders[0].order));

    // One late read made to return the first value written, long overwritten: caught, with
    // the first write, a later one and the read as the witness.
    let text = h.to_jsonl();
    let lines: Vec<&str> = text.lines().collect();
    let (i, stale) = lines
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| {
            let read = l.contains(r#""type":"ok","f":"read""#);
            read.then(|| {
                (
                    i,
                    format!("{}0}}", &l[..l.find(r#""value":"#).unwrap() + 8]),
                )
            })
        })
        .expect("a read");
    let mut changed = lines.clone();
    changed[i] = &stale;
    let h = History::from_jsonl(&(changed.join("\n") + "\n")).unwrap();
    let started = Instant::now();
    let verdict = check(&h, Model::CasRegister).unwrap();
    let Verdict::NotLinearizable { witness, .. } = verdict else {
        panic!("{verdict:?}")
    };
    println!(
        "checker: the same with one stale read, not linearizable, witness of {} operations, in {:.3} s",
        witness.len(),
        started.elapsed().as_secs_f64()
    );
    let words: Vec<String> = witness
        .iter()
        .map(|&id| h.operations[id].to_string())
        .collect();
    assert_eq!(
        witness.len(),
        3,
        "{words:#?} changed line {}: {stale}",
        i + 1
    );
    assert_eq!(witness[0], 0, "the first write");
    assert!(
        witness
            .iter()
            .any(|&id| h.operations[id].completed_at == Some(i + 1))
    );
}

#[test]
fn malformed_input_names_its_line() {
    let good = r#"{"process":1,"type":"invoke","f":"write","value":1}"#;
    let cases = [
        ("{\"process\":1,", "not JSON"),
        (r#"[1,2]"#, "an event is a JSON object"),
        (r#"{"type":"invoke","f":"read"}"#, "no \"process\""),
        (
            r#"{"process":-1,"type":"invoke","f":"read"}"#,
            "not a whole number",
        ),
        (
            r#"{"process":1,"type":"begin","f":"read"}"#,
            "unknown type \"begin\"",
        ),
        (
            r#"{"process":1,"type":"invoke","f":"delete"}"#,
            "unknown f \"delete\"",
        ),
        (
            r#"{"process":1,"type":"invoke","f":"cas","value":[1]}"#,
            "[expected, new]",
        ),
        (
            r#"{"process":1,"type":"invoke","f":"write","value":[1]}"#,
            "null, an integer or a string",
        ),
        (
            r#"{"process":1,"type":"invoke","f":"append","value":3}"#,
            "a string, not 3",
        ),
        (
            r#"{"process":1,"type":"invoke","f":"read","key":[1]}"#,
            "\"key\"",
        ),
        (
            r#"{"process":2,"type":"ok","f":"read","value":1}"#,
            "never invoked",
        ),
        (good, "invokes again"),
        (
            r#"{"process":1,"type":"ok","f":"read","value":1}"#,
            "does not match",
        ),
        (
            r#"{"process":1,"type":"ok","f":"write","value":2}"#,
            "differs from",
        ),
    ];
    for (line, says) in cases {
        let text = format!("{good}\n\n{line}\n");
        let e = History::from_jsonl(&text).unwrap_err();
        assert_eq!(e.line, 3, "{line}: {e}");
        assert!(e.to_string().starts_with("line 3: "), "{e}");
        assert!(e.message.contains(says), "{line}: {e}");
    }
    // An operation the model does not have is named by its line too.
    let h = History::from_jsonl(&format!(
        "{good}\n{}\n",
        r#"{"process":2,"type":"invoke","f":"cas","value":[1,2]}"#
    ))
    .unwrap();
    let e = check(&h, Model::Register).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("no cas"), "{e}");
}
