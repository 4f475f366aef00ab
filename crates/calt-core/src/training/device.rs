//! Choosing the compute device once, at the edge (`--device auto|wgpu|cpu`).

use burn::tensor::{Device, DeviceType};

pub use crate::execution::{DeviceChoice, DeviceList, DeviceSpec};

/// The chosen device, a short description, and a note for the user when `auto` fell back.
#[derive(Clone, Debug)]
pub struct SelectedDevice {
    pub device: Device,
    pub description: String,
    pub note: Option<String>,
}

/// WGPU adapters, each with its name and whether it is a real card (software rasterizers such
/// as lavapipe report no physical device).
pub fn wgpu_adapters() -> Vec<(Device, String, bool)> {
    Device::enumerate(DeviceType::Wgpu)
        .into_vec()
        .into_iter()
        .map(|d| {
            let id = d.identity();
            let name = id
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_else(|| "unknown".into());
            let hardware = id.is_some_and(|i| i.physical.is_some());
            (d, name, hardware)
        })
        .collect()
}

/// `--device wgpu` on a machine without a WGPU adapter.
#[derive(Debug, thiserror::Error)]
#[error("no WGPU adapter found (install a Vulkan driver, e.g. mesa-vulkan-drivers)")]
pub struct NoAdapter;

pub fn select_device(choice: DeviceChoice) -> Result<SelectedDevice, NoAdapter> {
    let cpu = || SelectedDevice {
        device: Device::flex(),
        description: "cpu (burn flex)".into(),
        note: None,
    };
    match choice {
        DeviceChoice::Cpu => Ok(cpu()),
        DeviceChoice::Wgpu => {
            let adapters = wgpu_adapters();
            let (device, name, hardware) = adapters
                .into_iter()
                .max_by_key(|a| a.2)
                .ok_or(NoAdapter)?;
            Ok(SelectedDevice {
                device,
                description: format!(
                    "wgpu ({name}{})",
                    if hardware { "" } else { ", software" }
                ),
                note: None,
            })
        }
        DeviceChoice::Auto => {
            match wgpu_adapters().into_iter().find(|a| a.2) {
                Some((device, name, _)) => Ok(SelectedDevice {
                    device,
                    description: format!("wgpu ({name})"),
                    note: None,
                }),
                None => Ok(SelectedDevice {
                    note: Some(
                        "no GPU adapter found; running on the CPU backend (pass --device wgpu to use a software adapter)"
                            .into(),
                    ),
                    ..cpu()
                }),
            }
        }
    }
}

/// A device list that names no usable set of devices.
#[derive(Debug, thiserror::Error)]
pub enum DeviceListError {
    #[error(transparent)]
    NoAdapter(#[from] NoAdapter),
    #[error("wgpu:{index}: no such adapter ({count} WGPU adapter(s) found, numbered from 0)")]
    NoSuchAdapter { index: usize, count: usize },
    #[error(
        "{0} is listed twice: only the CPU can hold several replicas (each GPU replica needs a \
         device of its own)"
    )]
    Repeated(String),
    #[error("the device list mixes the CPU and WGPU: list devices of one backend")]
    Mixed,
}

/// The devices of `list`, each with its description.
pub fn select_devices(list: &DeviceList) -> Result<Vec<SelectedDevice>, DeviceListError> {
    let wgpu = list.0.iter().any(|s| matches!(s, DeviceSpec::Wgpu(_)));
    if wgpu && list.0.contains(&DeviceSpec::Cpu) {
        return Err(DeviceListError::Mixed);
    }
    let adapters = if wgpu { wgpu_adapters() } else { Vec::new() };
    let mut selected: Vec<SelectedDevice> = Vec::new();
    for spec in &list.0 {
        let device = match spec {
            DeviceSpec::Cpu => select_device(DeviceChoice::Cpu)?,
            DeviceSpec::Wgpu(None) => select_device(DeviceChoice::Wgpu)?,
            DeviceSpec::Wgpu(Some(index)) => {
                let (device, name, hardware) =
                    adapters
                        .get(*index)
                        .cloned()
                        .ok_or(DeviceListError::NoSuchAdapter {
                            index: *index,
                            count: adapters.len(),
                        })?;
                SelectedDevice {
                    device,
                    description: format!(
                        "wgpu:{index} ({name}{})",
                        if hardware { "" } else { ", software" }
                    ),
                    note: None,
                }
            }
        };
        if *spec != DeviceSpec::Cpu && selected.iter().any(|s| s.device == device.device) {
            return Err(DeviceListError::Repeated(device.description));
        }
        selected.push(device);
    }
    Ok(selected)
}
