//! Running the module's static constructors once, at instantiation.
//!
//! burn's GPU stack registers its kernel IR with `inventory`, i.e. with static constructors,
//! which wasm32 runs through the linker's `__wasm_call_ctors`. A module whose exports never
//! call it is linked "command-style": the linker wraps **every** export so that each call from
//! JavaScript runs all constructors first. The page calls into the module thousands of times
//! per evaluation (every field of every record it reads crosses the boundary), so that re-ran
//! the registrations thousands of times: most of the CPU backend's time. Calling the
//! constructors once from the start function that wasm-bindgen's `init` runs tells the linker
//! not to wrap the exports.

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
fn run_static_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: the linker's constructor list, run once, before anything else, by the start
    // function; `inventory`'s registrations are idempotent in any case.
    unsafe { __wasm_call_ctors() }
}
