//! Time: physical clock synchronisation with Cristian's algorithm, Berkeley's and NTP's.
//!
//! A run holds a time server (node 1: under Cristian and NTP a reference clock that reads the
//! true time; under Berkeley a master with an ordinary clock) and `clocks` clocks, each with an
//! offset and a drift drawn from the seed ([`clock`]). The virtual time is the true time: the
//! page shows each node's reading beside it, charts every clock's offset from it, and the
//! checker ([`checker`]) holds each algorithm to the error it claims. Latency asymmetry (a
//! slow direction, from the node menu or a link) shows the error it causes.
//!
//! * [`node`] — the algorithms and the run's settings;
//! * [`filter`] — NTP's clock filter;
//! * [`msg`] — messages and the notes written to the trace.

#![warn(missing_docs)]

pub mod checker;
pub mod clock;
pub mod filter;
pub mod msg;
pub mod node;
pub mod store;

pub use checker::ClockChecker;
pub use node::{ClockNode, Settings};

use crate::sim::metrics::Series;
use crate::sim::param::Unit;
use crate::sim::{
    BugSpec, ChartSpec, CompareSpec, Host, InvariantSpec, KindSpec, Knob, LiveSpec, MS, NodeId,
    Panel, ParamSpec, Picture, Placement, Protocol, ProtocolInfo, SEC, Setup,
};

/// The server's kind name (the main kind, one node).
pub const SERVER: &str = "time server";
/// The clocks' kind name.
pub const CLOCK: &str = "clock";
/// The count parameter of clocks: `clocks=4` in links.
pub const CLOCKS: &str = "clocks";
/// The server's id.
pub const SERVER_ID: NodeId = 1;
/// The knob that steps a clock (a fault): the total jump so far, in ms.
pub const KNOB_STEP: &str = "step";

/// Bug key: Cristian's clock forgets the answer's travel time.
pub const BUG_IGNORE_ROUND_TRIP: &str = "ignore_round_trip";
/// Bug key: NTP's offset formula with a wrong sign.
pub const BUG_OFFSET_SIGN: &str = "offset_sign";
/// Bug key: Berkeley's clocks move the wrong way.
pub const BUG_ADJUST_BACKWARDS: &str = "adjust_backwards";

const BUGS: [BugSpec; 3] = [
    BugSpec {
        key: BUG_IGNORE_ROUND_TRIP,
        description: "Cristian: a clock takes the server's time as it is, forgetting the answer's time on the wire (Error Within the Claimed Bound).",
    },
    BugSpec {
        key: BUG_OFFSET_SIGN,
        description: "NTP: the offset is ((t2 − t1) − (t3 − t4)) / 2, a wrong sign (Error Within the Claimed Bound).",
    },
    BugSpec {
        key: BUG_ADJUST_BACKWARDS,
        description: "Berkeley: clocks move away from the average, not to it (Clocks Agree).",
    },
];

const INVARIANTS: [InvariantSpec; 3] = [
    InvariantSpec {
        name: checker::WITHIN_BOUND,
        statement: "Cristian, NTP: a clock is within the error it claims (half the delay of the exchange it trusts, what it has still to slew, its rated drift since) of the true time.",
    },
    InvariantSpec {
        name: checker::AGREE,
        statement: "Berkeley: the clocks that applied a round's adjustments agree within what the round claims.",
    },
    InvariantSpec {
        name: checker::NO_LOST_UPDATE,
        statement: "With a store: no replica keeps a write of x over a later one that followed it (store=lww breaks it under clock skew).",
    },
];

/// The metric series every node writes.
pub mod series {
    use crate::sim::metrics::{Series, SeriesKind};

    /// Each clock's reading minus the true time, µs.
    pub const OFFSET: Series = Series {
        name: "offset",
        kind: SeriesKind::Gauge,
        title: "Offset of each clock from true time (ms)",
    };
    /// A clock's real error (the offset's size), µs, while it claims a bound.
    pub const ERROR: Series = Series {
        name: "error",
        kind: SeriesKind::Gauge,
        title: "Real error and claimed bound of each clock (ms)",
    };
    /// The bound a clock claims, µs.
    pub const BOUND: Series = Series {
        name: "bound",
        kind: SeriesKind::Gauge,
        title: "Claimed error bound of each clock (ms)",
    };
}

const SERIES: [Series; 3] = [series::OFFSET, series::ERROR, series::BOUND];

