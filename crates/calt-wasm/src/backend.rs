//! Choosing the compute device once, when a bundle is loaded: burn's WGPU backend on WebGPU
//! when the browser gives an adapter, else burn's CPU backend (flex) compiled to wasm.

use burn::tensor::Device;
use calt_core::execution::DeviceChoice;
use std::cell::RefCell;

use crate::error::PlaygroundError;

/// The device that will run the model.
#[derive(Clone, Debug)]
pub struct Backend {
    pub device: Device,
    /// Shown in the page: which backend ran.
    pub name: String,
    /// Why auto fell back to the CPU, if it did.
    pub note: Option<String>,
}

pub fn cpu(note: Option<String>) -> Backend {
    Backend {
        device: Device::flex(),
        name: "cpu (burn flex, wasm)".into(),
        note,
    }
}

/// Initialises the chosen backend. `Auto` never fails: without a WebGPU adapter it says why
/// and runs on the CPU.
pub async fn select(choice: DeviceChoice) -> Result<Backend, PlaygroundError> {
    if choice == DeviceChoice::Cpu {
        return Ok(cpu(None));
    }
    match webgpu().await {
        Ok(backend) => Ok(backend),
        Err(reason) if choice == DeviceChoice::Auto => Ok(cpu(Some(format!(
            "WebGPU unavailable ({reason}); running on the CPU"
        )))),
        Err(reason) => Err(PlaygroundError::Backend(format!(
            "WebGPU unavailable: {reason}"
        ))),
    }
}

thread_local! {
    /// burn registers one runtime per WebGPU device and refuses a second registration, so the
    /// first successful initialisation serves every later model load in this worker (a second
    /// bundle, or a retry after a bad one).
    static WEBGPU_DEVICE: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// Only `navigator.gpu` with an adapter counts: asking wgpu without one would fall back to
/// WebGL, which burn's compute kernels cannot use.
async fn webgpu() -> Result<Backend, String> {
    let device = match WEBGPU_DEVICE.with(|d| d.borrow().clone()) {
        Some(device) => device,
        None => {
            if !has_webgpu_adapter().await {
                return Err("navigator.gpu gave no adapter".into());
            }
            let device = Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| e.to_string())?;
            WEBGPU_DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
            device
        }
    };
    Ok(Backend {
        device,
        name: "webgpu (burn wgpu)".into(),
        note: None,
    })
}

#[cfg(target_arch = "wasm32")]
async fn has_webgpu_adapter() -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    // `navigator` exists in windows and workers alike; reached through the global object so
    // the same code runs in both.
    let global = js_sys::global();
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok();
    let Some(gpu) = get(&global, "navigator").and_then(|n| get(&n, "gpu")) else {
        return false;
    };
    if gpu.is_undefined() || gpu.is_null() {
        return false;
    }
    let Some(request) =
        get(&gpu, "requestAdapter").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = request
        .call0(&gpu)
        .and_then(|p| p.dyn_into::<js_sys::Promise>())
    else {
        return false;
    };
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(adapter) => !adapter.is_null() && !adapter.is_undefined(),
        Err(_) => false,
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn has_webgpu_adapter() -> bool {
    false
}
