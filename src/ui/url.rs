//! The page's own URL parameters and the permalink.
//!
//! The scenario's parameters are read and written by [`crate::scenario::Scenario`]; the page
//! adds the keys of [`PAGE_KEYS`] (`embed`, `at`, `debug`, `id`, `vs`, `clocks`; see the [module docs](super))
//! and strips them before handing the rest over.

use crate::causal_view::ClockChoice;
use crate::scenario::{PAGE_KEYS, Scenario, parse_at, shorten};
use crate::sim::time::Micros;

/// What the page itself reads from its URL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageParams {
    /// Compact layout for an iframe.
    pub embed: bool,
    /// Virtual time to open the run at (paused).
    pub at: Option<Micros>,
    /// Test hook: panic on purpose after mount.
    pub debug_panic: bool,
    /// `id=…`: the name an embedded page gives itself in the events it posts to its host page.
    pub embed_id: Option<String>,
    /// `vs=KEY:VALUE`: the run side by side with its twin (checked against the protocol later).
    pub vs: Option<String>,
    /// `clocks=lamport|vector`: the logical clock the space-time diagram labels events with.
    pub clocks: ClockChoice,
    /// The query without the page's own keys, for [`Scenario::from_query`].
    pub scenario_query: String,
    /// One sentence per malformed page parameter.
    pub notices: Vec<String>,
}

/// Splits a query string (without `?`) into the page's parameters and the scenario's.
pub fn split(query: &str) -> PageParams {
    let mut out = PageParams::default();
    let mut rest = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        // One pair, percent-decoded; the scenario's parts are passed on as written.
        let Some((key, value)) = form_urlencoded::parse(part.as_bytes()).next() else {
            continue;
        };
        if !PAGE_KEYS.contains(&key.as_ref()) {
            rest.push(part);
            continue;
        }
        let value = value.as_ref();
        match key.as_ref() {
            "embed" => match value {
                "" | "1" | "true" | "yes" => out.embed = true,
                "0" | "false" | "no" => out.embed = false,
                other => out.notices.push(format!(
                    "embed={} is not 1 or 0; showing the full page.",
                    shorten(other)
                )),
            },
            "at" => match parse_at(value) {
                Ok(t) => out.at = Some(t),
                Err(e) => out
                    .notices
                    .push(format!("{e}; opening at the last action instead.")),
            },
            "vs" => out.vs = Some(value.to_string()),
            "clocks" => match ClockChoice::parse(value) {
                Some(c) => out.clocks = c,
                None => out.notices.push(format!(
                    "clocks={} is not none, lamport or vector; showing no clocks.",
                    shorten(value)
                )),
            },
            "id" => {
                let ok = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
                if !value.is_empty() && value.len() <= 64 && value.chars().all(ok) {
                    out.embed_id = Some(value.to_string());
                } else {
                    out.notices.push(format!(
                        "id={} is not an embed name (1 to 64 letters, digits, '-', '_' or '.'); ignored.",
                        shorten(value)
                    ));
                }
            }
            _ => match value {
                "panic" => out.debug_panic = true,
                other => out.notices.push(format!(
                    "debug={} is not a known test hook (only debug=panic); ignored.",
                    shorten(other)
                )),
            },
        }
    }
    out.scenario_query = rest.join("&");
    out
}

/// The query string of a permalink: the scenario (with its recorded actions), the moment to
/// open at, and the layout. An embedded page keeps the name it was given (`id=`), so its own
/// address still names it after the page rewrites it.
pub fn permalink_query(scenario: &Scenario, at: Option<Micros>, embed: bool) -> String {
    let mut q = scenario.to_query();
    if let Some(t) = at {
        q.push_str(&format!("&at={t}"));
    }
    if embed {
        q.push_str("&embed=1");
        // Checked when read: letters, digits, '-', '_' and '.', nothing to escape.
        if let Some(id) = super::embed::embed_id() {
            q.push_str(&format!("&id={id}"));
        }
    }
    q
}
