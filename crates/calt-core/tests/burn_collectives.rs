//! Why data-parallel training sums gradients through burn's device transfer rather than
//! burn's collective `all_reduce` (`burn::tensor::distributed`): in burn 0.22.1 only cubecl's
//! CUDA runtime implements collectives, and calt's backends, WGPU and the CPU's `flex`, panic
//! on them. When this test fails, burn has gained collectives on one of them and
//! `training::replicas` can use them.

#![cfg(not(target_arch = "wasm32"))]

use std::panic::{AssertUnwindSafe, catch_unwind};

use burn::tensor::distributed::{ReduceOperation, all_reduce};
use burn::tensor::{Device, Tensor};
use calt_core::training::device::{DeviceChoice, select_device};

/// Whether burn's `all_reduce` of a small tensor over two entries of `device` returns.
fn all_reduce_works(device: &Device) -> bool {
    let tensor = Tensor::<1>::from_floats([1.0, 2.0], device);
    let devices = vec![device.clone(), device.clone()];
    catch_unwind(AssertUnwindSafe(|| {
        all_reduce(tensor, ReduceOperation::Sum, devices)
            .resolve()
            .into_data()
    }))
    .is_ok()
}

#[test]
fn burn_all_reduce_is_missing_on_the_cpu_backend() {
    assert!(
        !all_reduce_works(&Device::flex()),
        "burn's all_reduce works on flex now: training::replicas can use it"
    );
}

#[test]
fn burn_all_reduce_is_missing_on_wgpu() {
    let Ok(selected) = select_device(DeviceChoice::Wgpu) else {
        eprintln!("no WGPU adapter: nothing to check");
        return;
    };
    assert!(
        !all_reduce_works(&selected.device),
        "burn's all_reduce works on {} now: training::replicas can use it",
        selected.description
    );
}
