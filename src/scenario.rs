//! The link codec: a [`Scenario`] (everything that determines a run, defined by the simulator)
//! written as and read from a URL query string, and protocol defaults filled in from the registry.
//!
//! The link form is a URL query string, shared by the page's Share button and the CLI's
//! `--link`. Reading a link is forgiving: each bad parameter is replaced by a sane default and
//! reported in a sentence, so a hand-edited link still opens.

use std::collections::{BTreeMap, BTreeSet};

use crate::protocols;
use crate::sim::action::{Action, ActionKind, NetConfig};
use crate::sim::chaos::{MAX_CHAOS_RATE, format_rate, parse_rate};
use crate::sim::node::NodeId;
use crate::sim::param::{millis, parse_millis};
use crate::sim::time::{Micros, SEC};

pub use crate::sim::scenario::{MAX_CLIENT_RATE, Scenario};

/// The query keys a scenario is made of, besides its protocol's parameter keys.
pub const SCENARIO_KEYS: &[&str] = &[
    "protocol", "nodes", "seed", "lat", "loss", "dup", "load", "chaos", "bugs", "a",
];

/// Query keys the page reads itself (layout, opening moment, test hook, embed name). Every reader
/// of a link knows them; the scenario ignores them. The page's reader is `ui::url::split`.
pub const PAGE_KEYS: &[&str] = &["embed", "at", "debug", "id", "vs", "clocks"];

/// Latest moment a link can open at (`at`) and a trace can be replayed to: 24 hours of virtual
/// time. A visitor playing at the top speed (10×) needs 2.4 hours to get there, and long before
/// that a busy run fills the page's memory; anything later is a typo or a hostile link.
pub const MAX_AT: Micros = 24 * 3_600 * SEC;

/// [`MAX_AT`] in words, for messages.
pub const MAX_AT_WORDS: &str = "24 hours";

/// Reads the page's `at` parameter: a virtual time in whole microseconds up to [`MAX_AT`].
pub fn parse_at(value: &str) -> Result<Micros, String> {
    match value.parse::<Micros>() {
        Ok(t) if t <= MAX_AT => Ok(t),
        _ => Err(format!(
            "at={} is not a time in microseconds from 0 to {MAX_AT} ({MAX_AT_WORDS}, the longest run a link opens)",
            shorten(value)
        )),
    }
}

/// Cuts a value taken from a link to a length that fits in a sentence.
pub fn shorten(v: &str) -> String {
    if v.chars().count() > 24 {
        let head: String = v.chars().take(24).collect();
        format!("{head}…")
    } else {
        v.to_string()
    }
}

/// The query part of a link: a full URL, a `?query` or a bare query, without any `#fragment`.
pub fn query_of(link: &str) -> &str {
    let query = link.split_once('?').map_or(link, |(_, q)| q);
    query.split('#').next().unwrap_or("")
}

/// A link's parameters in order, percent-decoded (`+` is a space; invalid UTF-8 is replaced).
pub fn query_pairs(link: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query_of(link).as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// One problem found while reading a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkProblem {
    /// What is wrong, e.g. `nodes=99 is not a cluster size Raft supports (1 to 25)`.
    pub what: String,
    /// What a forgiving reader (the page) does instead, e.g. `using 5` or `ignored`.
    pub instead: String,
    /// True when the run is still exactly the one the link describes (an unknown parameter,
    /// which is ignored): a strict reader (the CLI) warns and goes on instead of refusing.
    pub harmless: bool,
}

impl LinkProblem {
    fn new(what: String, instead: impl Into<String>) -> LinkProblem {
        LinkProblem {
            what,
            instead: instead.into(),
            harmless: false,
        }
    }
}

impl std::fmt::Display for LinkProblem {
    /// The sentence the page shows: what is wrong and what it does instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}.", self.what, self.instead)
    }
}

/// A link read forgivingly: the scenario it gives and every problem found on the way.
#[derive(Clone, Debug)]
pub struct LinkReading {
    /// A usable scenario: each bad parameter replaced by its default.
    pub scenario: Scenario,
    /// Whether the link names its seed (without one, a fresh random seed was chosen).
    pub seed_given: bool,
    /// The link's `at`, if it has a valid one.
    pub at: Option<Micros>,
    /// Everything that is not as the link says, in the order found.
    pub problems: Vec<LinkProblem>,
}

