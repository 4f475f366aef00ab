//! One update's batches spread over several devices (data parallelism): each device runs a
//! replica of the model on its share of the batches, and the replicas' gradients are summed on
//! the first device, where the optimizer steps once.
//!
//! An update's batches are those a single device would accumulate, dealt as HF's distributed
//! sampler deals them: device `r` of `n` takes batches `r, r + n, r + 2n, …`. Every batch keeps
//! its dropout seed and the loss stays normalised over the whole update, so `n` devices with a
//! batch of `B` each make the update of one device accumulating `n` batches of `B`, and (with
//! shuffled batches) of one device with a batch of `n × B`.
//!
//! The sum travels through burn's device transfer (`GradientsParams::to_device`). burn 0.22.1
//! also has a collective `all_reduce` (`burn::tensor::distributed`), but only its CUDA runtime
//! implements it: on WGPU and on the CPU backend it panics (`tests/burn_collectives.rs`).

use burn::module::Module;
use burn::tensor::Device;

use super::parallel::{PartResult, SeededBatch, batch_gradients, sum_parts};
use crate::execution::ExecutionPolicy;
use crate::model::{ModelError, Seq2Seq};

/// The summed gradients and loss of `batches` on `devices` (at least one; the model lives on
/// the first), on the first device.
pub fn replica_gradients(
    model: &Seq2Seq,
    devices: &[Device],
    batches: &[SeededBatch<'_>],
    pad: u32,
    normaliser: f64,
) -> Result<PartResult, ModelError> {
    let main = &devices[0];
    let shares: Vec<(&Device, Vec<&SeededBatch<'_>>)> = devices
        .iter()
        .enumerate()
        .map(|(r, device)| {
            let share: Vec<&SeededBatch<'_>> =
                batches.iter().skip(r).step_by(devices.len()).collect();
            (device, share)
        })
        .filter(|(_, share)| !share.is_empty())
        .collect();
    let results: Vec<Result<PartResult, ModelError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|(device, share)| {
                let model = model.clone();
                scope.spawn(move || {
                    on_own_thread(device, || {
                        replica_share(model, device, &share, pad, normaliser)
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let on_main = results.into_iter().map(|result| {
        result.map(|part| PartResult {
            grads: part.grads.to_device(main, model),
            loss: part.loss.to_device(main),
        })
    });
    Ok(sum_parts(model, on_main)?.expect("an update has at least one batch"))
}

/// One replica's batches, accumulated on its device in order.
fn replica_share(
    model: Seq2Seq,
    device: &Device,
    share: &[&SeededBatch<'_>],
    pad: u32,
    normaliser: f64,
) -> Result<PartResult, ModelError> {
    // `fork` gives the replica parameter leaves of its own on its device (same ids), so each
    // replica's backward pass is independent of the others'.
    let replica = model.fork(device);
    let parts = share.iter().map(|(pairs, seed)| {
        batch_gradients(&replica, pairs, pad, normaliser, *seed, device, false)
    });
    Ok(sum_parts(&replica, parts)?.expect("a replica is given at least one batch"))
}

/// Runs `work` on this thread; CPU replicas inside a one-thread pool, so that burn's CPU
/// kernels stay on the replica's own thread instead of competing for the shared pool.
fn on_own_thread<R>(device: &Device, work: impl FnOnce() -> R + Send) -> R
where
    R: Send,
{
    if ExecutionPolicy::for_device(device).one_thread_replicas
        && let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(1).build()
    {
        return pool.install(work);
    }
    work()
}
