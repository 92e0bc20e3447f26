//! What a protocol's page looks like, declared by the protocol and drawn by the page.
//!
//! The page never names a protocol. A protocol says which kinds of node a run holds (servers,
//! clients, a balancer, a manager …), where they stand (a ring of peers, columns by kind, a star
//! around a hub), what each kind's panel shows (a log strip, a key–value table, a clock reading,
//! a queue) and which charts of its metric series the page draws. Everything else follows.

use super::node::NodeId;
use super::time::{Micros, SEC};

/// A kind of node besides the protocol's main one (its peers, counted by `nodes=`).
///
/// Nodes are numbered by kind in declaration order: the main kind holds `1..=nodes`, the first
/// extra kind the ids after it, and so on; so a run without extra nodes is numbered as before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSpec {
    /// The kind's name for people, singular and lower case: `client`, `balancer`. It stands
    /// in the node's accessible name (`Node 7, client, …`).
    pub name: &'static str,
    /// The key of the count parameter (a [`super::ParamSpec::count`] the protocol declares),
    /// e.g. `clients`: links, the settings panel and `--param` set the count like any other.
    pub count: &'static str,
    /// Who runs these nodes.
    pub host: Host,
    /// What the page shows of each such node.
    pub panel: Panel,
}

/// Who runs the nodes of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// The protocol's own node type (its `new_node` builds them; e.g. a balancer).
    Protocol,
    /// The engine's workload generator ([`super::workload::Client`]): requests and responses
    /// on the wire, sent to the protocol's main kind.
    Workload,
}

/// How a protocol wants its run drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Where nodes stand.
    pub placement: Placement,
    /// What the page shows of each node of the main kind.
    pub panel: Panel,
    /// The charts the page draws, in order.
    pub charts: Vec<ChartSpec>,
    /// The trade-off the page measures on request, if the protocol has one to show.
    pub tradeoff: Option<TradeoffSpec>,
}

/// A trade-off the page measures when asked (its "Trade-off" panel): one parameter swept over
/// a few seeded runs under the gentle crashes of `quorumscope compare`, with the checker's
/// figures drawn against the swept values. The numbers are the command line's for the same
/// seeds, duration, network and parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeoffSpec {
    /// The sweeps; the first whose condition holds at the visitor's settings is measured.
    pub sweeps: &'static [TradeoffSweep],
    /// The checker's figures drawn, by name ([`super::figure::Figure::name`]): durations as
    /// their mean, counts per virtual hour.
    pub figures: &'static [&'static str],
}

/// One parameter a [`TradeoffSpec`] sweeps, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeoffSweep {
    /// Applies while the named choice parameter has the named value, e.g.
    /// `("detector", "phi")`; `None`: always.
    pub when: Option<(&'static str, &'static str)>,
    /// The swept parameter's key.
    pub key: &'static str,
    /// Its values, stored as the parameter stores them (µs for a duration), in order.
    pub values: &'static [u64],
}

impl Default for Picture {
    /// A ring of peers with their logs and no charts.
    fn default() -> Self {
        Picture {
            placement: Placement::Ring,
            panel: Panel::Log,
            charts: Vec::new(),
            tradeoff: None,
        }
    }
}

/// Where nodes stand on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The main kind on a ring of peers; nodes of other kinds in a column beside it.
    Ring,
    /// One column per kind, left to right, in the order given by kind name (the main kind is
    /// named by its first role), e.g. `client | balancer | server`.
    Columns(&'static [&'static str]),
    /// The named kind in the centre, every other node around it.
    Star {
        /// The kind at the hub, e.g. `manager`.
        hub: &'static str,
    },
}

/// What the page shows of one node besides its glyph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// The node's replicated log as a strip of entries ([`super::NodeView::log`]).
    Log,
    /// Named values as a two-column table ([`super::NodeView::fields`]).
    Table,
}

/// A chart the page draws from metric series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartSpec {
    /// What the chart shows, for people; also its accessible name's start.
    pub title: &'static str,
    /// The series drawn, by name; all of one [`super::metrics::SeriesKind`], which decides the
    /// plot: latencies as p50/p95/p99 bands over a sliding window, counters as rates per
    /// second, gauges as one line per node.
    pub series: &'static [&'static str],
    /// Sliding window for percentiles and rates.
    pub window: Micros,
    /// The kind (by name) that must have at least one node for the chart to be shown, e.g.
    /// `client` for client latency; `None` to show it always.
    pub needs: Option<&'static str>,
    /// Gauge samples count in units of 1/`per` of what the chart shows (a level such as φ is
    /// written as an integer number of hundredths): values are divided by it.
    pub per: u32,
    /// A level drawn across the chart, e.g. a failure detector's threshold.
    pub limit: Option<Limit>,
    /// Not shown while the named choice parameter has one of these values, e.g.
    /// `("algorithm", &["berkeley"])`: a chart of claims an algorithm does not make.
    pub unless: Option<(&'static str, &'static [&'static str])>,
}

/// A level a chart draws across its plot, its value read from the run's setup (so it follows
/// the visitor's settings).
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Its name, e.g. `threshold`.
    pub label: &'static str,
    /// Its value, in the chart's units.
    pub at: fn(&super::Setup) -> f64,
}

/// Two limits are the same line when they have the same name (function pointers cannot be
/// compared meaningfully).
impl PartialEq for Limit {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label
    }
}
impl Eq for Limit {}