/// A link read strictly (command line, trace files): exactly the run it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrictLink {
    /// The run.
    pub scenario: Scenario,
    /// The moment the link opens at, if it names one.
    pub at: Option<Micros>,
    /// Harmless problems (unknown parameters, ignored), one sentence each.
    pub warnings: Vec<String>,
}

impl Scenario {
    /// The default scenario of a protocol (seed 1); an unknown protocol falls back to the first.
    pub fn defaults(protocol: &str) -> Scenario {
        let info = protocols::info(protocol).unwrap_or_else(|| protocols::list().remove(0));
        Scenario {
            protocol: info.name.to_string(),
            nodes: info.default_nodes,
            seed: 1,
            net: NetConfig {
                latency_min: info.default_latency.0,
                latency_max: info.default_latency.1,
                loss_ppm: 0,
                dup_ppm: 0,
            },
            // Inserted one by one: collecting into a map sorts first, and the web build would
            // carry one more copy of the sort just for this.
            params: info.params.iter().fold(BTreeMap::new(), |mut m, p| {
                m.insert(p.key.to_string(), p.default);
                m
            }),
            bugs: BTreeSet::new(),
            client_rate: 0,
            chaos: 0,
            actions: Vec::new(),
        }
    }

    /// The link form: a query string without the leading `?`. Defaults are left out.
    pub fn to_query(&self) -> String {
        let info = protocols::info(&self.protocol);
        let mut q = vec![
            format!("protocol={}", self.protocol),
            format!("nodes={}", self.nodes),
            format!("seed={}", self.seed),
        ];
        let default_lat = info.as_ref().map(|i| i.default_latency).unwrap_or((0, 0));
        if (self.net.latency_min, self.net.latency_max) != default_lat {
            q.push(format!(
                "lat={}-{}",
                millis(self.net.latency_min),
                millis(self.net.latency_max)
            ));
        }
        if self.net.loss_ppm != 0 {
            q.push(format!("loss={}", pct(self.net.loss_ppm)));
        }
        if self.net.dup_ppm != 0 {
            q.push(format!("dup={}", pct(self.net.dup_ppm)));
        }
        if self.client_rate != 0 {
            q.push(format!("load={}", self.client_rate));
        }
        if self.chaos != 0 {
            q.push(format!("chaos={}", format_rate(self.chaos)));
        }
        if let Some(info) = &info {
            for spec in &info.params {
                let v = self.params.get(spec.key).copied().unwrap_or(spec.default);
                if v != spec.default {
                    q.push(format!("{}={}", spec.key, spec.format(v)));
                }
            }
        }
        if !self.bugs.is_empty() {
            q.push(format!(
                "bugs={}",
                self.bugs.iter().cloned().collect::<Vec<_>>().join(",")
            ));
        }
        if !self.actions.is_empty() {
            q.push(format!("a={}", encode_actions(&self.actions)));
        }
        q.join("&")
    }

    /// Reads a link (a full URL, or just its query), forgivingly: returns a usable scenario and
    /// one sentence for each problem found. Without a `seed`, a fresh random seed is chosen.
    pub fn from_query(link: &str) -> (Scenario, Vec<String>) {
        let reading = Scenario::read_link(link);
        let problems = reading.problems.iter().map(ToString::to_string).collect();
        (reading.scenario, problems)
    }

    /// Reads a link strictly (for the command line and trace files): a parameter that cannot be
    /// used as written is an error naming it; unknown parameters are warnings; the seed is
    /// required.
    pub fn read_strict(link: &str) -> Result<StrictLink, String> {
        let reading = Scenario::read_link(link);
        let (warnings, errors): (Vec<_>, Vec<_>) =
            reading.problems.into_iter().partition(|p| p.harmless);
        if !errors.is_empty() {
            let sentences: Vec<String> = errors.iter().map(|p| format!("{}.", p.what)).collect();
            return Err(sentences.join(" "));
        }
        if !reading.seed_given {
            return Err("The link has no seed.".into());
        }
        Ok(StrictLink {
            scenario: reading.scenario,
            at: reading.at,
            warnings: warnings.iter().map(ToString::to_string).collect(),
        })
    }

    /// Reads a link strictly, keeping only its scenario (see [`Scenario::read_strict`]).
    pub fn parse_link(link: &str) -> Result<Scenario, String> {
        Scenario::read_strict(link).map(|l| l.scenario)
    }

