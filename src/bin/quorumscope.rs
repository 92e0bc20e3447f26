//! `quorumscope`: the command-line face of the simulator — run one scenario, fuzz many seeds,
//! print benchmark figures, or compare settings over many runs. See `quorumscope --help`.
//!
//! Conventions: `--help`/`-h` on every command, `--version`; usage errors go to stderr with exit
//! status 2, warnings go to stderr and the command goes on; a reader that closes the pipe early
//! (`quorumscope fuzz | head`) ends the program quietly.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let code = match cli::main(std::env::args_os().skip(1).collect()) {
        Ok(code) => code,
        Err(cli::Failure::Usage { message, command }) => {
            eprintln!("quorumscope: {message}");
            eprintln!(
                "Try 'quorumscope {}--help'.",
                command.map_or(String::new(), |c| format!("{c} "))
            );
            2
        }
        Err(cli::Failure::ClosedPipe) => 0,
        Err(cli::Failure::Io(message)) => {
            eprintln!("quorumscope: {message}");
            1
        }
    };
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::collections::BTreeMap;
    use std::ffi::OsString;
    use std::io::Write as _;
    use std::time::Instant;

    use quorumscope::compare;
    use quorumscope::consistency::RunHistory;
    use quorumscope::export::TraceExport;
    use quorumscope::fuzz::{self, FuzzOptions};
    use quorumscope::protocols;
    use quorumscope::scenario::{MAX_AT, MAX_AT_WORDS, Scenario, parse_chaos};
    use quorumscope::sim::chaos::format_rate;
    use quorumscope::sim::metrics::SeriesKind;
    use quorumscope::sim::node::ProtocolInfo;
    use quorumscope::sim::param::millis;
    use quorumscope::sim::time::{Micros, format_time, parse_duration};
    use quorumscope::sim::trace::digest;
    use quorumscope::sim::{CommEvent, Lab, MS, SEC};

    /// Why the program stops early.
    pub enum Failure {
        /// The command line is wrong: say why, point at the help, exit 2.
        Usage {
            /// One sentence.
            message: String,
            /// The subcommand whose help to point at, if any.
            command: Option<&'static str>,
        },
        /// Standard output was closed by its reader (`| head`): stop without a word.
        ClosedPipe,
        /// Reading or writing a file failed: say why, exit 1.
        Io(String),
    }

    impl From<String> for Failure {
        fn from(message: String) -> Failure {
            Failure::Usage {
                message,
                command: None,
            }
        }
    }

    impl From<&str> for Failure {
        fn from(message: &str) -> Failure {
            message.to_string().into()
        }
    }

    impl From<lexopt::Error> for Failure {
        fn from(e: lexopt::Error) -> Failure {
            e.to_string().into()
        }
    }

    impl From<std::io::Error> for Failure {
        fn from(e: std::io::Error) -> Failure {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Failure::ClosedPipe
            } else {
                Failure::Io(format!("cannot write the output: {e}"))
            }
        }
    }

    /// Link keys of the network that `--param` takes beside the protocol's own parameters.
    const NETWORK_KEYS: [&str; 3] = ["lat", "loss", "dup"];

    /// `println!` that stops the program quietly when the reader has gone away.
    macro_rules! say {
        ($($arg:tt)*) => {
            writeln!(std::io::stdout(), $($arg)*)?
        };
    }

    const HELP: &str = "\
quorumscope — deterministic distributed-systems simulator

USAGE:
  quorumscope run   [OPTIONS]   run one scenario and print a summary
  quorumscope fuzz  [OPTIONS]   run many seeds under random faults
  quorumscope bench [OPTIONS]   print performance figures
  quorumscope compare [OPTIONS] compare settings over many seeded runs with crashes
  quorumscope check-history FILE --model MODEL
                                check a client history (JSON Lines) for linearizability
  quorumscope --version

'quorumscope COMMAND --help' describes a command's options.
";

    const RUN_HELP: &str = "\
quorumscope run — run one scenario and print a summary

