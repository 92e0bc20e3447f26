//! Charts of a run's metric series as plain data, which the page draws in SVG (`ui::charts`).
//!
//! A protocol declares its charts ([`crate::sim::ChartSpec`]); [`model::build`] turns one into
//! points over a [`model::Span`] of virtual time, read through [`crate::sim::metrics::MetricsNow`]
//! (so a chart follows scrubbing and forks): latencies as p50/p95/p99 over a sliding window
//! ending at each point, counters as rates per second, gauges as one line per node. [`axis`]
//! holds the scales and the 1-2-5 ticks, [`svg`] writes the markup. Nothing here touches the web, so all of it is tested
//! natively.

pub mod axis;
pub mod model;
pub mod ring;
pub mod svg;
pub mod tradeoff;