impl ChartSpec {
    /// A chart of `series` over one-second windows, always shown.
    pub const fn of(title: &'static str, series: &'static [&'static str]) -> Self {
        ChartSpec {
            title,
            series,
            window: SEC,
            needs: None,
            per: 1,
            limit: None,
            unless: None,
        }
    }

    /// The same chart, its gauge samples read as hundredths (or other fractions) of a unit.
    pub const fn per(self, per: u32) -> Self {
        ChartSpec { per, ..self }
    }

    /// The same chart with a level drawn across it.
    pub const fn limit(self, label: &'static str, at: fn(&super::Setup) -> f64) -> Self {
        ChartSpec {
            limit: Some(Limit { label, at }),
            ..self
        }
    }

    /// The same chart, not shown while choice parameter `key` has one of `values`.
    pub const fn unless(self, key: &'static str, values: &'static [&'static str]) -> Self {
        ChartSpec {
            unless: Some((key, values)),
            ..self
        }
    }

    /// Whether the chart applies to a run of `setup` of the protocol `info`: the run has the
    /// kind it needs, and its `unless` choice is not set to an excluded value.
    pub fn applies(&self, setup: &super::Setup, info: &super::ProtocolInfo) -> bool {
        let has_kind =
            (self.needs).is_none_or(|k| setup.extra.iter().any(|e| e.name == k && e.count > 0));
        let excluded = self.unless.is_some_and(|(key, values)| {
            let names = info.param_spec(key).map_or(&[][..], |p| p.choices());
            let value = setup.param_or(key, u64::MAX);
            names
                .get(value as usize)
                .is_some_and(|n| values.contains(n))
        });
        has_kind && !excluded
    }

    /// The same chart, shown only when the run has nodes of kind `kind`.
    pub const fn when(self, kind: &'static str) -> Self {
        ChartSpec {
            needs: Some(kind),
            ..self
        }
    }
}

/// A picture of a run's state that is neither a node nor a chart, drawn by the page when the
/// protocol gives one (see [`super::Protocol::diagram`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Diagram {
    /// Keys placed on servers by consistent hashing.
    HashRing(HashRingView),
}

/// Consistent hashing as the page draws it: the ring with each server's virtual nodes, what
/// share of the keys each owns, and what the last change of membership moved.
#[derive(Clone, Debug, PartialEq)]
pub struct HashRingView {
    /// The placement scheme's name (`ring`, `rendezvous`, `jump`, `mod-n`).
    pub scheme: &'static str,
    /// Every server, and whether it is on the ring now (the balancer trusts it).
    pub members: Vec<(NodeId, bool)>,
    /// The virtual nodes of the servers on the ring: (position in millionths of the ring,
    /// server), in ring order; at most [`HashRingView::MAX_POINTS`] (evenly thinned beyond).
    pub points: Vec<(u32, NodeId)>,
    /// Virtual nodes per server.
    pub vnodes: u32,
    /// Distinct keys.
    pub keys: u64,
    /// The share of the keys each member owns now, in thousandths, in `members` order.
    pub shares: Vec<u32>,
    /// The last change of membership, if any.
    pub moved: Option<MovedKeys>,
    /// How evenly a ring spreads the keys over the servers on it, against the number of
    /// virtual nodes per server: (virtual nodes, largest share ÷ mean share, standard deviation
    /// ÷ mean), both ratios in thousandths.
    pub spread: Vec<(u32, u32, u32)>,
}

impl HashRingView {
    /// Most virtual nodes drawn.
    pub const MAX_POINTS: usize = 800;
}

/// What one change of membership moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MovedKeys {
    /// The server that left or joined.
    pub server: NodeId,
    /// Joined (true) or left (false).
    pub joined: bool,
    /// When.
    pub at: Micros,
    /// Keys that changed server under the run's scheme.
    pub moved: u64,
    /// Keys that would have changed server under mod-N hashing.
    pub moved_mod_n: u64,
}

impl MovedKeys {
    /// The change and what it moved, in words: `Node 3 left: 262 of 1000 keys moved (26 %);
    /// mod-N hashing would move 751 (75 %)`, counted over `keys` keys.
    pub fn sentence(&self, keys: u64) -> String {
        let pct = |n: u64| (n * 100 + keys / 2).checked_div(keys).unwrap_or(0);
        format!(
            "Node {} {}: {} of {keys} keys moved ({} %); mod-N hashing would move {} ({} %)",
            self.server,
            if self.joined { "joined" } else { "left" },
            self.moved,
            pct(self.moved),
            self.moved_mod_n,
            pct(self.moved_mod_n)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::testkit::Ping;
    use crate::sim::{KindCount, ParamSpec, Protocol, Setup, Unit};

    #[test]
    fn a_chart_applies_with_its_kind_and_without_an_excluded_choice() {
        const MODES: &[&str] = &["cristian", "berkeley", "ntp"];
        let mut info = Ping::info();
        info.params = vec![ParamSpec::new(
            "algorithm",
            "Algorithm",
            Unit::Choice(MODES),
            0,
            0,
            2,
        )];
        let mut setup = Setup {
            nodes: 1,
            extra: vec![KindCount {
                name: "clock",
                host: Host::Protocol,
                count: 2,
            }],
            params: [("algorithm".to_string(), 0)].into_iter().collect(),
            bugs: Default::default(),
            tuned: Vec::new(),
        };
        let bound = ChartSpec::of("Bound", &["bound"]).unless("algorithm", &["berkeley"]);
        assert!(bound.applies(&setup, &info));
        setup.params.insert("algorithm".into(), 1);
        assert!(!bound.applies(&setup, &info));
        let clients = ChartSpec::of("Latency", &["latency"]).when("client");
        assert!(!clients.applies(&setup, &info));
        assert!(
            ChartSpec::of("Any", &["x"])
                .when("clock")
                .applies(&setup, &info)
        );
    }
}
