//! Reading an exported trace back: the file's first line carries the scenario link, the run is
//! replayed from it, and every line of the file must match the replay. A file that is
//! malformed, from another version, or edited by hand is refused with a sentence naming the
//! problem and the line.

use crate::protocols;
use crate::scenario::Scenario;
use crate::sim::lab::Lab;
use crate::sim::time::Micros;

/// The trace format version this build writes and reads.
pub const TRACE_VERSION: u64 = 1;

/// Replays a JSON Lines trace, returning the run positioned at the file's last line.
pub fn import_trace(text: &str) -> Result<Box<dyn Lab>, String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(first) = lines.first() else {
        return Err("The file is empty.".into());
    };
    let mut last_t: Micros = 0;
    for (i, line) in lines.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("Line {} is not valid JSON ({e}).", i + 1))?;
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
        last_t = t;
    }
    let header: serde_json::Value = serde_json::from_str(first).expect("checked above");
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
    let at = header.get("at").and_then(|a| a.as_u64()).unwrap_or(last_t);
    if at < last_t {
        return Err(format!(
            "The trace header says it was exported at {at} µs, before its last line ({last_t} µs)."
        ));
    }
    let mut lab = protocols::create(&scenario)?;
    // Replay to just before the last line's time, then event by event, so a file exported
    // between two events at the same instant is matched exactly.
    lab.advance_to(last_t.saturating_sub(1));
    while lab.trace_len() + 1 < lines.len() && lab.next_event_time().is_some_and(|t| t <= last_t) {
        lab.step();
    }
    if lab.trace_len() + 1 < lines.len() {
        lab.advance_to(last_t);
    }
    if at > last_t {
        // Exported between events: nothing happened in (last_t, at], so this adds no line.
        lab.advance_to(at);
    }
    let replay = lab.trace_jsonl();
    let mut replayed = replay.lines().skip(1);
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
            "The file ends early: the recorded scenario has more events by {} µs than the file's {} lines.",
            lab.now(),
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
            err(&cut).starts_with("The file ends early"),
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
        assert!(err("{not json").starts_with("Line 1 is not valid JSON"));
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
}
