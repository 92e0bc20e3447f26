//! Saving the trace as a JSON Lines file (or its sends and deliveries as a ShiViz log, see
//! `sim::causality`), for runs of any length.
//!
//! One JavaScript string of a long run's trace would exceed what the engine can hold (about
//! 512 MB in Chromium) and come out as an empty file, and building it would freeze the page.
//! So the file is built a slice of lines at a time ([`TraceExport::trace_jsonl_chunk`]), one slice per
//! task so the page stays responsive, each slice turned into a `Blob` at once (the browser keeps
//! blobs out of the JavaScript heap), and the slices joined into the file's `Blob` at the end.
//! The page says how far it has got and, at the end, how big the file is. A browser may still
//! refuse a file that large (Chromium's private windows hold about 500 MB of blobs): the file
//! is read back before it is offered, and if it cannot be, the page says so and names the
//! latest moment whose shorter trace will fit.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::Callback;

use crate::export::TraceExport;
use crate::sim::Lab;
use crate::sim::time::{Micros, format_time};

use super::dom;
use super::store::Msg;

/// Bytes per slice: small enough for any JavaScript string and for one task (a few hundred
/// milliseconds at most), large enough that a long run takes few slices.
const SLICE_BYTES: usize = 4 << 20;

/// A file size every browser we know of holds in one `Blob` (Chromium's private windows stop
/// at about 500 MB): what a shorter trace is suggested to fit in.
const SAFE_BYTES: usize = 400_000_000;

thread_local! {
    /// Where a download reports how it is going (set once by the app, see [`install`]).
    static REPORT: RefCell<Option<Callback<Msg>>> = const { RefCell::new(None) };
    /// A download is being built (a second click waits for it).
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Lets downloads tell the visitor how they are going (as [`Msg::Report`]s).
pub fn install(dispatch: Callback<Msg>) {
    REPORT.with(|r| *r.borrow_mut() = Some(dispatch));
}

/// What a download holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// The trace, as JSON Lines.
    Trace,
    /// The sends and deliveries with their vector clocks, as a ShiViz log.
    ShiViz,
}

impl Export {
    /// What the visitor is told is being saved.
    fn what(self) -> &'static str {
        match self {
            Export::Trace => "trace",
            Export::ShiViz => "ShiViz log",
        }
    }

    /// Whole lines `from..` up to about `max_bytes` of the file, and the next line's number
    /// (both files number their lines as the trace's, the header first).
    fn chunk(self, lab: &dyn Lab, from: usize, max_bytes: usize) -> (String, usize) {
        match self {
            Export::Trace => lab.trace_jsonl_chunk(from, max_bytes),
            Export::ShiViz => lab.shiviz_chunk(from, max_bytes),
        }
    }
}

/// Starts saving the trace (or ShiViz log) of `lab` up to now (the run should be paused: if it
/// moves to another moment before the file is complete, nothing is saved and the visitor is
/// told why).
pub fn start(lab: Rc<RefCell<Box<dyn Lab>>>, kind: Export) {
    if BUSY.with(|b| b.replace(true)) {
        report("A file is already being saved: it will be offered when it is complete.");
        return;
    }
    let (name, lines, now) = {
        let lab = lab.borrow();
        let name = format!(
            "quorumscope-{}-seed{}.{}",
            lab.info().name,
            lab.scenario().seed,
            match kind {
                Export::Trace => "jsonl",
                Export::ShiViz => "shiviz.log",
            }
        );
        (name, lab.trace_len() + 1, lab.now())
    };
    let job = Job {
        kind,
        lab,
        name,
        lines,
        now,
        next: 0,
        bytes: 0,
        parts: js_sys::Array::new(),
        told: 0,
        fits_until: None,
    };
    report(&job.progress());
    job.later();
}

/// A download being built.
struct Job {
    kind: Export,
    lab: Rc<RefCell<Box<dyn Lab>>>,
    /// File name.
    name: String,
    /// Lines in the file (the header and every trace line up to `now`).
    lines: usize,
    /// The moment exported.
    now: Micros,
    /// The next line to write.
    next: usize,
    /// Bytes written so far.
    bytes: usize,
    /// One `Blob` per slice written.
    parts: js_sys::Array,
    /// The last progress reported, in tenths.
    told: usize,
    /// The time of the last line within [`SAFE_BYTES`] of the start.
    fits_until: Option<Micros>,
}

impl Job {
    /// Runs the next step in a task of its own.
    fn later(self) {
        gloo_timers::callback::Timeout::new(0, move || self.step()).forget();
    }

