//! The QuorumScope single-page app (wasm32 only), written in Yew.
//!
//! One [`store::Store`] held by one `use_reducer` in [`app::App`] owns the running
//! [`crate::sim::Lab`]; every other component is a small function component that draws a part of
//! the store's current [`store::Frame`] and sends [`store::Msg`]s back. The page never names a
//! protocol type: everything comes through the `Lab` views.
//!
//! Page-only URL parameters (besides the scenario's own, see [`crate::scenario`]):
//! * `embed=1` — compact layout for an iframe (ring, play/pause, time; no side panels);
//! * `at=<µs>` — open the run at this virtual time, paused (the Share button adds it);
//! * `debug=panic` — test hook: panics on purpose right after mount to show the error panel;
//! * `id=<name>` — an embed's name, carried in the events it posts to its host page
//!   (see [`embed`]).
//!
//! Opening a link replays the recorded actions: with `at` (or, without it, when the link has
//! actions) the run is advanced to that moment (the last action's time) and paused there;
//! a link without either starts playing at once.

pub mod app;
pub mod chaos;
pub mod charts;
pub mod controls;
pub mod dom;
pub mod el;
pub mod embed;
pub mod events_log;
pub mod flights;
pub mod geometry;
pub mod hashring;
pub mod help;
pub mod history;
pub mod inspector;
pub mod intro;
pub mod invariants;
pub mod kinds;
pub mod live;
pub mod logs;
pub mod menu;
pub mod message;
pub mod network;
pub mod node_glyph;
pub mod notices;
pub mod panic;
pub mod raf;
pub mod ring;
pub mod settings;
pub mod share;
pub mod spacetime;
pub mod store;
pub mod summary;
pub mod timeline;
pub mod trace_export;
pub mod tradeoff;
pub mod twin;
pub mod url;

/// Mounts the app into the page body (called by the `quorumscope-web` binary).
pub fn start() {
    panic::install();
    embed::init();
    let root = dom::document()
        .get_element_by_id("app")
        .or_else(|| dom::document().body().map(Into::into))
        .expect("the page has a body");
    yew::Renderer::<app::App>::with_root(root).render();
}
