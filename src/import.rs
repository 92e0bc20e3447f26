//! Replaying what someone else wrote: an exported trace read back, or a run opened at a moment
//! a link names.
//!
//! A trace file's first line carries the scenario link; the run is replayed from it and every
//! line of the file must match the replay. A file that is malformed, from another version, or
//! edited by hand is refused with a sentence naming the problem and the line.
//!
//! Nothing here does work in proportion to a number read from the input: times are bounded by
//! [`MAX_AT`], the replay follows the file line by line, and no replay simulates more than
//! [`MAX_REPLAY_EVENTS`] events.

use crate::protocols;
use crate::scenario::{MAX_AT, MAX_AT_WORDS, Scenario};
use crate::sim::json_read;
use crate::sim::lab::Lab;
use crate::sim::time::{Micros, format_time};

pub use crate::export::TRACE_VERSION;

/// Most events a replay of someone else's input (a trace file, a link's `at`, an embed's
/// `seek`) simulates in one go. It covers the runs a visitor can make: the page's memory (4 GB
/// for WebAssembly, about 570 bytes per event of a busy run) fills up at some 7 million events,
/// and 5 million is already 25 nodes under 200 requests/s for about 8 virtual minutes, or 5 idle
/// Raft nodes for 7.7 hours. It also bounds how long opening a link keeps the page busy.
pub const MAX_REPLAY_EVENTS: u64 = 5_000_000;

/// Runs `lab` forward to `t` like [`Lab::advance_to`], but stops after [`MAX_REPLAY_EVENTS`]
/// events. Returns false if it stopped early (the lab is then at the last event it processed).
pub fn advance_bounded(lab: &mut dyn Lab, t: Micros) -> bool {
    advance_within(lab, t, MAX_REPLAY_EVENTS)
}

/// [`advance_bounded`] with a budget of `max_events` events.
pub fn advance_within(lab: &mut dyn Lab, t: Micros, max_events: u64) -> bool {
    let budget_end = lab.events().saturating_add(max_events);
    while lab.next_event_time().is_some_and(|next| next <= t) {
        if lab.events() >= budget_end {
            return false;
        }
        lab.step();
    }
    // No event is left before `t`: this only applies recorded actions due by then.
    lab.advance_to(t);
    true
}

/// The sentence for a run cut short by [`advance_bounded`].
pub fn budget_sentence(stopped_at: Micros) -> String {
    format!(
        "Simulating that far takes more than {} million events, more than QuorumScope replays in one go; stopped at {}",
        MAX_REPLAY_EVENTS / 1_000_000,
        format_time(stopped_at)
    )
}

