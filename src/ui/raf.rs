//! A `requestAnimationFrame` loop that can be started and stopped, reporting wall milliseconds
//! since the previous frame.
//!
//! It runs at about 30 frames a second: after a frame it waits [`FRAME_MS`] from that frame's
//! start before asking for the next one. Every frame a page asks for costs the browser a round
//! of style, paint and compositing even when nothing changed, and the app renders at most
//! about thirty times a second anyway (see `store::MIN_RENDER_MS`).
//!
//! One closure is made once and re-registers itself, so stopping or starting from inside a
//! frame (e.g. a reducer pausing the run) never drops a running closure, and no closure is
//! allocated per frame.
//!
//! Work that need not be in the frame (the simulation) runs in a task of its own right after
//! it, so that no task does both; it is capped by wall time ([`advance_within`]): a run too busy
//! to keep up with the chosen speed falls behind it (measured by [`LagMeter`]) instead of
//! stalling the page.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::sim::lab::Lab;
use crate::sim::time::Micros;

/// The frame callback handed to the browser.
type FrameClosure = Closure<dyn FnMut(f64)>;

/// Time from one frame's start to asking for the next, in ms: a little under two 60 Hz frames,
/// so that the next one comes about 33 ms after this one (some browsers, headless ones among
/// them, run a frame as soon as it is asked for).
const FRAME_MS: f64 = 29.0;

struct Inner {
    closure: RefCell<Option<FrameClosure>>,
    /// The timer callback that asks for the next frame.
    wake: RefCell<Option<Closure<dyn FnMut()>>>,
    /// The timer callback that runs the work after a frame.
    after: RefCell<Option<Closure<dyn FnMut()>>>,
    pending: Cell<Option<i32>>,
    /// The timer set to ask for the next frame, if any.
    timer: Cell<Option<i32>>,
    running: Cell<bool>,
    last: Cell<Option<f64>>,
}

impl Inner {
    /// Asks for a frame once `delay` ms have passed.
    fn request_after(&self, delay: f64) {
        if self.pending.get().is_some() || self.timer.get().is_some() {
            return;
        }
        if delay < 1.0 {
            self.request();
            return;
        }
        if let Some(cb) = self.wake.borrow().as_ref()
            && let Some(w) = web_sys::window()
            && let Ok(id) = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.as_ref().unchecked_ref(),
                delay as i32,
            )
        {
            self.timer.set(Some(id));
        }
    }

    fn request(&self) {
        if self.pending.get().is_some() {
            return;
        }
        if let Some(cb) = self.closure.borrow().as_ref()
            && let Some(w) = web_sys::window()
            && let Ok(id) = w.request_animation_frame(cb.as_ref().unchecked_ref())
        {
            self.pending.set(Some(id));
        }
    }
}

/// The loop; dropping it stops it.
pub struct RafLoop {
    inner: Rc<Inner>,
}