const PARAMS: [ParamSpec; 14] = [
    ParamSpec::new(
        "algorithm",
        "Algorithm",
        Unit::Choice(node::ALGORITHMS),
        0,
        0,
        3,
    ),
    ParamSpec::new(CLOCKS, "Clocks", Unit::Count, 4, 1, 16),
    ParamSpec::new(
        "skew",
        "Initial offsets, up to ±",
        Unit::Micros,
        200 * MS,
        0,
        60 * SEC,
    ),
    ParamSpec::new(
        "drift",
        "Rated drift, up to ± (ppm)",
        Unit::Count,
        100,
        0,
        10_000,
    ),
    ParamSpec::new(
        "poll",
        "Time between synchronisations",
        Unit::Micros,
        2 * SEC,
        10 * MS,
        60 * SEC,
    ),
    ParamSpec::new(
        "processing",
        "Server's time to answer, up to",
        Unit::Micros,
        MS,
        0,
        SEC,
    ),
    ParamSpec::new(
        "faulty",
        "Faulty clock (0 = none; k = the k-th)",
        Unit::Count,
        0,
        0,
        16,
    ),
    ParamSpec::new(
        "fault_drift",
        "Faulty clock's drift (ppm)",
        Unit::Count,
        20_000,
        0,
        500_000,
    ),
    ParamSpec::new(
        "outlier",
        "Berkeley: leave out offsets further from the median than (0 = none)",
        Unit::Micros,
        20 * MS,
        0,
        60 * SEC,
    ),
    ParamSpec::new(
        "filter",
        "NTP: samples the clock filter keeps",
        Unit::Count,
        8,
        1,
        64,
    ),
    ParamSpec::new(
        "step_limit",
        "NTP: step corrections above",
        Unit::Micros,
        128 * MS,
        0,
        60 * SEC,
    ),
    ParamSpec::new(
        "slew",
        "NTP: slew rate (ppm)",
        Unit::Count,
        5_000,
        1,
        100_000,
    ),
    ParamSpec::new(
        "store",
        "Replicated register x, reconciled by",
        Unit::Choice(store::MODES),
        0,
        0,
        2,
    ),
    ParamSpec::new(
        "writes",
        "Time between a clock's writes of x",
        Unit::Micros,
        SEC,
        10 * MS,
        60 * SEC,
    ),
];

/// What a visitor changes mid-run: a fault that steps a clock, from its menu.
const LIVE: LiveSpec = LiveSpec {
    params: &[],
    knobs: &[Knob {
        kind: CLOCK,
        key: KNOB_STEP,
        label: "Fault step",
        unit: " ms",
        min: 0,
        max: 3_600_000,
        initial: |_, _| 0,
        presets: &[0, 50, 500, 5_000],
    }],
};

/// The charts: offsets, then real error against the claimed bound (Berkeley claims no bound on
/// the true time, free clocks none at all).
const CHARTS: [ChartSpec; 2] = [
    ChartSpec::of(series::OFFSET.title, &[series::OFFSET.name]).per(1_000),
    ChartSpec::of(
        series::ERROR.title,
        &[series::ERROR.name, series::BOUND.name],
    )
    .per(1_000)
    .unless("algorithm", &["berkeley", "none"]),
];

/// Clock synchronisation, as registered with the simulator.
pub struct ClockSync;

impl Protocol for ClockSync {
    type Node = ClockNode;
    type Checker = ClockChecker;

    fn info() -> ProtocolInfo {
        ProtocolInfo {
            name: "clocksync",
            title: "Clock synchronisation",
            min_nodes: 1,
            max_nodes: 1,
            default_nodes: 1,
            default_latency: (2 * MS, 10 * MS),
            params: Vec::from(PARAMS),
            bugs: Vec::from(BUGS),
            invariants: Vec::from(INVARIANTS),
            roles: vec![SERVER],
            epoch_name: "",
            client_label: "Write x",
            timeout_label: "Synchronise now",
            series: Vec::from(SERIES),
            kinds: vec![KindSpec {
                name: CLOCK,
                count: CLOCKS,
                host: Host::Protocol,
                panel: Panel::Table,
            }],
            picture: Picture {
                placement: Placement::Star { hub: SERVER },
                panel: Panel::Table,
                charts: Vec::from(CHARTS),
                ..Picture::default()
            },
            compare: CompareSpec {
                sweep: Some("algorithm"),
                crashes: Some(CLOCK),
            },
            live: LIVE,
        }
    }

    fn validate(setup: &Setup) -> Result<(), String> {
        let s = Settings::of(setup);
        if let Some((id, _)) = s.faulty
            && !s.clocks.contains(&id)
        {
            return Err(format!(
                "there is no {}-th clock to make faulty",
                setup.param("faulty")
            ));
        }
        Ok(())
    }

    fn new_node(id: NodeId, setup: &Setup) -> ClockNode {
        ClockNode::new(id, &Settings::of(setup))
    }

    fn new_checker(_setup: &Setup) -> ClockChecker {
        ClockChecker::default()
    }
}
