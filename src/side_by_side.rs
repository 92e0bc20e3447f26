//! Side by side: the same run under two settings of one parameter, on one clock.
//!
//! The page keeps a second run (the *twin*) of the same scenario with one parameter changed —
//! load balancing's `policy=p2c` next to `round-robin` — and moves it with the visitor's
//! clock: it plays, pauses and scrubs with the first, and the visitor's actions (a crash, a
//! partition) happen in both at the same virtual moment. A link carries it as `vs=KEY:VALUE`.
//! This module holds what that needs without the web: reading `vs`, the twin's scenario, which
//! actions it mirrors, and the figures the page sets next to each other.

use crate::scenario::Scenario;
use crate::sim::action::{Action, ActionKind};
use crate::sim::decimal::fixed;
use crate::sim::lab::Lab;
use crate::sim::metrics::SeriesKind;
use crate::sim::node::ProtocolInfo;
use crate::sim::time::{Micros, SEC, format_time};

/// The window the figures are measured over, ending at the moment on screen.
pub const WINDOW: Micros = 5 * SEC;

/// The parameter and value a twin run differs by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versus {
    /// The parameter, as declared.
    pub key: &'static str,
    /// Its value in the twin, as stored.
    pub value: u64,
}

impl Versus {
    /// Reads `KEY:VALUE` (the link's `vs`), the value as links write it (`p2c`, `150`); the
    /// error says what is wrong and what is accepted.
    pub fn parse(text: &str, info: &ProtocolInfo) -> Result<Versus, String> {
        let Some((key, value)) = text.split_once(':') else {
            return Err(format!(
                "vs={text} is not KEY:VALUE (e.g. vs=policy:p2c); showing one run"
            ));
        };
        let spec = info.param_spec(key).ok_or_else(|| {
            let keys: Vec<&str> = info.params.iter().map(|p| p.key).collect();
            format!(
                "vs={text}: {} has no parameter '{key}' (parameters: {}); showing one run",
                info.title,
                keys.join(", ")
            )
        })?;
        let value = spec
            .parse(value)
            .map_err(|why| format!("vs={text}: {why}; showing one run"))?;
        Ok(Versus {
            key: spec.key,
            value,
        })
    }

    /// How a link writes it: `policy:p2c`.
    pub fn to_link(&self, info: &ProtocolInfo) -> String {
        format!("{}:{}", self.key, written(info, self.key, self.value))
    }

    /// Whether the twin takes `kind` too: every action but a message dropped by its number
    /// (the twin's messages are numbered otherwise) and a change of the compared parameter.
    pub fn mirrors(&self, kind: &ActionKind) -> bool {
        match kind {
            ActionKind::DropMessage { .. } => false,
            ActionKind::SetParam {
                node: None, key, ..
            } => key != self.key,
            _ => true,
        }
    }

    /// The twin of `scenario` (its actions included): the same run with the compared parameter
    /// changed, and the actions it mirrors placed by time alone (the twin's event counts differ
    /// from the first run's).
    pub fn twin_of(&self, scenario: &Scenario) -> Scenario {
        let mut twin = scenario.clone();
        twin.params.insert(self.key.to_string(), self.value);
        twin.actions = (scenario.actions.iter())
            .filter(|a| self.mirrors(&a.kind))
            .map(|a| Action {
                at_event: 0,
                ..a.clone()
            })
            .collect();
        twin
    }
}

/// `value` of parameter `key` as a link writes it (`p2c`, `150`).
fn written(info: &ProtocolInfo, key: &str, value: u64) -> String {
    info.param_spec(key)
        .map_or(value.to_string(), |s| s.format(value))
}

/// The value of `key` in `lab`'s run now, as a link writes it (`round-robin`).
pub fn value_now(lab: &dyn Lab, key: &str) -> String {
    let v = lab.setup().param_or(key, 0);
    written(lab.info(), key, v)
}