USAGE:
  quorumscope run [--protocol raft] [--nodes 5] [--seed 42] [--until 60s] [--faults random]
                  [--load N] [--chaos RATE] [--bug NAME]... [--param KEY=VALUE]...
                  [--trace FILE] [--metrics FILE] [--shiviz FILE] [--history FILE]
  quorumscope run --link URL [--until TIME] [--faults random] [--trace FILE] [--metrics FILE]
                  [--shiviz FILE] [--history FILE]

  --link URL        replay a link copied from the page: its scenario, recorded actions and, without
                    --until, its moment (at=); parameters it does not know are warned about and ignored
  --until TIME      virtual time to stop at, with a unit: 250us, 15ms, 2.5s, 10m (at most 24 hours;
                    default: the link's at=, else 60s)
  --faults random   inject random crashes, partitions and losses (recorded as actions); or none
  --load N          steady client requests per virtual second
  --chaos RATE      chaos mode: random crashes, restarts, pauses, partitions, one-way cuts and
                    latency spikes, RATE faults per virtual second on average (e.g. 0.5), drawn
                    from the seed (as chaos= in a link)
  --bug NAME        enable a protocol bug toggle (repeatable)
  --param KEY=VALUE a protocol parameter as in a link, durations in ms (repeatable); also the
                    network's lat (ms range, e.g. 1-5), loss and dup (percent)
  --trace FILE      write the JSON Lines trace
  --metrics FILE    write the metric samples as JSON Lines: one object a line with t_us, series, node, value
  --shiviz FILE     write every send and delivery with its vector clock as a ShiViz log, headed by
                    the regular expression that parses it (ShiViz's log file format)
  --history FILE    write the clients' operations as a Jepsen-style history, one invocation or
                    completion a line in real-time order (what check-history reads; kvstore)

The same scenario always gives a byte-identical trace. The summary ends with the link of the run,
which `run --link` and the page open at the same moment. Exit status: 0, 1 if an invariant was
violated, 2 for a usage error.
";

    const FUZZ_HELP: &str = "\
quorumscope fuzz — run many seeds under random faults

USAGE:
  quorumscope fuzz [--protocol raft] [--seeds 10000] [--first-seed 1] [--nodes 5] [--until 20s]
                   [--bug NAME]... [--param KEY=VALUE]... [--threads N] [--shard K/N] [--json]

Runs on all cores; prints every violation with a 'quorumscope run --link …' command that replays
it. --param takes a protocol parameter or the network's lat, loss and dup, as in a link.
--shard K/N runs only the K-th of N disjoint, contiguous slices of the seeds, so a batch
runner (a CI matrix, a cluster job array) can spread one campaign over machines; --json prints
one JSON object instead of text: protocol, nodes, until_us, bugs, params, shard, seeds {first,
count}, failed [{seed, violations [{invariant, detail, t_us}], replay}], events, seconds.
Exit status: 0, 1 if any invariant was violated, 2 for a usage error.
";

    const BENCH_HELP: &str = "\
quorumscope bench — print performance figures

USAGE:
  quorumscope bench [--protocol raft]

Simulated events per second (with and without the trace), seek latency and trace export time of
a 10-minute run under steady client load.
";

    const COMPARE_HELP: &str = "\
quorumscope compare — compare settings over many seeded runs with crashes

USAGE:
  quorumscope compare [--protocol raft] [--sweep KEY=V1,V2,…] [--seeds 20] [--first-seed 1]
                      [--seed S] [--until 10m] [--latency MIN-MAX] [--nodes N] [--load N]
                      [--param KEY=VALUE]... [--bug NAME]... [--link URL] [--threads N] [--json]

  --sweep KEY=V1,…  one row per value of a protocol parameter (a named choice by its names, e.g.
                    --sweep detector=timeout,phi, or by its key alone for all its choices:
                    --sweep detector); without it, the protocol's own comparison
                    (loadbalance: every policy) unless --param sets that parameter,
                    else one row for the scenario as given
  --seeds N         seeded runs per row (default 20), from --first-seed (default 1)
  --seed S          just the one run of seed S per row
  --until TIME      virtual time of each run (default 10m)
  --latency MIN-MAX one-way network latency in ms, e.g. 10-60 (default: the protocol's)
  --param KEY=VALUE a protocol parameter shared by every row, as in a link (repeatable)
  --link URL        every row starts from this link's scenario (protocol, nodes, network, load,
                    chaos, parameters; not its seed or actions) instead of --protocol, --nodes,
                    --load and --param: the command a page's trade-off panel shows
  --json            one JSON object instead of the table: protocol, sweep, rows [{value, runs,
                    virtual_hours, crashes, events, violated_runs, violations [{seed, invariant,
                    detail, t_us, replay}], figures [{name, count, per_hour | mean_ms}],
                    latency [{series, count, p50_ms, p95_ms, p99_ms, max_ms}], counters
                    [{series, total, per_second}]}]

Every run has the same gentle faults, drawn from its seed: one of the main nodes at a time
crashes 30–90 s after the last restart and stays down 10–30 s. Each row pools its runs: the
crashes injected, the checker's figures (durations as their mean in ms with how many, counts
per virtual hour), client latency percentiles (ms) and counters per virtual second. The same
arguments always give the same table, whatever --threads. Runs that break an invariant are
counted in the table and listed under it with a 'quorumscope run --link …' command that replays
them. Exit status: 0, 1 if any run violated an invariant, 2 for a usage error.
";

    const CHECK_HISTORY_USAGE: &str =
        "quorumscope check-history FILE --model register|cas-register|kv";

    const CHECK_HISTORY_HELP: &str = "\
quorumscope check-history — check a client history for linearizability

USAGE:
  quorumscope check-history FILE --model register|cas-register|kv

FILE holds one event a line, Jepsen style, in real-time order:
  {\"process\":3,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"x\",\"value\":[1,2]}
  {\"process\":3,\"type\":\"ok\",\"f\":\"cas\",\"key\":\"x\",\"value\":[1,2]}
type is invoke, ok, fail (completed without effect) or info (unknown: it may take effect at any
later time, or never; an invocation never completed counts as info); f is read, write, cas
(value [expected, new]) or append (a string, kv only); values are integers, strings or null;
key is optional. Each key is checked on its own.

  --model register      read and write; a never-written register reads null
  --model cas-register  read, write and cas
  --model kv            read, write, cas and append per key; a never-written key reads \"\"

Prints 'linearizable', or 'not linearizable' and a witness: a smallest set of operations that
cannot be ordered (removing any one of them lets the rest be ordered), one a line with its line
numbers. Exit status: 0 linearizable, 1 not linearizable, 2 for malformed input (the message
names the line), a missing file or bad options, 3 if the search gave up undecided.
";

    /// The options of one command as `--name value` pairs (lexopt does the lexing, so
    /// `--name=value` works too); repeated options keep every value.
    struct Flags {
        values: BTreeMap<String, Vec<String>>,
        command: &'static str,
    }

    impl Flags {
        /// Reads `args`; `None` when help was asked for.
        fn parse(
            args: Vec<OsString>,
            command: &'static str,
            allowed: &[&str],
        ) -> Result<Option<Flags>, Failure> {
            Flags::parse_with_switches(args, command, allowed, &[])
        }

        /// Like [`Flags::parse`], also accepting the value-less `switches` (read by
        /// [`Flags::switch`]).
        fn parse_with_switches(
            args: Vec<OsString>,
            command: &'static str,
            allowed: &[&str],
            switches: &[&str],
        ) -> Result<Option<Flags>, Failure> {
            use lexopt::prelude::*;
            let usage = |message: String| Failure::Usage {
                message,
                command: Some(command),
            };
            let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut parser = lexopt::Parser::from_args(args);
            while let Some(arg) = parser.next().map_err(|e| usage(e.to_string()))? {
                match arg {
                    Short('h') | Long("help") => return Ok(None),
                    Long(name) if switches.contains(&name) => {
                        values
                            .entry(name.to_string())
                            .or_default()
                            .push(String::new());
                    }
                    Long(name) if allowed.contains(&name) => {
                        let name = name.to_string();
                        let value = parser
                            .value()
                            .and_then(|v| v.string())
                            .map_err(|e| usage(e.to_string()))?;
                        values.entry(name).or_default().push(value);
                    }
                    other => return Err(usage(other.unexpected().to_string())),
                }
            }
            Ok(Some(Flags { values, command }))
        }
        fn usage(&self, message: String) -> Failure {
            Failure::Usage {
                message,
                command: Some(self.command),
            }
        }
        fn get(&self, name: &str) -> Option<&str> {
            self.values
                .get(name)
                .and_then(|v| v.last())
                .map(String::as_str)
        }
        fn switch(&self, name: &str) -> bool {
            self.values.contains_key(name)
        }
        fn all(&self, name: &str) -> Vec<String> {
            self.values.get(name).cloned().unwrap_or_default()
        }
        fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, Failure> {
            match self.get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| self.usage(format!("--{name} expects a whole number, not '{v}'"))),
            }
        }
        /// A virtual duration with a unit, at most [`MAX_AT`] (a run longer than that could
        /// not be opened from its link).
        fn duration(&self, name: &str) -> Result<Option<Micros>, Failure> {
            let Some(v) = self.get(name) else {
                return Ok(None);
            };
            let v = v.trim();
            if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(self.usage(format!(
                    "--{name} {v} has no unit: write {v}s for seconds (or {v}ms, {v}us, {v}m)"
                )));
            }
            let t = parse_duration(v).map_err(|e| self.usage(format!("--{name}: {e}")))?;
            if t > MAX_AT {
                return Err(self.usage(format!(
                    "--{name} {v} is longer than {MAX_AT_WORDS} of virtual time, the longest run a link opens"
                )));
            }
            Ok(Some(t))
        }
        /// `--param k=v` options joined into link form, each key checked against the protocol
        /// (or one of the network's [`NETWORK_KEYS`]).
        fn params(&self, info: &ProtocolInfo) -> Result<String, Failure> {
            let params = self.all("param");
            for p in &params {
                let Some((key, _)) = p.split_once('=').filter(|_| !p.contains('&')) else {
                    return Err(self.usage(format!("--param expects KEY=VALUE, not '{p}'")));
                };
                if !info.params.iter().any(|spec| spec.key == key) && !NETWORK_KEYS.contains(&key) {
                    let keys: Vec<&str> = (info.params.iter().map(|spec| spec.key))
                        .chain(NETWORK_KEYS)
                        .collect();
                    return Err(self.usage(format!(
                        "--param {p}: {} has no parameter '{key}' (parameters: {})",
                        info.title,
                        keys.join(", ")
                    )));
                }
            }
            Ok(params.join("&"))
        }
        /// The seeds `--seeds N` (default `count`) from `--first-seed F` (default 1).
        fn seed_range(&self, count: u64) -> Result<std::ops::Range<u64>, Failure> {
            let first: u64 = self.number("first-seed", 1)?;
            let count: u64 = self.number("seeds", count)?;
            match first.checked_add(count) {
                Some(last) => Ok(first..last),
                None => Err(self.usage(format!(
                    "--first-seed {first} with --seeds {count} goes past the last seed, {}",
                    u64::MAX
                ))),
            }
        }

        fn protocol(&self) -> Result<ProtocolInfo, Failure> {
            let name = self.get("protocol").unwrap_or("raft");
            protocols::info(name).ok_or_else(|| {
                let names: Vec<&str> = protocols::list().iter().map(|i| i.name).collect();
                self.usage(format!(
                    "unknown protocol '{name}' (available: {})",
                    names.join(", ")
                ))
            })
        }
    }

    /// The closing line of every help text.
    fn protocol_list() -> String {
        let names: Vec<&str> = protocols::list().iter().map(|i| i.name).collect();
        format!("Protocols: {}", names.join(", "))
    }

    /// Runs the command line `args` (without the program name); returns the exit status.
    pub fn main(args: Vec<OsString>) -> Result<i32, Failure> {
        let mut args = args.into_iter();
        let command = match args.next() {
            None => None,
            Some(c) => Some(
                c.into_string()
                    .map_err(|c| format!("unknown command '{}'", c.to_string_lossy()))?,
            ),
        };
        let rest: Vec<OsString> = args.collect();
        match command.as_deref() {
            Some("run") => run(rest),
            Some("fuzz") => fuzz_cmd(rest),
            Some("bench") => bench(rest),
            Some("compare") => compare_cmd(rest),
            Some("check-history") => check_history(rest),
            Some("help") => {
                let text = match rest.first().and_then(|c| c.to_str()) {
                    Some("run") => RUN_HELP,
                    Some("fuzz") => FUZZ_HELP,
                    Some("bench") => BENCH_HELP,
                    Some("compare") => COMPARE_HELP,
                    Some("check-history") => CHECK_HISTORY_HELP,
                    _ => HELP,
                };
                say!("{text}{}", protocol_list());
                Ok(0)
            }
            None | Some("--help") | Some("-h") => {
                say!("{HELP}{}", protocol_list());
                Ok(0)
            }
            Some("--version") | Some("-V") => {
                say!("quorumscope {}", env!("CARGO_PKG_VERSION"));
                Ok(0)
            }
            Some(other) => Err(format!("unknown command '{other}'").into()),
        }
    }

    /// The run the options describe, and the moment a link asks to stop at.
    fn scenario_from(flags: &Flags) -> Result<(Scenario, Option<Micros>), Failure> {
        if let Some(link) = flags.get("link") {
            for clash in ["protocol", "nodes", "seed", "bug", "load", "chaos", "param"] {
                if flags.get(clash).is_some() {
                    return Err(
                        flags.usage(format!("--link already fixes the scenario; drop --{clash}"))
                    );
                }
            }
            let read =
                Scenario::read_strict(link).map_err(|e| flags.usage(format!("--link: {e}")))?;
            for warning in &read.warnings {
                eprintln!("quorumscope: warning: --link: {warning}");
            }
            return Ok((read.scenario, read.at));
        }
        let info = flags.protocol()?;
        let mut s = Scenario::defaults(info.name);
        s.nodes = flags.number("nodes", info.default_nodes)?;
        s.seed = flags.number("seed", 42)?;
        s.client_rate = flags.number("load", 0)?;
        if let Some(rate) = flags.get("chaos") {
            s.chaos =
                parse_chaos(rate).map_err(|e| flags.usage(e.replacen("chaos=", "--chaos ", 1)))?;
        }
        s.bugs = flags.all("bug").into_iter().collect();
        s.setup(&info).map_err(|e| flags.usage(e))?;
        let params = flags.params(&info)?;
        if !params.is_empty() {
            s = Scenario::parse_link(&format!("{}&{params}", s.to_query()))
                .map_err(|e| flags.usage(format!("--param: {e}")))?;
        }
        Ok((s, None))
    }

    fn run(args: Vec<OsString>) -> Result<i32, Failure> {
        let allowed = [
            "protocol", "nodes", "seed", "until", "faults", "link", "trace", "load", "chaos",
            "bug", "param", "metrics", "shiviz", "history",
        ];
        let Some(flags) = Flags::parse(args, "run", &allowed)? else {
            say!("{RUN_HELP}{}", protocol_list());
            return Ok(0);
        };
        let (scenario, at) = scenario_from(&flags)?;
        let until = flags.duration("until")?.or(at).unwrap_or(60 * SEC);
        let mut lab = protocols::create(&scenario).map_err(|e| flags.usage(e))?;
        match flags.get("faults") {
            None | Some("none") => lab.advance_to(until),
            Some("random") => {
                let opts = FuzzOptions {
                    nodes: scenario.nodes,
                    until,
                    faults_until: until * 6 / 10,
                    ..FuzzOptions::default()
                };
                fuzz::inject_faults(lab.as_mut(), scenario.seed, &opts);
                lab.advance_to(until);
            }
            Some(other) => {
                return Err(
                    flags.usage(format!("--faults takes 'random' or 'none', not '{other}'"))
                );
            }
        }
        let trace = lab.trace_jsonl();
        if let Some(path) = flags.get("trace") {
            std::fs::write(path, &trace)
                .map_err(|e| Failure::Io(format!("cannot write the trace to {path}: {e}")))?;
        }
        if let Some(path) = flags.get("metrics") {
            std::fs::write(path, metrics_jsonl(lab.as_ref()))
                .map_err(|e| Failure::Io(format!("cannot write the metrics to {path}: {e}")))?;
        }
        if let Some(path) = flags.get("shiviz") {
            std::fs::write(path, lab.shiviz_chunk(0, usize::MAX).0)
                .map_err(|e| Failure::Io(format!("cannot write the ShiViz log to {path}: {e}")))?;
        }
        if let Some(path) = flags.get("history") {
            let history = RunHistory::from_records(&lab.operations());
            if history.spans.is_empty() {
                eprintln!(
                    "note: no client operation in this run ({} records none); {path} is empty",
                    scenario.protocol
                );
            }
            std::fs::write(path, history.to_jsonl())
                .map_err(|e| Failure::Io(format!("cannot write the history to {path}: {e}")))?;
        }
        print_summary(lab.as_ref(), &trace)?;
        Ok(if fuzz::violations(lab.as_ref()).is_empty() {
            0
        } else {
            1
        })
    }

    /// Every metric sample up to now, one JSON object a line, in time order per series.
    fn metrics_jsonl(lab: &dyn Lab) -> String {
        let m = lab.metrics();
        let mut out = String::new();
        for (i, series) in m.series.iter().enumerate() {
            for s in m.window(i, 0, lab.now()) {
                out.push_str(&format!(
                    "{{\"t_us\":{},\"series\":\"{}\",\"node\":{},\"value\":{}}}\n",
                    s.t, series.name, s.node, s.value
                ));
            }
        }
        out
    }

    fn print_summary(lab: &dyn Lab, trace: &str) -> Result<(), Failure> {
        let info = lab.info();
        let s = lab.scenario();
        let extra: String = lab
            .setup()
            .extra
            .iter()
            .map(|k| format!(" + {}", counted(k.count, k.name)))
            .collect();
        say!(
            "{} · {}{extra} · seed {} · {} simulated",
            info.title,
            main_nodes(info, s.nodes),
            s.seed,
            format_time(lab.now())
        );
        say!(
            "events {} · trace lines {} · trace digest {:016x}",
            lab.events(),
            lab.trace_len() + 1,
            digest(trace)
        );
        for n in lab.nodes() {
            if lab.setup().kind_of(n.id).is_some() || !n.view.has_log {
                // A node of another kind (a client), or one without a log (a balancer): its
                // own fields.
                let fields: Vec<String> = n
                    .view
                    .fields
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                say!(
                    "  Node {:>2}  {:<10} {}",
                    n.id,
                    if n.up { n.view.role } else { "crashed" },
                    fields.join(" · ")
                );
                continue;
            }
            say!(
                "  Node {:>2}  {:<10} {} {:<4} log {:>4} committed {:>4}",
                n.id,
                if n.up { n.view.role } else { "crashed" },
                info.epoch_name,
                n.view.epoch,
                n.view.log_len,
                n.view.log_committed
            );
        }
        for (label, value) in lab.summary() {
            say!("  {label}: {value}");
        }
        let m = lab.metrics();
        for (i, series) in m.series.iter().enumerate() {
            match series.kind {
                SeriesKind::Latency => match m.percentiles(i, 0, lab.now()) {
                    Some(p) => say!(
                        "  {}: p50 {} · p95 {} · p99 {} · max {} over {} samples",
                        series.title,
                        format_time(p.p50.max(0) as Micros),
                        format_time(p.p95.max(0) as Micros),
                        format_time(p.p99.max(0) as Micros),
                        format_time(p.max.max(0) as Micros),
                        p.count
                    ),
                    None => say!("  {}: no samples", series.title),
                },
                SeriesKind::Counter => {
                    let total = m.sum(i, 0, lab.now());
                    let secs = lab.now() as f64 / SEC as f64;
                    say!(
                        "  {}: {total} ({:.1} per second)",
                        series.title,
                        if secs > 0.0 { total as f64 / secs } else { 0.0 }
                    );
                }
                SeriesKind::Gauge => {}
            }
        }
        let chaos = lab.chaos();
        if chaos.rate > 0 || chaos.injected > 0 {
            say!(
                "  chaos: {} injected faults (now {} per virtual second)",
                chaos.injected,
                format_rate(chaos.rate)
            );
        }
        for inv in lab.invariants() {
            match inv.violated {
                None => say!("  ok        {}", inv.name),
                Some((t, d)) => say!("  VIOLATED  {} at {}: {d}", inv.name, format_time(t)),
            }
        }
        say!("link: ?{}&at={}", s.to_query(), lab.now());
        Ok(())
    }

    fn fuzz_cmd(args: Vec<OsString>) -> Result<i32, Failure> {
        let allowed = [
            "protocol",
            "seeds",
            "first-seed",
            "nodes",
            "until",
            "bug",
            "threads",
            "param",
            "shard",
        ];
        let Some(flags) = Flags::parse_with_switches(args, "fuzz", &allowed, &["json"])? else {
            say!("{FUZZ_HELP}{}", protocol_list());
            return Ok(0);
        };
        let info = flags.protocol()?;
        let protocol = info.name.to_string();
        let seeds = flags.seed_range(10_000)?;
        let until = flags.duration("until")?.unwrap_or(20 * SEC);
        let opts = FuzzOptions {
            nodes: flags.number("nodes", info.default_nodes)?,
            until,
            faults_until: until * 6 / 10,
            bugs: flags.all("bug"),
            params: flags.params(&info)?,
            ..FuzzOptions::default()
        };
        let shard = match flags.get("shard") {
            None => Shard { index: 1, of: 1 },
            Some(v) => Shard::parse(v).map_err(|e| flags.usage(e))?,
        };
        let (first, last) = shard.slice(seeds.start, seeds.end);
        let json = flags.switch("json");
        // Validate once up front so a bad option is one message, not one per seed.
        fuzz::fuzz_one(
            &protocol,
            first,
            &FuzzOptions {
                until: 0,
                faults_until: 0,
                ..opts.clone()
            },
        )
        .map_err(|e| flags.usage(e))?;
        let threads: usize = flags.number("threads", fuzz::default_threads())?;
        let started = Instant::now();
        let sweep = fuzz::sweep(first..last, threads.max(1), |seed| {
            fuzz::fuzz_one(&protocol, seed, &opts).expect("validated above")
        });
        let found = sweep.failed;
        let secs = started.elapsed().as_secs_f64();
        if json {
            let failed: Vec<serde_json::Value> = (found.iter())
                .map(|(seed, report)| {
                    serde_json::json!({
                        "seed": seed,
                        "violations": report.violations.iter().map(|(t, f)| serde_json::json!({
                            "invariant": f.invariant,
                            "detail": f.detail,
                            "t_us": t,
                        })).collect::<Vec<_>>(),
                        "replay": report.replay_command(),
                    })
                })
                .collect();
            let summary = serde_json::json!({
                "protocol": protocol,
                "nodes": opts.nodes,
                "until_us": until,
                "bugs": opts.bugs,
                "params": opts.params,
                "shard": { "index": shard.index, "of": shard.of },
                "seeds": { "first": first, "count": last - first },
                "failed": failed,
                "events": sweep.events,
                "seconds": secs,
            });
            say!("{summary}");
            return Ok(if found.is_empty() { 0 } else { 1 });
        }
        for (seed, report) in &found {
            for (t, f) in &report.violations {
                say!(
                    "seed {seed}: {} violated at {}: {}",
                    f.invariant,
                    format_time(*t),
                    f.detail
                );
            }
            say!("  replay: {}", report.replay_command());
        }
        let shard_words = if shard.of > 1 {
            format!(
                " (shard {} of {}: seeds {first} to {})",
                shard.index,
                shard.of,
                last.saturating_sub(1)
            )
        } else {
            String::new()
        };
        say!(
            "{}{shard_words} seeds of {} ({}, {} each{}) in {secs:.1} s: {} with violations; {:.0} events/s",
            last - first,
            info.title,
            main_nodes(&info, opts.nodes),
            format_time(until),
            if opts.bugs.is_empty() {
                String::new()
            } else {
                format!(", bugs: {}", opts.bugs.join(","))
            },
            found.len(),
            sweep.events as f64 / secs
        );
        Ok(if found.is_empty() { 0 } else { 1 })
    }

    /// One of `of` disjoint, contiguous slices of a seed range (`--shard K/N`), so a batch
    /// runner can spread a campaign over machines and merge the results.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Shard {
        index: u64,
        of: u64,
    }

    impl Shard {
        fn parse(v: &str) -> Result<Shard, String> {
            let parsed = v
                .split_once('/')
                .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
            match parsed {
                Some((index, of)) if (1..=of).contains(&index) => Ok(Shard { index, of }),
                _ => Err(format!(
                    "--shard {v}: expected K/N with 1 ≤ K ≤ N, e.g. --shard 2/8"
                )),
            }
        }

        /// This shard's part `[first, last)` of the seeds `[first, last)`.
        fn slice(self, first: u64, last: u64) -> (u64, u64) {
            let len = (last - first) as u128;
            let at = |k: u64| first + (len * k as u128 / self.of as u128) as u64;
            (at(self.index - 1), at(self.index))
        }
    }

    fn compare_cmd(args: Vec<OsString>) -> Result<i32, Failure> {
        let allowed = [
            "protocol",
            "link",
            "sweep",
            "seeds",
            "first-seed",
            "seed",
            "until",
            "latency",
            "nodes",
            "load",
            "param",
            "bug",
            "threads",
        ];
        let Some(flags) = Flags::parse_with_switches(args, "compare", &allowed, &["json"])? else {
            say!("{COMPARE_HELP}{}", protocol_list());
            return Ok(0);
        };
        let (mut base, _) = scenario_from(&flags)?;
        let info = protocols::info(&base.protocol)
            .ok_or_else(|| flags.usage(format!("unknown protocol '{}'", base.protocol)))?;
        if let Some(range) = flags.get("latency") {
            let (lo, hi) = compare::parse_latency(range).map_err(|e| flags.usage(e))?;
            base.net.latency_min = lo;
            base.net.latency_max = hi;
        }
        let params = flags.all("param");
        let sets =
            |key: &str| (params.iter()).find(|p| p.split_once('=').is_some_and(|(k, _)| k == key));
        let sweep = match (flags.get("sweep"), info.compare.sweep) {
            (Some(text), _) => {
                Some(compare::Sweep::parse(text, &info).map_err(|e| flags.usage(e))?)
            }
            // The protocol's own comparison, unless --param fixes that parameter.
            (None, Some(key)) if sets(key).is_none() => {
                Some(compare::Sweep::parse(key, &info).map_err(|e| flags.usage(e))?)
            }
            (None, _) => None,
        };
        if let Some(sweep) = &sweep
            && let Some(p) = sets(sweep.key)
        {
            return Err(flags.usage(format!(
                "--param {p} and --sweep {} set the same parameter; drop one",
                sweep.key
            )));
        }
        let seeds = match flags.get("seed") {
            Some(_) if flags.get("seeds").is_some() || flags.get("first-seed").is_some() => {
                return Err(flags.usage(
                    "--seed runs one seed; drop it, or drop --seeds and --first-seed".into(),
                ));
            }
            Some(_) => base.seed..base.seed.saturating_add(1),
            None => match flags.seed_range(20)? {
                seeds if seeds.is_empty() => {
                    return Err(flags.usage("--seeds must be at least 1".into()));
                }
                seeds => seeds,
            },
        };
        let until = flags.duration("until")?.unwrap_or(compare::DEFAULT_UNTIL);
        let opts = compare::CompareOptions {
            base,
            sweep,
            seeds: seeds.clone(),
            until,
            threads: flags.number("threads", fuzz::default_threads())?,
        };
        let started = Instant::now();
        let comparison = compare::compare(&opts).map_err(|e| flags.usage(e))?;
        let secs = started.elapsed().as_secs_f64();
        if flags.switch("json") {
            say!("{}", compare::to_json(&comparison));
        } else {
            let given = flags.all("param");
            say!(
                "{}: {} ({} to {}) × {} of virtual time, {}, latency {}–{} ms{}",
                info.title,
                match seeds.end - seeds.start {
                    1 => "1 seed".to_string(),
                    n => format!("{n} seeds"),
                },
                seeds.start,
                seeds.end - 1,
                duration_words(until),
                main_nodes(&info, opts.base.nodes),
                millis(opts.base.net.latency_min),
                millis(opts.base.net.latency_max),
                if given.is_empty() {
                    String::new()
                } else {
                    format!(", {}", given.join(", "))
                }
            );
            say!(
                "Faults: one {} at a time crashes {}–{} s after the last restart and stays down {}–{} s.",
                info.compare.crashes.unwrap_or("main node"),
                compare::CRASH_GAP.start() / SEC,
                compare::CRASH_GAP.end() / SEC,
                compare::DOWNTIME.start() / SEC,
                compare::DOWNTIME.end() / SEC
            );
            say!("{}", compare::table(&comparison).trim_end());
            let broken = compare::violations_text(&comparison);
            if !broken.is_empty() {
                say!("{}", broken.trim_end());
            }
        }
        let runs: u64 = comparison.rows.iter().map(|r| r.runs).sum();
        let events: u64 = comparison.rows.iter().map(|r| r.events).sum();
        eprintln!("quorumscope: {runs} runs, {events} events in {secs:.1} s");
        let violated = comparison.rows.iter().any(|r| r.violated_runs > 0);
        Ok(if violated { 1 } else { 0 })
    }

    /// `1 server`, `4 servers`.
    fn counted(count: usize, name: &str) -> String {
        format!("{count} {name}{}", if count == 1 { "" } else { "s" })
    }

    /// The main kind's count for people: `5 nodes`, or, for a protocol with one node of its
    /// main kind, that node's role (`1 balancer`).
    fn main_nodes(info: &ProtocolInfo, nodes: usize) -> String {
        match info.roles.first() {
            Some(role) if info.max_nodes == 1 => counted(nodes, role),
            _ => counted(nodes, "node"),
        }
    }

    /// A run length for people: whole minutes as `10 min`, else as [`format_time`] writes it.
    fn duration_words(t: Micros) -> String {
        if t >= 60 * SEC && t.is_multiple_of(60 * SEC) {
            format!("{} min", t / (60 * SEC))
        } else {
            format_time(t)
        }
    }

    fn bench(args: Vec<OsString>) -> Result<i32, Failure> {
        let Some(flags) = Flags::parse(args, "bench", &["protocol"])? else {
            say!("{BENCH_HELP}{}", protocol_list());
            return Ok(0);
        };
        let info = flags.protocol()?;
        let mut s = Scenario::defaults(info.name);
        s.seed = 7;
        s.client_rate = 100;
        let mut lab = protocols::create_untraced(&s)?;
        let extra: String = (lab.setup().extra.iter())
            .map(|k| format!(" + {}", counted(k.count, k.name)))
            .collect();
        say!(
            "{} benchmark ({}{extra}, steady client load {} req/s, checker on)",
            info.title,
            main_nodes(&info, s.nodes),
            s.client_rate
        );

        let started = Instant::now();
        lab.advance_to(600 * SEC);
        let secs = started.elapsed().as_secs_f64();
        say!(
            "  untraced: {} events over 10 min virtual in {secs:.3} s = {:.2} M events/s",
            lab.events(),
            lab.events() as f64 / secs / 1e6
        );

        let mut lab = protocols::create(&s)?;
        let started = Instant::now();
        lab.advance_to(600 * SEC);
        let secs = started.elapsed().as_secs_f64();
        say!(
            "  traced:   {} events, {} trace lines in {secs:.3} s = {:.2} M events/s",
            lab.events(),
            lab.trace_len(),
            lab.events() as f64 / secs / 1e6
        );
        let started = Instant::now();
        lab.seek(300 * SEC);
        let middle = started.elapsed().as_secs_f64() * 1e3;
        let mut worst = middle;
        let points = [150 * SEC, 450 * SEC, 299 * SEC, 599 * SEC, SEC];
        for t in points {
            let started = Instant::now();
            lab.seek(t);
            worst = worst.max(started.elapsed().as_secs_f64() * 1e3);
        }
        say!(
            "  seek from the end to the middle of a 10-minute run: {middle:.3} ms (worst of 6 seeks {worst:.3} ms)"
        );
        lab.seek(600 * SEC);
        let started = Instant::now();
        let jsonl = lab.trace_jsonl();
        say!(
            "  trace export: {} lines, {:.1} MB in {:.0} ms",
            jsonl.lines().count(),
            jsonl.len() as f64 / 1e6,
            started.elapsed().as_secs_f64() * 1e3
        );
        bench_clocks(lab.as_ref())?;
        Ok(0)
    }

    /// What the logical clocks cost on the 10-minute run: a first click (the pass from the
    /// start, keeping its snapshots), later clicks, a window's labels, the ShiViz export.
    fn bench_clocks(lab: &dyn Lab) -> Result<(), Failure> {
        let sends = |t: Micros| -> Vec<CommEvent> {
            (lab.spans(t, t + 50 * MS).iter())
                .filter(|s| s.sent >= t)
                .map(|s| CommEvent {
                    msg: s.id,
                    delivery: false,
                })
                .collect()
        };
        let timed = |what: &dyn Fn()| {
            let started = Instant::now();
            what();
            started.elapsed().as_secs_f64() * 1e3
        };
        let click = |t: Micros| {
            let e = sends(t);
            timed(&|| drop(e.first().and_then(|&e| lab.cone(e))))
        };
        // The first click passes over the run up to its event, the next one further on carries
        // the pass on, and the rest start from a snapshot.
        let (first, further) = (click(300 * SEC), click(550 * SEC));
        let worst = [100, 299, 20, 590, 450]
            .map(|t| click(t * SEC))
            .into_iter()
            .fold(0.0, f64::max);
        let window: Vec<CommEvent> = (0..20)
            .flat_map(|i| sends(400 * SEC + i * 50 * MS))
            .collect();
        let labels = timed(&|| drop(lab.clocks(&window)));
        let started = Instant::now();
        let log = lab.shiviz_chunk(0, usize::MAX).0;
        say!(
            "  logical clocks: a first click (causal past and future of an event at 5 min) {first:.1} ms, one at 9 min 10 s {further:.1} ms, then at most {worst:.1} ms; clocks of {} events in 1 s of the run {labels:.1} ms; ShiViz export {} lines, {:.1} MB in {:.0} ms",
            window.len(),
            log.lines().count(),
            log.len() as f64 / 1e6,
            started.elapsed().as_secs_f64() * 1e3
        );
        Ok(())
    }

    /// `check-history FILE --model M`: reads a client history and checks it for
    /// linearizability; exit 0 linearizable, 1 not, 2 malformed, 3 undecided.
    fn check_history(args: Vec<OsString>) -> Result<i32, Failure> {
        use lexopt::prelude::*;
        use quorumscope::consistency::{History, Model, Verdict, check};
        let usage = |message: String| Failure::Usage {
            message: format!("{message}\nusage: {CHECK_HISTORY_USAGE}"),
            command: Some("check-history"),
        };
        let (mut file, mut model) = (None, None);
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next().map_err(|e| usage(e.to_string()))? {
            match arg {
                Short('h') | Long("help") => {
                    say!("{CHECK_HISTORY_HELP}");
                    return Ok(0);
                }
                Long("model") => {
                    let name = parser
                        .value()
                        .and_then(|v| v.string())
                        .map_err(|e| usage(e.to_string()))?;
                    model = Some(Model::from_name(&name).ok_or_else(|| {
                        usage(format!(
                            "unknown model '{name}' (models: register, cas-register, kv)"
                        ))
                    })?);
                }
                Value(path) if file.is_none() => file = Some(path),
                other => return Err(usage(other.unexpected().to_string())),
            }
        }
        let Some(file) = file else {
            return Err(usage("no history file given".into()));
        };
        let Some(model) = model else {
            return Err(usage("--model is required".into()));
        };
        let shown = file.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file)
            .map_err(|e| usage(format!("cannot read {shown}: {e}")))?;
        let verdict = History::from_jsonl(&text).and_then(|h| Ok((check(&h, model)?, h)));
        let (verdict, history) = match verdict {
            Ok(v) => v,
            Err(e) => {
                eprintln!("quorumscope: {shown}: {e}");
                return Ok(2);
            }
        };
        let key_words = |key: &Option<String>| match key {
            Some(k) => format!(" on key {}", quorumscope::sim::json::quoted(k)),
            None => String::new(),
        };
        match verdict {
            Verdict::Linearizable(_) => {
                say!("linearizable");
                Ok(0)
            }
            Verdict::NotLinearizable {
                key,
                culprit,
                witness,
            } => {
                say!("not linearizable");
                let stuck = history.operations[culprit].completed_at;
                say!(
                    "witness: {} operation{}{} that cannot be ordered (no order reaches the completion on line {}):",
                    witness.len(),
                    if witness.len() == 1 { "" } else { "s" },
                    key_words(&key),
                    stuck.unwrap_or_default()
                );
                for id in witness {
                    say!("  {}", history.operations[id]);
                }
                Ok(1)
            }
            Verdict::GaveUp { key, states } => {
                say!(
                    "undecided: gave up after {states} states{} (the history is too concurrent to search exhaustively)",
                    key_words(&key)
                );
                Ok(3)
            }
        }
    }
}
