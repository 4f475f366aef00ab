//! Choosing the compute device once, at the edge (`--device auto|wgpu|cpu`).

use burn::tensor::{Device, DeviceType};

pub use crate::execution::DeviceChoice;

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
