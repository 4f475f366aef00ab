//! calt-x (the Python CALT, 1.5) model folders in and out: `calt import` reads a calt-x
//! results folder into a bundle, `calt export --format caltx` writes a bundle as a folder
//! calt-x's `load_from_checkpoint` loads. The name and layout table ([`links`]) and the config
//! mapping ([`hf_config`]) are pure; reading and writing folders is native only.

mod bart_config;
#[cfg(not(target_arch = "wasm32"))]
mod folder;
pub mod hf_config;
pub mod links;
pub mod weights;

#[cfg(not(target_arch = "wasm32"))]
pub use folder::{CaltxError, export_folder, import_folder};
