//! The web app's entry point: built for wasm32 by Trunk (see `index.html`); on other targets it
//! is an empty program so that a native `cargo build` of the whole package still works.

#[cfg(target_arch = "wasm32")]
fn main() {
    quorumscope::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