    /// Reads a link, noting every problem with what a forgiving reader does instead.
    pub fn read_link(link: &str) -> LinkReading {
        let pairs = query_pairs(link);
        let get = |key: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let mut problems = Vec::new();

        let default_protocol = protocols::list().remove(0).name;
        let protocol = match get("protocol") {
            None => default_protocol.to_string(),
            Some(p) if protocols::info(p).is_some() => p.to_string(),
            Some(p) => {
                let names: Vec<&str> = protocols::list().iter().map(|i| i.name).collect();
                problems.push(LinkProblem::new(
                    format!(
                        "Unknown protocol '{}' (available: {})",
                        shorten(p),
                        names.join(", ")
                    ),
                    format!("showing {default_protocol}"),
                ));
                default_protocol.to_string()
            }
        };
        let info = protocols::info(&protocol).expect("protocol checked above");
        let mut s = Scenario::defaults(&protocol);

        if let Some(v) = get("nodes") {
            match v.parse::<usize>() {
                Ok(n) if (info.min_nodes..=info.max_nodes).contains(&n) => s.nodes = n,
                _ => problems.push(LinkProblem::new(
                    format!(
                        "nodes={} is not a cluster size {} supports ({} to {})",
                        shorten(v),
                        info.title,
                        info.min_nodes,
                        info.max_nodes
                    ),
                    format!("using {}", s.nodes),
                )),
            }
        }
        let seed_given = get("seed").is_some();
        s.seed = match get("seed").map(|v| (v, v.parse::<u64>())) {
            Some((_, Ok(seed))) => seed,
            Some((v, Err(_))) => {
                let seed = fresh_seed();
                problems.push(LinkProblem::new(
                    format!(
                        "seed={} is not a whole number from 0 to {}",
                        shorten(v),
                        u64::MAX
                    ),
                    format!("using seed {seed}"),
                ));
                seed
            }
            None => fresh_seed(),
        };
        if let Some(v) = get("lat") {
            let parsed = v
                .split_once('-')
                .and_then(|(a, b)| Some((parse_millis(a)?, parse_millis(b)?)));
            match parsed {
                Some((lo, hi)) if lo <= hi && hi <= NetConfig::MAX_LATENCY => {
                    s.net.latency_min = lo;
                    s.net.latency_max = hi;
                }
                _ => problems.push(LinkProblem::new(
                    format!(
                        "lat={} is not a latency range such as lat=10-15 (milliseconds, at most 60000)",
                        shorten(v)
                    ),
                    format!("using {}-{}", millis(s.net.latency_min), millis(s.net.latency_max)),
                )),
            }
        }
        for (key, field, what) in [("loss", 0, "message loss"), ("dup", 1, "duplication")] {
            if let Some(v) = get(key) {
                match parse_pct(v) {
                    Some(ppm) if field == 0 => s.net.loss_ppm = ppm,
                    Some(ppm) => s.net.dup_ppm = ppm,
                    None => problems.push(LinkProblem::new(
                        format!(
                            "{key}={} is not a {what} percentage from 0 to 100",
                            shorten(v)
                        ),
                        "using 0",
                    )),
                }
            }
        }
        if let Some(v) = get("load") {
            match v.parse::<u32>() {
                Ok(r) if r <= MAX_CLIENT_RATE => s.client_rate = r,
                _ => problems.push(LinkProblem::new(
                    format!(
                        "load={} is not a client load from 0 to {MAX_CLIENT_RATE} requests per second",
                        shorten(v)
                    ),
                    "using 0",
                )),
            }
        }
        if let Some(v) = get("chaos") {
            match parse_chaos(v) {
                Ok(rate) => s.chaos = rate,
                Err(e) => problems.push(LinkProblem::new(e, "chaos off")),
            }
        }
        for spec in &info.params {
            if let Some(v) = get(spec.key) {
                match spec.parse(v) {
                    Ok(x) => {
                        s.params.insert(spec.key.to_string(), x);
                    }
                    Err(why) => problems.push(LinkProblem::new(
                        format!("{}={}: {why}", spec.key, shorten(v)),
                        format!("using {}", spec.describe(spec.default)),
                    )),
                }
            }
        }
        if let Some(setup) = s.setup(&info).ok()
            && let Err(e) = protocols::validate(&protocol, &setup)
        {
            problems.push(LinkProblem::new(e, "using the default parameters"));
            s.params = Scenario::defaults(&protocol).params;
        }
        if let Some(v) = get("bugs") {
            for bug in v.split(',').filter(|b| !b.is_empty()) {
                if info.bugs.iter().any(|b| b.key == bug) {
                    s.bugs.insert(bug.to_string());
                } else {
                    let known: Vec<&str> = info.bugs.iter().map(|b| b.key).collect();
                    problems.push(LinkProblem::new(
                        format!(
                            "{} has no bug toggle '{}' (known: {})",
                            info.title,
                            shorten(bug),
                            known.join(", ")
                        ),
                        "ignored",
                    ));
                }
            }
        }
        if let Some(v) = get("a") {
            // Actions may name any node of the run, clients included.
            let setup = s.setup(&info);
            let total = setup.as_ref().map_or(s.nodes, |setup| setup.total());
            let check = |kind: &ActionKind| match (kind, &setup) {
                (ActionKind::SetParam { node, key, value }, Ok(setup)) => {
                    info.check_change(setup, *node, key, *value).map(|_| ())
                }
                _ => Ok(()),
            };
            let (actions, problem) = decode_actions(v, total, &check);
            s.actions = actions;
            problems.extend(problem);
        }
        let mut at = None;
        if let Some(v) = get("at") {
            match parse_at(v) {
                Ok(t) => at = Some(t),
                Err(e) => problems.push(LinkProblem::new(e, "opening at the last action")),
            }
        }
        let mut unknown: Vec<&str> = Vec::new();
        for (k, _) in &pairs {
            let known = SCENARIO_KEYS.contains(&k.as_str())
                || PAGE_KEYS.contains(&k.as_str())
                || info.params.iter().any(|p| p.key == k);
            if !known && !unknown.contains(&k.as_str()) {
                unknown.push(k);
                problems.push(LinkProblem {
                    what: format!("Unknown link parameter '{}'", shorten(k)),
                    instead: "ignored".into(),
                    harmless: true,
                });
            }
        }
        LinkReading {
            scenario: s,
            seed_given,
            at,
            problems,
        }
    }
}

