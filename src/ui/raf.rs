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

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

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
    /// A stopped loop that will call `on_frame(wall_ms_since_previous_frame)` while running.
    pub fn new(on_frame: impl Fn(f64) + 'static) -> RafLoop {
        let inner = Rc::new(Inner {
            closure: RefCell::new(None),
            wake: RefCell::new(None),
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
                let spent = clock.as_ref().map_or(0.0, |p| p.now() - started);
                inner.request_after(FRAME_MS - spent);
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
