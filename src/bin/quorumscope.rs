//! `quorumscope`: the command-line face of the simulator — run one scenario, fuzz many seeds,
//! or print benchmark figures. See `quorumscope --help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::main(&args) {
        Ok(code) => std::process::exit(code),
        Err(message) => {
            eprintln!("quorumscope: {message}");
            eprintln!("Try 'quorumscope --help'.");
            std::process::exit(2);
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::collections::BTreeMap;
    use std::time::Instant;

    use quorumscope::fuzz::{self, FuzzOptions};
    use quorumscope::protocols;
    use quorumscope::scenario::Scenario;
    use quorumscope::sim::time::{format_time, parse_duration};
    use quorumscope::sim::trace::digest;
    use quorumscope::sim::{Lab, SEC};

    const HELP: &str = "\
quorumscope — deterministic distributed-systems simulator

USAGE:
  quorumscope run   [--protocol raft] [--nodes 5] [--seed 42] [--until 60s] [--faults random]
                    [--load N] [--bug NAME]... [--param KEY=VALUE]... [--link URL] [--trace FILE]
  quorumscope fuzz  [--protocol raft] [--seeds 10000] [--first-seed 1] [--nodes 5] [--until 20s]
                    [--bug NAME]... [--param KEY=VALUE]... [--threads N]
  quorumscope bench [--protocol raft]

run    Runs one scenario and prints a summary. --link replays a permalink copied from the page
       (its scenario and recorded actions); --trace writes the JSON Lines trace. The same seed
       and actions always give a byte-identical trace.
fuzz   Runs many seeds under random faults on all cores; prints every violation with the
       command that replays it; exits 1 if any invariant was violated.
bench  Prints performance figures (simulated events per second, seek latency).

--param sets a protocol parameter as in a link (durations in ms), e.g. --param proposers=2.

Protocols: ";

    /// Parsed `--flag value` pairs; repeated flags keep every value.
    struct Flags(BTreeMap<String, Vec<String>>);

    impl Flags {
        fn parse(args: &[String], allowed: &[&str]) -> Result<Flags, String> {
            let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                let Some(name) = a.strip_prefix("--") else {
                    return Err(format!("unexpected argument '{a}'"));
                };
                if !allowed.contains(&name) {
                    return Err(format!("unknown option '--{name}'"));
                }
                let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                map.entry(name.to_string()).or_default().push(value.clone());
            }
            Ok(Flags(map))
        }
        fn get(&self, name: &str) -> Option<&str> {
            self.0.get(name).and_then(|v| v.last()).map(String::as_str)
        }
        fn all(&self, name: &str) -> Vec<String> {
            self.0.get(name).cloned().unwrap_or_default()
        }
        fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
            match self.get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("--{name} expects a whole number, not '{v}'")),
            }
        }
        fn duration(&self, name: &str, default: u64) -> Result<u64, String> {
            self.get(name).map_or(Ok(default), |v| {
                parse_duration(v).map_err(|e| format!("--{name}: {e}"))
            })
        }
    }

    pub fn main(args: &[String]) -> Result<i32, String> {
        let names: Vec<&str> = protocols::list().iter().map(|i| i.name).collect();
        match args.first().map(String::as_str) {
            Some("run") => run(&args[1..]),
            Some("fuzz") => fuzz_cmd(&args[1..]),
            Some("bench") => bench(&args[1..]),
            None | Some("--help") | Some("-h") | Some("help") => {
                println!("{HELP}{}", names.join(", "));
                Ok(0)
            }
            Some(other) => Err(format!("unknown command '{other}'")),
        }
    }

    fn scenario_from(flags: &Flags) -> Result<Scenario, String> {
        if let Some(link) = flags.get("link") {
            for clash in ["protocol", "nodes", "seed", "bug", "load", "param"] {
                if flags.get(clash).is_some() {
                    return Err(format!("--link already fixes the scenario; drop --{clash}"));
                }
            }
            return Scenario::parse_link(link).map_err(|e| format!("--link: {e}"));
        }
        let protocol = flags.get("protocol").unwrap_or("raft");
        let info =
            protocols::info(protocol).ok_or_else(|| format!("unknown protocol '{protocol}'"))?;
        let mut s = Scenario::defaults(protocol);
        s.nodes = flags.number("nodes", info.default_nodes)?;
        s.seed = flags.number("seed", 42)?;
        s.client_rate = flags.number("load", 0)?;
        s.bugs = flags.all("bug").into_iter().collect();
        s.setup(&info)?;
        let params = param_query(flags)?;
        if !params.is_empty() {
            s = Scenario::parse_link(&format!("{}&{params}", s.to_query()))
                .map_err(|e| format!("--param: {e}"))?;
        }
        Ok(s)
    }

    /// `--param k=v` flags joined into link form, checked for shape.
    fn param_query(flags: &Flags) -> Result<String, String> {
        let params = flags.all("param");
        for p in &params {
            if !p.contains('=') || p.contains('&') {
                return Err(format!("--param expects KEY=VALUE, not '{p}'"));
            }
        }
        Ok(params.join("&"))
    }

    fn run(args: &[String]) -> Result<i32, String> {
        let flags = Flags::parse(
            args,
            &[
                "protocol", "nodes", "seed", "until", "faults", "link", "trace", "load", "bug",
                "param",
            ],
        )?;
        let scenario = scenario_from(&flags)?;
        let until = flags.duration("until", 60 * SEC)?;
        let mut lab = protocols::create(&scenario)?;
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
            Some(other) => return Err(format!("--faults takes 'random' or 'none', not '{other}'")),
        }
        let trace = lab.trace_jsonl();
        if let Some(path) = flags.get("trace") {
            std::fs::write(path, &trace)
                .map_err(|e| format!("cannot write the trace to {path}: {e}"))?;
        }
        print_summary(lab.as_ref(), &trace);
        Ok(if fuzz::violations(lab.as_ref()).is_empty() {
            0
        } else {
            1
        })
    }

    fn print_summary(lab: &dyn Lab, trace: &str) {
        let info = lab.info();
        let s = lab.scenario();
        println!(
            "{} · {} nodes · seed {} · {} simulated",
            info.title,
            s.nodes,
            s.seed,
            format_time(lab.now())
        );
        println!(
            "events {} · trace lines {} · trace digest {:016x}",
            lab.events(),
            lab.trace_len() + 1,
            digest(trace)
        );
        for n in lab.nodes() {
            println!(
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
            println!("  {label}: {value}");
        }
        for inv in lab.invariants() {
            match inv.violated {
                None => println!("  ok        {}", inv.name),
                Some((t, d)) => println!("  VIOLATED  {} at {}: {d}", inv.name, format_time(t)),
            }
        }
        println!("link: ?{}", s.to_query());
    }

    fn fuzz_cmd(args: &[String]) -> Result<i32, String> {
        let flags = Flags::parse(
            args,
            &[
                "protocol",
                "seeds",
                "first-seed",
                "nodes",
                "until",
                "bug",
                "threads",
                "param",
            ],
        )?;
        let protocol = flags.get("protocol").unwrap_or("raft").to_string();
        let info =
            protocols::info(&protocol).ok_or_else(|| format!("unknown protocol '{protocol}'"))?;
        let seeds: u64 = flags.number("seeds", 10_000)?;
        let first: u64 = flags.number("first-seed", 1)?;
        let until = flags.duration("until", 20 * SEC)?;
        let opts = FuzzOptions {
            nodes: flags.number("nodes", info.default_nodes)?,
            until,
            faults_until: until * 6 / 10,
            bugs: flags.all("bug"),
            params: param_query(&flags)?,
            ..FuzzOptions::default()
        };
        // Validate once up front so a bad option is one message, not one per seed.
        fuzz::fuzz_one(
            &protocol,
            first,
            &FuzzOptions {
                until: 0,
                faults_until: 0,
                ..opts.clone()
            },
        )?;
        let threads: usize = flags.number("threads", fuzz::default_threads())?;
        let started = Instant::now();
        let sweep = fuzz::sweep(first..first + seeds, threads, |seed| {
            fuzz::fuzz_one(&protocol, seed, &opts).expect("validated above")
        });
        let found = sweep.failed;
        for (seed, report) in &found {
            for (t, f) in &report.violations {
                println!(
                    "seed {seed}: {} violated at {}: {}",
                    f.invariant,
                    format_time(*t),
                    f.detail
                );
            }
            println!(
                "  replay: cargo run --release --bin quorumscope -- run --link '?{}' --until {}us",
                report.link, report.end
            );
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{seeds} seeds of {} ({} nodes, {} each{}) in {secs:.1} s: {} with violations; {:.0} events/s",
            info.title,
            opts.nodes,
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

    fn bench(args: &[String]) -> Result<i32, String> {
        let flags = Flags::parse(args, &["protocol"])?;
        let protocol = flags.get("protocol").unwrap_or("raft");
        let info =
            protocols::info(protocol).ok_or_else(|| format!("unknown protocol '{protocol}'"))?;
        let mut s = Scenario::defaults(protocol);
        s.seed = 7;
        s.client_rate = 100;
        println!(
            "{} benchmark (5 nodes, steady client load {} req/s, checker on)",
            info.title, s.client_rate
        );

        let mut lab = protocols::create_untraced(&s)?;
        let started = Instant::now();
        lab.advance_to(600 * SEC);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "  untraced: {} events over 10 min virtual in {secs:.3} s = {:.2} M events/s",
            lab.events(),
            lab.events() as f64 / secs / 1e6
        );

        let mut lab = protocols::create(&s)?;
        let started = Instant::now();
        lab.advance_to(600 * SEC);
        let secs = started.elapsed().as_secs_f64();
        println!(
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
        println!(
            "  seek from the end to the middle of a 10-minute run: {middle:.3} ms (worst of 6 seeks {worst:.3} ms)"
        );
        lab.seek(600 * SEC);
        let started = Instant::now();
        let jsonl = lab.trace_jsonl();
        println!(
            "  trace export: {} lines, {:.1} MB in {:.0} ms",
            jsonl.lines().count(),
            jsonl.len() as f64 / 1e6,
            started.elapsed().as_secs_f64() * 1e3
        );
        Ok(0)
    }
}