/// Reads a chaos rate in faults per virtual second (`chaos=0.5`: one fault every two virtual
/// seconds on average) into faults per 1,000 virtual seconds, or says what is accepted.
pub fn parse_chaos(value: &str) -> Result<u32, String> {
    parse_rate(value).ok_or_else(|| {
        format!(
            "chaos={} is not a fault rate from 0 to {} faults per virtual second (up to three decimals, e.g. 0.5)",
            shorten(value),
            MAX_CHAOS_RATE / 1000
        )
    })
}

/// A fresh random seed for a visitor who did not give one (the only use of OS randomness).
pub fn fresh_seed() -> u64 {
    let mut buf = [0u8; 8];
    match getrandom::fill(&mut buf) {
        Ok(()) => u64::from_le_bytes(buf) >> 11, // keep seeds short in links (53 bits)
        Err(_) => 1,
    }
}

fn pct(ppm: u32) -> String {
    crate::sim::decimal::scaled(ppm.into(), 4)
}

fn parse_pct(v: &str) -> Option<u32> {
    let x = crate::sim::decimal::parse(v.trim()).ok()?;
    (x.is_finite() && (0.0..=100.0).contains(&x)).then(|| (x * 10_000.0).round() as u32)
}

fn b36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

fn un36(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 13 {
        return None;
    }
    u64::from_str_radix(s, 36).ok()
}