/// Replays a JSON Lines trace, returning the run positioned at the file's last line.
pub fn import_trace(text: &str) -> Result<Box<dyn Lab>, String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err("The file is empty.".into());
    }
    let mut last_t: Micros = 0;
    let mut header = json_read::Value::Null;
    for (i, line) in lines.iter().enumerate() {
        // One line at a time: where a line's problem is, its column says.
        let value = json_read::parse(line).map_err(|e| {
            format!(
                "Line {} is not valid JSON ({} at column {}).",
                i + 1,
                e.problem,
                e.column
            )
        })?;
        let t = value.get("t").and_then(|t| t.as_u64());
        let Some(t) = t else {
            return Err(format!("Line {} has no time field \"t\".", i + 1));
        };
        if t < last_t {
            return Err(format!(
                "Line {} goes back in time ({t} µs after {last_t} µs).",
                i + 1
            ));
        }
        if t > MAX_AT {
            return Err(format!(
                "Line {} is at {t} µs, later than {MAX_AT_WORDS} of virtual time, the longest run QuorumScope replays.",
                i + 1
            ));
        }
        last_t = t;
        if i == 0 {
            header = value;
        }
    }
    if header.get("format").and_then(|f| f.as_str()) != Some("quorumscope-trace") {
        return Err(
            "This is not a QuorumScope trace: its first line is not the scenario header.".into(),
        );
    }
    match header.get("version").and_then(|v| v.as_u64()) {
        Some(TRACE_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "The trace is format version {v}; this QuorumScope reads version {TRACE_VERSION}."
            ));
        }
        None => return Err("The trace header has no version.".into()),
    }
    let link = header
        .get("link")
        .and_then(|l| l.as_str())
        .ok_or("The trace header has no scenario link.")?;
    let scenario =
        Scenario::parse_link(link).map_err(|e| format!("The trace's scenario is damaged: {e}"))?;
    let at = match header.get("at") {
        None => last_t,
        Some(a) => match a.as_u64() {
            Some(at) if at <= MAX_AT => at,
            Some(at) => {
                return Err(format!(
                    "The trace header says it was exported at {at} µs, later than {MAX_AT_WORDS} of virtual time, the longest run QuorumScope replays."
                ));
            }
            None => {
                return Err(format!(
                    "The trace header's export time \"at\" is {}, not a time in microseconds.",
                    abbreviate(&a.to_json())
                ));
            }
        },
    };
    if at < last_t {
        return Err(format!(
            "The trace header says it was exported at {}, before its last line ({}).",
            format_time(at),
            format_time(last_t)
        ));
    }
    let mut lab = protocols::create(&scenario)?;
    // Replay event by event until the run has as many lines as the file, so the work follows
    // the file's length (and a file exported between two events at one instant matches).
    while lab.trace_len() + 1 < lines.len() && lab.next_event_time().is_some_and(|t| t <= last_t) {
        if lab.events() >= MAX_REPLAY_EVENTS {
            return Err(format!("{}.", budget_sentence(lab.now())));
        }
        lab.step();
    }
    if lab.trace_len() + 1 < lines.len() {
        // Lines left but no event before the last line's time: actions due by then.
        lab.advance_to(last_t);
    }
    if at > last_t {
        // Exported between events: the run may have events in (last_t, at] (a timer that
        // writes no line), but no line. Step only until one appears: a far `at` must not
        // make the replay simulate hours to find out that the file ends early.
        let before = lab.trace_len();
        while lab.trace_len() == before && lab.next_event_time().is_some_and(|t| t <= at) {
            if lab.events() >= MAX_REPLAY_EVENTS {
                return Err(format!("{}.", budget_sentence(lab.now())));
            }
            lab.step();
        }
        if lab.trace_len() == before {
            lab.advance_to(at);
        } else if lab.trace_len() + 1 > lines.len() {
            return Err(format!(
                "The file was cut short: its header says it was exported at {}, but its last line is at {} and the run it records has events in between.",
                format_time(at),
                format_time(last_t)
            ));
        }
        // Lines missing from the replay: the comparison below names the first.
    }
    // The file's lines after its header against the replay's trace lines.
    let (replay, _) = lab.trace_records_jsonl(0, usize::MAX);
    let mut replayed = replay.lines();
    for (i, line) in lines.iter().enumerate().skip(1) {
        match replayed.next() {
            Some(expected) if expected == *line => {}
            Some(expected) => {
                return Err(format!(
                    "Line {} does not match the replay of the recorded scenario: the file was edited, or written by another version. Expected {}, found {}.",
                    i + 1,
                    abbreviate(expected),
                    abbreviate(line)
                ));
            }
            None => {
                return Err(format!(
                    "Line {} has no counterpart in the replay: the file was edited, or written by another version.",
                    i + 1
                ));
            }
        }
    }
    if lab.trace_len() + 1 > lines.len() {
        return Err(format!(
            "The file was cut short: by {} the run it records has more events than the file's {} lines.",
            format_time(lab.now()),
            lines.len()
        ));
    }
    Ok(lab)
}