/// What the page sets next to each other for one run, over the [`WINDOW`] ending now: each
/// latency series' p50, p95 and p99, and each counter's rate per second, as (label, value).
pub fn figures(lab: &dyn Lab) -> Vec<(String, String)> {
    let m = lab.metrics();
    let t1 = lab.now();
    let t0 = t1.saturating_sub(WINDOW);
    let secs = (t1 - t0) as f64 / SEC as f64;
    let mut out = Vec::new();
    // Latencies first, then rates.
    for (i, series) in m.series.iter().enumerate() {
        if series.kind != SeriesKind::Latency {
            continue;
        }
        let p = m.percentiles(i, t0 + 1, t1);
        let pick = [
            ("p50", p.map(|p| p.p50)),
            ("p95", p.map(|p| p.p95)),
            ("p99", p.map(|p| p.p99)),
        ];
        for (name, value) in pick {
            out.push((
                format!("{}, {name}", series.title),
                value.map_or("–".into(), |v| format_time(v.max(0) as Micros)),
            ));
        }
    }
    for (i, series) in m.series.iter().enumerate() {
        if series.kind == SeriesKind::Counter {
            let total = m.sum(i, t0 + 1, t1);
            let rate = if secs > 0.0 { total as f64 / secs } else { 0.0 };
            out.push((format!("{}, per second", series.title), fixed(rate, 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols;

    fn lb() -> ProtocolInfo {
        protocols::info("loadbalance").expect("registered")
    }

    #[test]
    fn vs_reads_a_parameter_and_a_value_as_links_write_them() {
        let info = lb();
        let v = Versus::parse("policy:p2c", &info).unwrap();
        assert_eq!((v.key, v.value), ("policy", 4));
        assert_eq!(v.to_link(&info), "policy:p2c");
        assert_eq!(
            Versus::parse("staleness:150", &info).unwrap().value,
            150_000
        );
        for (bad, says) in [
            ("policy", "is not KEY:VALUE"),
            ("speed:3", "has no parameter 'speed' (parameters: policy, "),
            ("policy:fastest", "round-robin, weighted"),
        ] {
            let e = Versus::parse(bad, &info).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn the_twin_mirrors_faults_but_not_its_own_parameter_or_dropped_messages() {
        let info = lb();
        let v = Versus::parse("policy:p2c", &info).unwrap();
        let (mut s, problems) =
            Scenario::from_query("protocol=loadbalance&seed=3&policy=round-robin");
        assert!(problems.is_empty());
        let act = |at_event, t, kind| Action { at_event, t, kind };
        s.actions = vec![
            act(10, 1_000, ActionKind::Crash { node: 3 }),
            act(11, 1_000, ActionKind::DropMessage { id: 7 }),
            act(
                12,
                2_000,
                ActionKind::SetParam {
                    node: None,
                    key: "policy".into(),
                    value: 3,
                },
            ),
            act(
                13,
                2_000,
                ActionKind::SetParam {
                    node: Some(2),
                    key: "speed".into(),
                    value: 25,
                },
            ),
        ];
        let twin = v.twin_of(&s);
        assert_eq!(twin.params["policy"], 4);
        assert_eq!(twin.seed, s.seed);
        let kept: Vec<(u64, Micros)> = twin.actions.iter().map(|a| (a.at_event, a.t)).collect();
        assert_eq!(
            kept,
            vec![(0, 1_000), (0, 2_000)],
            "the crash and the speed change"
        );
        assert!(matches!(
            twin.actions[0].kind,
            ActionKind::Crash { node: 3 }
        ));
    }

    #[test]
    fn the_figures_are_each_latencys_percentiles_and_each_counters_rate_over_the_window() {
        let (s, _) = Scenario::from_query("protocol=loadbalance&seed=3");
        let mut lab = protocols::create(&s).unwrap();
        lab.advance_to(8 * SEC);
        let f = figures(lab.as_ref());
        let labels: Vec<&str> = f.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels[0], "Client-observed latency, p50");
        assert!(
            labels.contains(&"Requests answered, per second"),
            "{labels:?}"
        );
        // 4 clients at 50 requests per second: about 200 answered per second.
        let answered: f64 = f
            .iter()
            .find(|(l, _)| l == "Requests answered, per second")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap();
        assert!((170.0..230.0).contains(&answered), "{answered}");
    }
}
