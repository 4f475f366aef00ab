//! Which device runs the work, and how the work is laid out on it: decided once, from the
//! device, for every front end (CLI and browser) and every stage (training, generation).

use burn::tensor::Device;

use crate::limits;

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

/// One entry of a device list (`--devices cpu,cpu` or `wgpu:0,wgpu:1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceSpec {
    /// burn's CPU backend; repeated, each entry is one more replica on the CPU's cores.
    Cpu,
    /// The WGPU adapter of this index in enumeration order (`wgpu` alone: the best adapter).
    Wgpu(Option<usize>),
}

/// The devices a data-parallel run trains on, in order; the first holds the model and the
/// optimizer (`--devices` and the `train.devices` key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceList(pub Vec<DeviceSpec>);

impl std::str::FromStr for DeviceList {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let specs = s
            .split(',')
            .map(|item| {
                let item = item.trim().to_ascii_lowercase();
                match item.split_once(':') {
                    None if item == "cpu" => Ok(DeviceSpec::Cpu),
                    None if item == "wgpu" => Ok(DeviceSpec::Wgpu(None)),
                    Some(("wgpu", index)) => index
                        .parse()
                        .map(|i| DeviceSpec::Wgpu(Some(i)))
                        .map_err(|_| format!("`{item}`: the adapter index must be a number")),
                    _ => Err(format!(
                        "unknown device `{item}` in a device list (expected cpu, wgpu or wgpu:N)"
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if specs.len() > limits::MAX_DEVICES {
            return Err(format!(
                "{} devices listed; at most {} are supported",
                specs.len(),
                limits::MAX_DEVICES
            ));
        }
        Ok(Self(specs))
    }
}

impl std::fmt::Display for DeviceList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|spec| match spec {
                DeviceSpec::Cpu => "cpu".into(),
                DeviceSpec::Wgpu(None) => "wgpu".into(),
                DeviceSpec::Wgpu(Some(i)) => format!("wgpu:{i}"),
            })
            .collect();
        f.write_str(&items.join(","))
    }
}

impl serde::Serialize for DeviceList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DeviceList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The strategies that only pay off on some devices, each named for what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecutionPolicy {
    /// Training batches and generation batches split over two threads (natively on the CPU:
    /// at calt's model sizes burn's CPU kernels barely use a second core on their own).
    pub two_threads: bool,
    /// Each data-parallel replica's kernels run on its own thread alone (natively on the CPU,
    /// where burn's kernels would otherwise share one pool of threads).
    pub one_thread_replicas: bool,
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
            one_thread_replicas: cpu && native,
            host_dropout_masks: cpu,
            awaited_reads: !cpu && !native,
        }
    }
}

/// Whether `device` (with or without autodiff) is burn's CPU backend.
fn is_cpu(device: &Device) -> bool {
    device.clone().without_autodiff() == Device::flex()
}
