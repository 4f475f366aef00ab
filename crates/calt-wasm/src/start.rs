//! Running the module's static constructors once.
//!
//! burn's GPU stack registers its kernel IR with `inventory`, i.e. with static constructors,
//! which wasm32 runs through the linker's `__wasm_call_ctors`. A module whose exports never
//! call it is linked "command-style": the linker wraps **every** export so that each call from
//! JavaScript runs all constructors first. The page calls into the module thousands of times
//! per evaluation (every field of every record it reads crosses the boundary), so that re-ran
//! the registrations thousands of times: most of the CPU backend's time. Calling the
//! constructors from [`Playground::load`](crate::Playground::load), before anything uses a
//! backend, tells the linker not to wrap the exports. (A `#[wasm_bindgen(start)]` function
//! would not do: wasm-bindgen's test runner does not call it.)

/// Runs the constructors the first time it is called; later calls do nothing.
pub fn run_static_constructors_once() {
    #[cfg(target_arch = "wasm32")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(call_ctors);
    }
}

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
fn call_ctors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: the linker's own constructor list, run once (guarded by the caller's `Once`);
    // `inventory`'s registrations are idempotent in any case.
    unsafe { __wasm_call_ctors() }
}
