//! Which device runs the work, and how the work is laid out on it: decided once, from the
//! device, for every front end (CLI and browser) and every stage (training, generation).

use burn::tensor::Device;

/// The device a user asks for (`--device` in the CLI, the backend menu in the browser).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
    /// A hardware GPU through WGPU (WebGPU in a browser) when one exists, else the CPU backend.
    Auto,
    /// WGPU's default adapter (natively software ones such as lavapipe included; WebGPU in a
    /// browser).
    Wgpu,
    /// burn's `flex` CPU backend.
    Cpu,
}

impl std::str::FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "wgpu" | "webgpu" | "gpu" => Ok(Self::Wgpu),
            "cpu" | "flex" => Ok(Self::Cpu),
            other => Err(format!(
                "unknown device `{other}` (expected auto, wgpu (or webgpu) or cpu)"
            )),
        }
    }
}

/// The strategies that only pay off on some devices, each named for what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecutionPolicy {
    /// Training batches and generation batches split over two threads (natively on the CPU:
    /// at calt's model sizes burn's CPU kernels barely use a second core on their own).
    pub two_threads: bool,
    /// Dropout masks drawn on the host by a counter-based generator (on the CPU: burn's
    /// per-element sampling cost a sixth of a step). GPUs draw their own.
    pub host_dropout_masks: bool,
    /// Results can only be read back by awaiting (WebGPU in a browser); elsewhere reads block.
    pub awaited_reads: bool,
}

impl ExecutionPolicy {
    pub fn for_device(device: &Device) -> Self {
        let cpu = is_cpu(device);
        let native = cfg!(not(target_arch = "wasm32"));
        Self {
            two_threads: cpu && native,
            host_dropout_masks: cpu,
            awaited_reads: !cpu && !native,
        }
    }
}

/// Whether `device` (with or without autodiff) is burn's CPU backend.
fn is_cpu(device: &Device) -> bool {
    device.clone().without_autodiff() == Device::flex()
}
