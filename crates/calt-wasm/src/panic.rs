//! A panic here is a bug, not a user error (those are returned as `Error`s): report it on the
//! console with its message and location instead of wasm's bare "unreachable".

use std::sync::Once;

pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            report(&format!("calt-wasm bug: {info}"));
            previous(info);
        }));
    });
}

#[cfg(target_arch = "wasm32")]
fn report(message: &str) {
    web_sys::console::error_1(&message.into());
}

#[cfg(not(target_arch = "wasm32"))]
fn report(message: &str) {
    eprintln!("{message}");
}