    /// Writes one slice, or finishes.
    fn step(mut self) {
        let moved = {
            let lab = self.lab.borrow();
            lab.now() != self.now || lab.trace_len() + 1 < self.lines
        };
        if moved {
            return finish(format!(
                "The {} was not saved: the run moved to another moment while its file was being written. Pause where you want it to end and save again.",
                self.kind.what()
            ));
        }
        if self.next < self.lines {
            let slice = (self.kind).chunk(self.lab.borrow().as_ref(), self.next, SLICE_BYTES);
            let (text, next) = slice;
            let one = js_sys::Array::of1(&JsValue::from_str(&text));
            match web_sys::Blob::new_with_str_sequence(&one) {
                Ok(blob) => {
                    self.parts.push(&blob);
                }
                Err(e) => return finish(self.refused(&e)),
            }
            self.bytes += text.len();
            self.next = next.min(self.lines);
            if self.bytes <= SAFE_BYTES && self.next >= 2 {
                self.fits_until = Some(self.lab.borrow().trace_line(self.next - 2).t);
            }
            let tenths = self.next * 10 / self.lines;
            if tenths > self.told {
                self.told = tenths;
                report(&self.progress());
            }
            return self.later();
        }
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(match self.kind {
            Export::Trace => "application/jsonl",
            Export::ShiViz => "text/plain",
        });
        match web_sys::Blob::new_with_blob_sequence_and_options(&self.parts, &opts) {
            Ok(blob) => self.offer(blob),
            Err(e) => finish(self.refused(&e)),
        }
    }

    /// Offers the file, once the browser shows it can read it back: beyond its limits (about
    /// 500 MB in a private window) it makes the file all the same and fails to read it later.
    fn offer(self, blob: web_sys::Blob) {
        // A ShiViz log has a line per event, not per trace line: it says what it was made from.
        let lines = match self.kind {
            Export::Trace => "lines",
            Export::ShiViz => "trace lines read",
        };
        let saved = format!(
            "Saved {}: {}, {} {lines} (up to {}).",
            self.name,
            human_size(self.bytes),
            group_digits(self.lines),
            format_time(self.now)
        );
        let too_big = self.too_big();
        let end = blob.size();
        let last = match blob.slice_with_f64(end - 1.0) {
            Ok(last) => last,
            Err(e) => return finish(self.refused(&e)),
        };
        let readable = Closure::<dyn FnMut(JsValue)>::once({
            let too_big = too_big.clone();
            let name = self.name.clone();
            move |_: JsValue| {
                finish(match dom::download_blob(&name, &blob) {
                    Ok(()) => saved,
                    Err(_) => too_big,
                })
            }
        });
        let unreadable = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| finish(too_big));
        let _ = last.text().then2(&readable, &unreadable);
        // Exactly one of them runs, once; both are small, so leave them to the JS side.
        readable.forget();
        unreadable.forget();
    }

    /// What to say when the browser will not hold the whole file: its size, and the latest
    /// moment whose trace is a size browsers take.
    fn too_big(&self) -> String {
        let shorter = match self.fits_until {
            Some(t) => format!(
                "Move the time slider back to {} or earlier and save again: the file holds the run up to the moment shown.",
                format_time(t)
            ),
            None => "Move the time slider back and save again: the file holds the run up to the moment shown.".into(),
        };
        format!(
            "The {} was not saved: at {} ({} lines up to {}) it is more than this browser will hold in one file. {shorter}",
            self.kind.what(),
            human_size(self.bytes),
            group_digits(self.lines),
            format_time(self.now)
        )
    }

    /// "Saving the trace: 40% …".
    fn progress(&self) -> String {
        format!(
            "Saving the {} up to {}: {}% ({} of {} trace lines, {} so far)…",
            self.kind.what(),
            format_time(self.now),
            self.next * 100 / self.lines,
            group_digits(self.next),
            group_digits(self.lines),
            human_size(self.bytes)
        )
    }

    /// Why the browser would not take the file, and what to do instead.
    fn refused(&self, e: &JsValue) -> String {
        let why = e
            .as_string()
            .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
            .unwrap_or_else(|| "no reason given".into());
        format!(
            "The {} was not saved: the browser refused a file of {} or more ({why}). The file holds the run up to the moment shown: move the time slider back and save a shorter one.",
            self.kind.what(),
            human_size(self.bytes)
        )
    }
}

/// Ends the download (successful or not) with a last word to the visitor.
fn finish(text: String) {
    BUSY.with(|b| b.set(false));
    report(&text);
}

/// Tells the visitor `text`, in a task of its own (never from inside the store's reducer, which
/// starts a download).
fn report(text: &str) {
    if let Some(dispatch) = REPORT.with(|r| r.borrow().clone()) {
        let msg = Msg::Report(text.to_string());
        gloo_timers::callback::Timeout::new(0, move || dispatch.emit(msg)).forget();
    }
}

/// A byte count for people: `812 KB`, `557 MB`, `1.2 GB`.
fn human_size(bytes: usize) -> String {
    let b = bytes as f64;
    if b < 1e6 {
        format!("{} KB", crate::sim::decimal::fixed((b / 1e3).ceil(), 0))
    } else if b < 1e9 {
        format!("{} MB", crate::sim::decimal::fixed((b / 1e6).round(), 0))
    } else {
        format!("{} GB", crate::sim::decimal::fixed(b / 1e9, 1))
    }
}

/// `2858371` → `2,858,371`.
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
