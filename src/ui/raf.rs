//! A `requestAnimationFrame` loop that can be started and stopped, reporting wall milliseconds
//! since the previous frame.
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

struct Inner {
    closure: RefCell<Option<FrameClosure>>,
    pending: Cell<Option<i32>>,
    running: Cell<bool>,
    last: Cell<Option<f64>>,
}

impl Inner {
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
            pending: Cell::new(None),
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
            let dt = inner
                .last
                .replace(Some(ts))
                .map_or(0.0, |last| (ts - last).max(0.0));
            on_frame(dt);
            if inner.running.get() && !super::panic::panicked() {
                inner.request();
            }
        });
        *inner.closure.borrow_mut() = Some(closure);
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
        if let Some(id) = self.inner.pending.take()
            && let Some(w) = web_sys::window()
        {
            let _ = w.cancel_animation_frame(id);
        }
    }
}

impl Drop for RafLoop {
    fn drop(&mut self) {
        self.stop();
    }
}