/// Compact action list: `event.time.code[args]` in base 36, joined by `~`.
/// Codes: `c`rash, `r`estart, `t`imeout, `q` client request (node); `d`rop (message id);
/// `n`etwork (lat min µs - lat max µs - loss ppm - dup ppm); `p`artition (one side digit per
/// node); cut link `x` and restore `y` (a-b); `h`eal; pau`z`e (node-duration µs); `o`ne-way cut
/// (from-to); `l`ink latency (from-to-min µs-max µs, or from-to for the network's again);
/// chaos `k` (faults per 1,000 virtual seconds, 0 for off); `s`etting (key-value, or
/// key-value-node for one node's knob).
pub fn encode_actions(actions: &[Action]) -> String {
    actions
        .iter()
        .map(|a| {
            let body = match &a.kind {
                ActionKind::Crash { node } => format!("c{}", b36(*node as u64)),
                ActionKind::Restart { node } => format!("r{}", b36(*node as u64)),
                ActionKind::Timeout { node } => format!("t{}", b36(*node as u64)),
                ActionKind::ClientRequest { node } => format!("q{}", b36(*node as u64)),
                ActionKind::DropMessage { id } => format!("d{}", b36(*id)),
                ActionKind::SetNetwork { net } => format!(
                    "n{}-{}-{}-{}",
                    b36(net.latency_min),
                    b36(net.latency_max),
                    b36(net.loss_ppm as u64),
                    b36(net.dup_ppm as u64)
                ),
                ActionKind::Partition { groups } => {
                    format!(
                        "p{}",
                        groups.iter().map(|g| b36(*g as u64)).collect::<String>()
                    )
                }
                ActionKind::CutLink { a, b } => format!("x{}-{}", b36(*a as u64), b36(*b as u64)),
                ActionKind::RestoreLink { a, b } => {
                    format!("y{}-{}", b36(*a as u64), b36(*b as u64))
                }
                ActionKind::Heal => "h".into(),
                ActionKind::Pause { node, duration } => {
                    format!("z{}-{}", b36(*node as u64), b36(*duration))
                }
                ActionKind::CutOneWay { from, to } => {
                    format!("o{}-{}", b36(*from as u64), b36(*to as u64))
                }
                ActionKind::LinkLatency { from, to, latency } => {
                    let range = latency.map_or(String::new(), |(lo, hi)| {
                        format!("-{}-{}", b36(lo), b36(hi))
                    });
                    format!("l{}-{}{range}", b36(*from as u64), b36(*to as u64))
                }
                ActionKind::SetChaos { rate } => format!("k{}", b36(*rate as u64)),
                ActionKind::SetParam { node, key, value } => {
                    let node = node.map_or(String::new(), |n| format!("-{}", b36(n as u64)));
                    format!("s{key}-{}{node}", b36(*value))
                }
            };
            format!("{}.{}.{body}", b36(a.at_event), b36(a.t))
        })
        .collect::<Vec<_>>()
        .join("~")
}

/// Decodes an action list; on the first damaged action, keeps what came before and says so.
/// `check` refuses what the protocol does not take (a setting that cannot change mid-run).
pub fn decode_actions(
    text: &str,
    nodes: usize,
    check: &dyn Fn(&ActionKind) -> Result<(), String>,
) -> (Vec<Action>, Option<LinkProblem>) {
    let mut out: Vec<Action> = Vec::new();
    for (i, part) in text.split('~').enumerate() {
        let action = decode_action(part, nodes).and_then(|a| {
            check(&a.kind)?;
            let ordered = out
                .last()
                .is_none_or(|p| (p.at_event, p.t) <= (a.at_event, a.t));
            if ordered {
                Ok(a)
            } else {
                Err("it is out of order".to_string())
            }
        });
        match action {
            Ok(a) => out.push(a),
            Err(why) => {
                let problem = LinkProblem::new(
                    format!(
                        "The link's action {} ('{}') is damaged: {why}",
                        i + 1,
                        shorten(part)
                    ),
                    format!("replaying the {i} action(s) before it"),
                );
                return (out, Some(problem));
            }
        }
    }
    (out, None)
}