impl RafLoop {
    /// A stopped loop that will call `on_frame(wall_ms_since_previous_frame)` while running,
    /// and `after_frame()` in a task of its own right after each frame.
    pub fn new(on_frame: impl Fn(f64) + 'static, after_frame: impl Fn() + 'static) -> RafLoop {
        let inner = Rc::new(Inner {
            closure: RefCell::new(None),
            wake: RefCell::new(None),
            after: RefCell::new(None),
            pending: Cell::new(None),
            timer: Cell::new(None),
            running: Cell::new(false),
            last: Cell::new(None),
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let closure = FrameClosure::new(move |ts: f64| {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            inner.pending.set(None);
            if !inner.running.get() {
                return;
            }
            let clock = web_sys::window().and_then(|w| w.performance());
            let started = clock.as_ref().map_or(0.0, |p| p.now());
            let dt = inner
                .last
                .replace(Some(ts))
                .map_or(0.0, |last| (ts - last).max(0.0));
            on_frame(dt);
            if inner.running.get() && !super::panic::panicked() {
                if let Some(cb) = inner.after.borrow().as_ref()
                    && let Some(w) = web_sys::window()
                {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        cb.as_ref().unchecked_ref(),
                        0,
                    );
                }
                let spent = clock.as_ref().map_or(0.0, |p| p.now() - started);
                inner.request_after(FRAME_MS - spent);
            }
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let after = Closure::<dyn FnMut()>::new(move || {
            if weak.upgrade().is_some_and(|inner| inner.running.get()) {
                after_frame();
            }
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let wake = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.timer.set(None);
                if inner.running.get() {
                    inner.request();
                }
            }
        });
        *inner.closure.borrow_mut() = Some(closure);
        *inner.wake.borrow_mut() = Some(wake);
        *inner.after.borrow_mut() = Some(after);
        RafLoop { inner }
    }

    /// Starts (or keeps) running; the first frame reports 0 ms.
    pub fn start(&self) {
        if !self.inner.running.replace(true) {
            self.inner.last.set(None);
        }
        self.inner.request();
    }

    /// Stops after the current frame, if any.
    pub fn stop(&self) {
        self.inner.running.set(false);
        if let Some(w) = web_sys::window() {
            if let Some(id) = self.inner.pending.take() {
                let _ = w.cancel_animation_frame(id);
            }
            if let Some(id) = self.inner.timer.take() {
                w.clear_timeout_with_handle(id);
            }
        }
    }
}

impl Drop for RafLoop {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Wall-clock milliseconds (`performance.now()`), for budgeting a frame's work.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Events processed between two looks at the clock in [`advance_within`] (a few hundred
/// microseconds of work even for 25 busy nodes).
const EVENTS_PER_LOOK: usize = 64;

/// Runs `lab` forward to `target` unless that takes more than `budget_ms` of wall time; returns
/// whether it got there. When it did not, the run stops after some event before `target`
/// (virtual time lags; the run itself is the same whatever the slices, see
/// [`Lab::advance_to`]).
pub fn advance_within(lab: &mut dyn Lab, target: Micros, budget_ms: f64) -> bool {
    let deadline = now_ms() + budget_ms;
    loop {
        for _ in 0..EVENTS_PER_LOOK {
            match lab.next_event_time() {
                Some(next) if next <= target => {
                    lab.step();
                }
                _ => {
                    lab.advance_to(target);
                    return true;
                }
            }
        }
        if now_ms() >= deadline {
            return false;
        }
    }
}

/// Wall time over which [`LagMeter`] compares what was asked with what was done, in ms.
const LAG_WINDOW_MS: f64 = 1000.0;

/// Below this share of the asked virtual time a run counts as behind.
const KEEPS_UP: f64 = 0.9;

/// How well the simulation keeps up with the chosen speed, over windows of about a second:
/// virtual time asked for (wall time × speed) against virtual time reached.
#[derive(Debug, Default)]
pub struct LagMeter {
    /// The window being filled: (wall ms, virtual µs asked, virtual µs reached).
    window: Cell<(f64, f64, f64)>,
    /// Share of the asked time reached in the last full window, if below [`KEEPS_UP`].
    share: Cell<Option<f64>>,
}

impl LagMeter {
    /// One frame: `wall_ms` of wall time, `asked` µs of virtual time wanted, `reached` done.
    pub fn record(&self, wall_ms: f64, asked: f64, reached: f64) {
        let (wall, a, r) = self.window.get();
        let (wall, a, r) = (wall + wall_ms, a + asked, r + reached);
        if wall < LAG_WINDOW_MS {
            self.window.set((wall, a, r));
            return;
        }
        self.share
            .set((a > 0.0 && r < KEEPS_UP * a).then(|| (r / a * 100.0).round() / 100.0));
        self.window.set((0.0, 0.0, 0.0));
    }

    /// The speed actually reached while playing at `speed`, if the run is behind it.
    pub fn behind(&self, speed: f64) -> Option<f64> {
        self.share.get().map(|share| share * speed)
    }

    /// Starts measuring afresh (after a change of speed, a seek, a pause).
    pub fn reset(&self) {
        self.window.set((0.0, 0.0, 0.0));
        self.share.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn lag_meter_reports_the_speed_reached_once_a_window_is_full() {
        let m = LagMeter::default();
        // Half a second at half the asked virtual time: not judged yet.
        for _ in 0..15 {
            m.record(33.4, 334_000.0, 167_000.0);
        }
        assert_eq!(m.behind(10.0), None);
        for _ in 0..15 {
            m.record(33.4, 334_000.0, 167_000.0);
        }
        assert_eq!(m.behind(10.0), Some(5.0));
        // A second that keeps up (within 10 %) clears it.
        for _ in 0..30 {
            m.record(33.4, 334_000.0, 320_000.0);
        }
        assert_eq!(m.behind(10.0), None);
        m.record(2000.0, 1.0, 0.0);
        assert_eq!(m.behind(10.0), Some(0.0));
        m.reset();
        assert_eq!(m.behind(10.0), None);
    }
}