fn abbreviate(line: &str) -> String {
    if line.chars().count() <= 120 {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(120).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::TraceExport;
    use crate::sim::{ActionKind, SEC};

    fn exported() -> String {
        let (s, _) = Scenario::from_query("protocol=raft&nodes=3&seed=5&load=5");
        let mut lab = protocols::create(&s).unwrap();
        lab.advance_to(SEC);
        lab.act(ActionKind::Crash { node: 1 }).unwrap();
        lab.advance_to(2 * SEC);
        lab.step();
        lab.trace_jsonl()
    }

    #[test]
    fn an_export_imports_back_to_the_same_run() {
        let text = exported();
        let lab = import_trace(&text).unwrap();
        assert_eq!(lab.trace_jsonl(), text);
        assert_eq!(lab.actions().len(), 1);
    }

    #[test]
    fn an_export_between_events_imports_at_its_moment() {
        let (s, _) = Scenario::from_query("protocol=raft&nodes=3&seed=5");
        let mut lab = protocols::create(&s).unwrap();
        lab.advance_to(1_234_567);
        let text = lab.trace_jsonl();
        let back = import_trace(&text).unwrap();
        assert_eq!(back.now(), 1_234_567);
        assert_eq!(back.trace_jsonl(), text);
        let cut: Vec<&str> = text.lines().collect();
        let cut = cut[..cut.len() - 5].join("\n");
        assert!(
            err(&cut).starts_with("The file was cut short"),
            "{}",
            err(&cut)
        );
    }

    fn err(text: &str) -> String {
        import_trace(text).err().expect("import must fail")
    }

    #[test]
    fn problems_are_named() {
        let text = exported();
        assert_eq!(err(""), "The file is empty.");
        assert_eq!(
            err("{not json"),
            "Line 1 is not valid JSON (expected a quoted key at column 2)."
        );
        let cut_line = format!("{}\n{{\"t\":5,\"kind\":", text.lines().next().unwrap());
        assert_eq!(
            err(&cut_line),
            "Line 2 is not valid JSON (the text ends too early at column 15)."
        );
        assert!(err(r#"{"t":0,"kind":"send"}"#).contains("not a QuorumScope trace"));
        let v2 = text.replacen(r#""version":1"#, r#""version":2"#, 1);
        assert!(err(&v2).contains("version 2"));
        let mut lines: Vec<&str> = text.lines().collect();
        let tampered =
            lines[40]
                .replacen(r#""to":2"#, r#""to":3"#, 1)
                .replacen(r#""to":1"#, r#""to":2"#, 1);
        assert_ne!(tampered, lines[40]);
        lines[40] = &tampered;
        let err = err(&lines.join("\n"));
        assert!(
            err.starts_with("Line 41 does not match the replay"),
            "{err}"
        );
    }

    #[test]
    fn a_refused_import_names_the_problem_without_offering_a_replacement() {
        let text = exported();
        let bad_seed = text.replacen("seed=5", "seed=abc", 1);
        assert_ne!(bad_seed, text);
        let e = err(&bad_seed);
        assert!(
            e.contains("seed=abc") && !e.contains("using"),
            "a refused file keeps nothing, so nothing is 'used' instead: {e}"
        );
        // Exported at 9 s, but its last line is at 2 s and the run has events in between.
        let at =
            serde_json::from_str::<serde_json::Value>(text.lines().next().unwrap()).unwrap()["at"]
                .as_u64()
                .unwrap();
        let late = text.replacen(&format!(r#""at":{at}"#), r#""at":9000000"#, 1);
        let e = err(&late);
        assert!(
            e.starts_with("The file was cut short: its header says it was exported at 9.000 s"),
            "{e}"
        );
        assert!(!e.contains("µs"), "times in words people read: {e}");
    }

    #[test]
    fn an_absurd_export_time_is_refused_with_a_reason() {
        let text = exported();
        let at =
            serde_json::from_str::<serde_json::Value>(text.lines().next().unwrap()).unwrap()["at"]
                .as_u64()
                .unwrap();
        for huge in ["999999999999", "18446744073709551615"] {
            let edited = text.replacen(&format!(r#""at":{at}"#), &format!(r#""at":{huge}"#), 1);
            assert_ne!(edited, text);
            let e = err(&edited);
            assert!(e.contains(huge) && e.contains("24 hours"), "{e}");
        }
        for wrong in ["-5", "1e300", "\"soon\"", "null"] {
            let edited = text.replacen(&format!(r#""at":{at}"#), &format!(r#""at":{wrong}"#), 1);
            let e = err(&edited);
            assert!(e.contains("not a time in microseconds"), "{wrong}: {e}");
        }
    }

    #[test]
    fn a_later_export_time_is_refused_without_simulating_up_to_it() {
        // Within the bound but far past the last line: the replay must not simulate hours of
        // heartbeats to find out that the file ends early.
        let text = exported();
        let first = text.lines().next().unwrap();
        let header: serde_json::Value = serde_json::from_str(first).unwrap();
        let at = header["at"].as_u64().unwrap();
        let edited = text.replacen(
            &format!(r#""at":{at}"#),
            &format!(r#""at":{}"#, crate::scenario::MAX_AT),
            1,
        );
        let e = err(&edited);
        assert!(e.starts_with("The file was cut short"), "{e}");
    }

    #[test]
    fn a_line_beyond_the_longest_run_is_refused() {
        let text = exported();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let last = lines.len() - 1;
        let mut line: serde_json::Value = serde_json::from_str(&lines[last]).unwrap();
        line["t"] = 99_999_999_999_999u64.into();
        lines[last] = line.to_string();
        let e = err(&lines.join("\n"));
        assert!(
            e.starts_with(&format!("Line {} is at 99999999999999", last + 1)),
            "{e}"
        );
    }

    #[test]
    fn a_bounded_advance_is_advance_to_within_its_budget() {
        let (s, _) = Scenario::from_query("protocol=raft&nodes=3&seed=5&a=0.1c.c1~0.2c.r1");
        let mut lab = protocols::create(&s).unwrap();
        assert!(advance_bounded(lab.as_mut(), 2 * SEC));
        assert_eq!(lab.now(), 2 * SEC);
        let mut plain = protocols::create(&s).unwrap();
        plain.advance_to(2 * SEC);
        assert_eq!(
            lab.trace_jsonl(),
            plain.trace_jsonl(),
            "the same run as advance_to"
        );

        let mut far = protocols::create(&s).unwrap();
        assert!(!advance_within(far.as_mut(), crate::scenario::MAX_AT, 500));
        assert_eq!(far.events(), 500, "stops when the budget is spent");
        assert!(far.now() < 60 * SEC, "{}", far.now());
    }
}