fn decode_action(part: &str, nodes: usize) -> Result<Action, String> {
    let mut fields = part.splitn(3, '.');
    let (Some(ev), Some(t), Some(body)) = (fields.next(), fields.next(), fields.next()) else {
        return Err("expected event.time.action".into());
    };
    let at_event = un36(ev).ok_or("bad event number")?;
    let t = un36(t).ok_or("bad time")?;
    if t > MAX_AT {
        return Err(format!("its time is beyond {MAX_AT_WORDS}"));
    }
    let code = body.chars().next().ok_or("no action code")?;
    let args = &body[code.len_utf8()..];
    let node = |s: &str| -> Result<NodeId, String> {
        match un36(s) {
            Some(n) if n >= 1 && n as usize <= nodes => Ok(n as NodeId),
            _ => Err(format!("there is no node '{s}' in a cluster of {nodes}")),
        }
    };
    let pair = |s: &str| -> Result<(NodeId, NodeId), String> {
        let (a, b) = s.split_once('-').ok_or("expected two nodes")?;
        Ok((node(a)?, node(b)?))
    };
    let kind = match code {
        'c' => ActionKind::Crash { node: node(args)? },
        'r' => ActionKind::Restart { node: node(args)? },
        't' => ActionKind::Timeout { node: node(args)? },
        'q' => ActionKind::ClientRequest { node: node(args)? },
        'd' => ActionKind::DropMessage {
            id: un36(args).ok_or("bad message id")?,
        },
        'n' => {
            let v: Vec<u64> = args
                .split('-')
                .map(un36)
                .collect::<Option<_>>()
                .ok_or("bad network numbers")?;
            let [lo, hi, loss, dup] = v[..] else {
                return Err("expected four network numbers".into());
            };
            let net = NetConfig {
                latency_min: lo,
                latency_max: hi,
                loss_ppm: u32::try_from(loss).map_err(|_| "loss too large")?,
                dup_ppm: u32::try_from(dup).map_err(|_| "duplication too large")?,
            };
            net.validate()?;
            ActionKind::SetNetwork { net }
        }
        'p' => {
            let groups: Vec<u8> = args
                .chars()
                .map(|c| c.to_digit(36).map(|d| d as u8))
                .collect::<Option<_>>()
                .ok_or("bad partition sides")?;
            if groups.len() != nodes {
                return Err(format!(
                    "a partition needs a side for each of the {nodes} nodes"
                ));
            }
            ActionKind::Partition { groups }
        }
        'x' => {
            let (a, b) = pair(args)?;
            ActionKind::CutLink { a, b }
        }
        'y' => {
            let (a, b) = pair(args)?;
            ActionKind::RestoreLink { a, b }
        }
        'h' if args.is_empty() => ActionKind::Heal,
        'z' => {
            let (n, d) = args.split_once('-').ok_or("expected node-duration")?;
            let duration = un36(d).ok_or("bad pause duration")?;
            if duration == 0 || duration > NetConfig::MAX_PAUSE {
                return Err("a pause lasts from 1 µs to 10 minutes".into());
            }
            ActionKind::Pause {
                node: node(n)?,
                duration,
            }
        }
        'o' => {
            let (from, to) = pair(args)?;
            ActionKind::CutOneWay { from, to }
        }
        'l' => {
            let parts: Vec<&str> = args.split('-').collect();
            let (from, to) = match parts[..] {
                [a, b, ..] => (node(a)?, node(b)?),
                _ => return Err("expected from-to".into()),
            };
            let latency = match parts[2..] {
                [] => None,
                [lo, hi] => {
                    let lo = un36(lo).ok_or("bad latency")?;
                    let hi = un36(hi).ok_or("bad latency")?;
                    NetConfig::validate_latency(lo, hi)?;
                    Some((lo, hi))
                }
                _ => return Err("expected from-to-min-max".into()),
            };
            ActionKind::LinkLatency { from, to, latency }
        }
        'k' => match un36(args) {
            Some(rate) if rate <= MAX_CHAOS_RATE as u64 => {
                ActionKind::SetChaos { rate: rate as u32 }
            }
            _ => return Err("bad chaos rate".into()),
        },
        's' => {
            let parts: Vec<&str> = args.split('-').collect();
            let (key, value, about) = match parts[..] {
                [key, value] => (key, value, None),
                [key, value, n] => (key, value, Some(node(n)?)),
                _ => return Err("expected key-value or key-value-node".into()),
            };
            let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
            if key.is_empty() || !key.chars().all(plain) {
                return Err("bad setting name".into());
            }
            ActionKind::SetParam {
                node: about,
                key: key.to_string(),
                value: un36(value).ok_or("bad setting value")?,
            }
        }
        _ => return Err(format!("unknown action '{body}'")),
    };
    Ok(Action { at_event, t, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_changes_round_trip_and_damaged_ones_are_named() {
        let mut s = Scenario::defaults("loadbalance");
        s.actions = vec![
            Action {
                at_event: 10,
                t: 1_000,
                kind: ActionKind::SetParam {
                    node: None,
                    key: "policy".into(),
                    value: 4,
                },
            },
            Action {
                at_event: 11,
                t: 2_000,
                kind: ActionKind::SetParam {
                    node: Some(3),
                    key: "speed".into(),
                    value: 25,
                },
            },
        ];
        let q = s.to_query();
        assert!(q.contains("a=a.rs.spolicy-4~b.1jk.sspeed-p-3"), "{q}");
        let (back, problems) = Scenario::from_query(&q);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
        for (action, why) in [
            ("1.1.s", "expected key-value or key-value-node"),
            ("1.1.sPolicy-1", "bad setting name"),
            ("1.1.spolicy-!", "bad setting value"),
            ("1.1.sspeed-p-z", "there is no node 'z'"),
            ("1.1.spolicy-9", "policy takes 0 to 5, not 9"),
            ("1.1.sspeed-p-1", "Node 1 has no setting 'speed'"),
        ] {
            let (_, problems) = Scenario::from_query(&format!("protocol=loadbalance&a={action}"));
            assert_eq!(problems.len(), 1, "{action}");
            assert!(problems[0].contains(why), "{action}: {problems:?}");
        }
    }

    #[test]
    fn link_round_trips() {
        let mut s = Scenario::defaults("raft");
        s.seed = 42;
        s.nodes = 7;
        s.net.loss_ppm = 12_500;
        s.client_rate = 5;
        s.actions = vec![
            Action {
                at_event: 10,
                t: 1_234,
                kind: ActionKind::Crash { node: 3 },
            },
            Action {
                at_event: 10,
                t: 1_234,
                kind: ActionKind::Partition {
                    groups: vec![0, 0, 1, 1, 0, 1, 1],
                },
            },
            Action {
                at_event: 99,
                t: 99_999,
                kind: ActionKind::SetNetwork {
                    net: NetConfig {
                        latency_min: 5_000,
                        latency_max: 20_000,
                        loss_ppm: 0,
                        dup_ppm: 100,
                    },
                },
            },
            Action {
                at_event: 120,
                t: 100_000,
                kind: ActionKind::Heal,
            },
            Action {
                at_event: 130,
                t: 100_001,
                kind: ActionKind::Pause {
                    node: 7,
                    duration: 450_000,
                },
            },
            Action {
                at_event: 131,
                t: 100_002,
                kind: ActionKind::CutOneWay { from: 2, to: 6 },
            },
            Action {
                at_event: 132,
                t: 100_003,
                kind: ActionKind::LinkLatency {
                    from: 3,
                    to: 1,
                    latency: Some((40_000, 90_000)),
                },
            },
            Action {
                at_event: 133,
                t: 100_004,
                kind: ActionKind::LinkLatency {
                    from: 3,
                    to: 1,
                    latency: None,
                },
            },
            Action {
                at_event: 140,
                t: 100_005,
                kind: ActionKind::SetChaos { rate: 2_500 },
            },
            Action {
                at_event: 150,
                t: 100_006,
                kind: ActionKind::SetChaos { rate: 0 },
            },
        ];
        s.chaos = 500;
        let q = s.to_query();
        let (back, problems) = Scenario::from_query(&q);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, s);
        assert_eq!(
            Scenario::parse_link(&format!("https://x.example/a/?{q}")),
            Ok(s)
        );
    }

    #[test]
    fn bad_parameters_are_named_and_defaulted() {
        let (s, problems) =
            Scenario::from_query("protocol=nope&nodes=999&seed=abc&lat=9-2&loss=150&zap=1");
        assert_eq!(s.protocol, "raft");
        assert_eq!(s.nodes, 5);
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(problems[0].contains("Unknown protocol 'nope'"));
        assert!(problems.iter().any(|p| p.contains("nodes=999")));
        assert!(problems.iter().any(|p| p.contains("seed=abc")));
        assert!(problems.iter().any(|p| p.contains("zap")));
    }

    #[test]
    fn chaos_rates_are_faults_per_virtual_second() {
        let (s, problems) = Scenario::from_query("protocol=raft&seed=1&chaos=0.5");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.chaos, 500);
        assert!(s.to_query().contains("chaos=0.5"), "{}", s.to_query());
        assert!(!Scenario::defaults("raft").to_query().contains("chaos"));
        for bad in ["fast", "-1", "2000", "0.0001"] {
            let (s, problems) = Scenario::from_query(&format!("protocol=raft&seed=1&chaos={bad}"));
            assert_eq!(s.chaos, 0, "{bad}");
            assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
            assert!(
                problems[0].contains(&format!("chaos={bad} is not a fault rate"))
                    && problems[0].contains("faults per virtual second")
                    && problems[0].ends_with("chaos off."),
                "{}",
                problems[0]
            );
            let e =
                Scenario::read_strict(&format!("protocol=raft&seed=1&chaos={bad}")).unwrap_err();
            assert!(e.contains("not a fault rate"), "{e}");
        }
        let (actions, problem) = decode_actions("1.a.k0~2.b.kzzzzz", 5, &|_| Ok(()));
        assert_eq!(actions[0].kind, ActionKind::SetChaos { rate: 0 });
        assert!(problem.unwrap().what.contains("bad chaos rate"));
    }

    #[test]
    fn damaged_actions_keep_the_valid_prefix() {
        let (actions, problem) = decode_actions("1.a.c1~2.b.c9~3.c.h", 5, &|_| Ok(()));
        assert_eq!(actions.len(), 1);
        assert!(problem.unwrap().what.contains("no node '9'"));
    }

    #[test]
    fn fifty_actions_fit_in_two_kilobytes() {
        let mut s = Scenario::defaults("raft");
        s.seed = 1234567890123;
        s.actions = (0..50u64)
            .map(|i| Action {
                at_event: 5_000 + i * 400,
                t: 3_000_000 + i * 250_000,
                kind: if i % 2 == 0 {
                    ActionKind::Crash { node: 2 }
                } else {
                    ActionKind::DropMessage { id: 40_000 + i }
                },
            })
            .collect();
        assert!(s.to_query().len() < 2048, "{}", s.to_query().len());
    }

    #[test]
    fn the_page_keys_are_known_to_every_reader() {
        let link = "https://x.example/?embed=1&id=five&protocol=raft&nodes=5&seed=1&at=147007013&debug=panic";
        let (_, problems) = Scenario::from_query(link);
        assert!(problems.is_empty(), "{problems:?}");
        let strict = Scenario::read_strict(link).unwrap();
        assert!(strict.warnings.is_empty(), "{:?}", strict.warnings);
        assert_eq!(strict.at, Some(147_007_013));
    }

    #[test]
    fn strict_reading_warns_about_unknown_keys_and_refuses_bad_values() {
        let strict = Scenario::read_strict("protocol=raft&seed=3&zap=1&zap=2").unwrap();
        assert_eq!(strict.scenario.seed, 3);
        assert_eq!(
            strict.warnings,
            ["Unknown link parameter 'zap'; ignored."],
            "one warning per unknown key"
        );
        let e = Scenario::read_strict("protocol=raft&seed=3&nodes=99&bugs=nope").unwrap_err();
        assert!(
            e.contains("nodes=99") && e.contains("no bug toggle 'nope'"),
            "{e}"
        );
        assert!(
            !e.contains("using") && !e.contains("ignored"),
            "an error does not say what a forgiving reader does instead: {e}"
        );
        assert_eq!(
            Scenario::read_strict("protocol=raft").unwrap_err(),
            "The link has no seed."
        );
        assert!(Scenario::read_strict("protocol=raft&seed=1&at=abc").is_err());
    }

    #[test]
    fn links_are_percent_decoded() {
        let (s, problems) = Scenario::from_query(
            "?protocol=r%61ft&seed=%34%32&bugs=vote_ignores_log%2Ccommit_old_term#frag",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((s.protocol.as_str(), s.seed, s.bugs.len()), ("raft", 42, 2));
        // Broken escapes and invalid UTF-8 are kept or replaced, never a panic.
        for q in [
            "seed=%",
            "seed=%zz",
            "seed=%E2%82",
            "seed=1&%FF=1",
            "seed=1+2",
        ] {
            let (_, problems) = Scenario::from_query(q);
            assert!(!problems.is_empty(), "{q}");
        }
    }

    #[test]
    fn late_moments_open_up_to_a_day_of_virtual_time() {
        assert_eq!(parse_at("147007013"), Ok(147_007_013));
        assert_eq!(parse_at(&MAX_AT.to_string()), Ok(MAX_AT));
        let e = parse_at("999999999999").unwrap_err();
        assert!(e.contains("24 hours"), "{e}");
        assert!(parse_at("-1").is_err() && parse_at("1e6").is_err());
        let (actions, problem) = decode_actions("1.a.c1~2.zzzzzzzz.c2", 5, &|_| Ok(()));
        assert_eq!(actions.len(), 1);
        assert!(problem.unwrap().what.contains("beyond 24 hours"));
    }
}
