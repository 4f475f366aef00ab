//! One training step's gradients computed in two halves at once, on burn's CPU backend.
//!
//! At this model size burn's CPU kernels barely use a second core (one thread trains about as
//! fast as two), so the batch is split instead: each half runs forward and backward on its own
//! thread and the gradients are added. Each half's loss is its token sum divided by the whole
//! batch's normaliser, so the sum of the halves' gradients is the whole batch's gradient (up to
//! float rounding), and the step is as deterministic as the single-thread one.

#[cfg(not(target_arch = "wasm32"))]
use burn::module::ModuleMapper;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};

use super::batch::HostBatch;
use super::loss;
#[cfg(not(target_arch = "wasm32"))]
use crate::execution::ExecutionPolicy;
use crate::model::{ModelError, Seq2Seq, dropout};

/// A batch of an update: its rows and its dropout seed.
pub type SeededBatch<'a> = (Vec<(&'a [u32], &'a [u32])>, u64);

/// Gradients and loss (as a share of the whole batch's) of some rows of a batch.
pub struct PartResult {
    pub grads: GradientsParams,
    pub loss: Tensor<1>,
}

/// Forward and backward on `pairs`; the loss is their summed token cross-entropy over
/// `normaliser` (the whole batch's, see [`super::Trainer`]).
pub fn part_gradients(
    model: &Seq2Seq,
    pairs: &[(&[u32], &[u32])],
    pad: u32,
    normaliser: f64,
    dropout_seed: u64,
    device: &Device,
) -> Result<PartResult, ModelError> {
    dropout::seed(dropout_seed);
    let batch = HostBatch::collate(pairs, pad).to_device(device);
    let logits = model.forward(batch.input_ids, batch.decoder_ids)?;
    let loss = loss::masked_cross_entropy(logits, batch.labels, normaliser);
    let grads = GradientsParams::from_grads(loss.backward(), model);
    Ok(PartResult { grads, loss })
}

/// `work` on every item, alternate items on the two single-thread pools (see [`half_pools`]),
/// results in item order. `None` when the pools cannot be had.
#[cfg(not(target_arch = "wasm32"))]
pub fn alternate_over_two_threads<T: Sync, R: Send>(
    model: &Seq2Seq,
    items: &[T],
    work: impl Fn(&Seq2Seq, &T) -> R + Sync,
) -> Option<Vec<R>> {
    let even: Vec<&T> = items.iter().step_by(2).collect();
    let odd: Vec<&T> = items.iter().skip(1).step_by(2).collect();
    let jobs = [(model.clone(), even), (model.clone(), odd)];
    let [even, odd] = on_two_threads(jobs, |model, item| work(model, item)).ok()?;
    let mut out = Vec::with_capacity(items.len());
    let mut odd = odd.into_iter();
    for r in even {
        out.push(r);
        out.extend(odd.next());
    }
    Some(out)
}

/// Work for each of the two training threads: its state and its items.
#[cfg(not(target_arch = "wasm32"))]
pub type ThreadJobs<S, T> = [(S, Vec<T>); 2];

/// `work(state, item)` for the items of `jobs[0]` on one training thread and of `jobs[1]` on
/// the other, each thread with its own state; results per thread in item order. The jobs are
/// handed back when the pools cannot be had.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_two_threads<S: Send, T: Send, R: Send>(
    jobs: ThreadJobs<S, T>,
    work: impl Fn(&S, T) -> R + Sync,
) -> Result<[Vec<R>; 2], ThreadJobs<S, T>> {
    let Some([pool_a, pool_b]) = half_pools() else {
        return Err(jobs);
    };
    let [(state_a, a), (state_b, b)] = jobs;
    let work = &work;
    let run = move |state: S, items: Vec<T>| -> Vec<R> {
        items.into_iter().map(|item| work(&state, item)).collect()
    };
    Ok(std::thread::scope(|scope| {
        let helper = scope.spawn(move || pool_b.install(move || run(state_b, b)));
        let done_a = pool_a.install(move || run(state_a, a));
        let done_b = helper
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        [done_a, done_b]
    }))
}

/// Two single-thread pools, one per half. burn's CPU kernels parallelise through rayon; inside
/// a one-thread pool they run inline on that thread, so each half keeps one core busy without
/// handing work between threads (which measured slower than no parallelism at all).
#[cfg(not(target_arch = "wasm32"))]
fn half_pools() -> Option<&'static [rayon::ThreadPool; 2]> {
    static POOLS: std::sync::OnceLock<Option<[rayon::ThreadPool; 2]>> = std::sync::OnceLock::new();
    POOLS
        .get_or_init(|| {
            let pool = |i: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("calt-train-half-{i}"))
                    .build()
                    .ok()
            };
            Some([pool(0)?, pool(1)?])
        })
        .as_ref()
}

/// The gradients and loss of a whole batch: as two halves on two threads when `split` asks
/// for it and the batch runs on burn's CPU backend in a native build (the browser has no
/// threads; a GPU gains nothing), else in one pass on this thread.
pub fn batch_gradients(
    model: &Seq2Seq,
    pairs: &[(&[u32], &[u32])],
    pad: u32,
    normaliser: f64,
    dropout_seed: u64,
    device: &Device,
    split: bool,
) -> Result<PartResult, ModelError> {
    #[cfg(not(target_arch = "wasm32"))]
    if split
        && pairs.len() >= 2
        && ExecutionPolicy::for_device(device).two_threads
        && let Some(result) = two_halves(model, pairs, pad, normaliser, dropout_seed, device)
    {
        return result;
    }
    #[cfg(target_arch = "wasm32")]
    let _ = split;
    // burn's own sampler draws dropout masks on devices other than the CPU.
    device.seed(dropout_seed);
    part_gradients(model, pairs, pad, normaliser, dropout_seed, device)
}

/// Both halves of `pairs` at once, each on its own single-thread pool; `None` when the pools
/// cannot be had.
#[cfg(not(target_arch = "wasm32"))]
pub fn two_halves(
    model: &Seq2Seq,
    pairs: &[(&[u32], &[u32])],
    pad: u32,
    normaliser: f64,
    dropout_seed: u64,
    device: &Device,
) -> Option<Result<PartResult, ModelError>> {
    let (first, second) = pairs.split_at(balanced_split(pairs));
    let halves = [(first, dropout_seed), (second, !dropout_seed)];
    let results = alternate_over_two_threads(model, &halves, |model, (rows, seed)| {
        // burn's autodiff graph links every tensor computed from the same parameter leaves,
        // and a backward pass consumes that graph: each half gets leaves of its own (same ids,
        // same values, no copy) so the two backward passes are independent.
        let own = model.clone().map(&mut FreshLeaves);
        part_gradients(&own, rows, pad, normaliser, *seed, device)
    })?;
    let [a, b] = <[_; 2]>::try_from(results).ok()?;
    Some(add_halves(model, a, b))
}

/// Where to cut `pairs` so that both halves cost about the same: each half is padded to its
/// own longest sequences, so its cost is its rows times its padded source + target length.
/// Cutting a length-sorted batch in the middle gives the longer half more work, and the other
/// thread then waits for it.
#[cfg(not(target_arch = "wasm32"))]
fn balanced_split(pairs: &[(&[u32], &[u32])]) -> usize {
    let n = pairs.len();
    // Padded lengths of pairs[..=i] and of pairs[i..].
    let mut prefix = Vec::with_capacity(n);
    let (mut src, mut tgt) = (0, 0);
    for (s, t) in pairs {
        (src, tgt) = (src.max(s.len()), tgt.max(t.len()));
        prefix.push(src + tgt);
    }
    let mut suffix = vec![0; n];
    let (mut src, mut tgt) = (0, 0);
    for (i, (s, t)) in pairs.iter().enumerate().rev() {
        (src, tgt) = (src.max(s.len()), tgt.max(t.len()));
        suffix[i] = src + tgt;
    }
    (1..n)
        .min_by_key(|&k| (k * prefix[k - 1]).max((n - k) * suffix[k]))
        .unwrap_or(n / 2)
}

#[cfg(not(target_arch = "wasm32"))]
fn add_halves(
    model: &Seq2Seq,
    a: Result<PartResult, ModelError>,
    b: Result<PartResult, ModelError>,
) -> Result<PartResult, ModelError> {
    Ok(add_parts(model, a?, b?))
}

/// The gradients and losses of two parts of one update, summed.
fn add_parts(model: &Seq2Seq, a: PartResult, b: PartResult) -> PartResult {
    let mut adder = GradientAdder {
        a: a.grads,
        b: b.grads,
        sum: GradientsParams::new(),
    };
    model.visit(&mut adder);
    PartResult {
        grads: adder.sum,
        loss: a.loss + b.loss,
    }
}

/// The sum of `parts` (the update's batches or replicas, in order), or the first error;
/// `None` when there are none.
pub fn sum_parts(
    model: &Seq2Seq,
    parts: impl IntoIterator<Item = Result<PartResult, ModelError>>,
) -> Result<Option<PartResult>, ModelError> {
    let mut summed: Option<PartResult> = None;
    for part in parts {
        let part = part?;
        summed = Some(match summed {
            None => part,
            Some(sum) => add_parts(model, sum, part),
        });
    }
    Ok(summed)
}

/// Labels of a batch that count in the loss (each target loses its first token).
pub fn label_tokens(pairs: &[(&[u32], &[u32])]) -> usize {
    pairs
        .iter()
        .map(|(_, target)| target.len().saturating_sub(1))
        .sum()
}

struct GradientAdder {
    a: GradientsParams,
    b: GradientsParams,
    sum: GradientsParams,
}

impl ModuleVisitor for GradientAdder {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let sum = match (self.a.remove::<D>(param.id), self.b.remove::<D>(param.id)) {
            (Some(a), Some(b)) => a + b,
            (Some(g), None) | (None, Some(g)) => g,
            (None, None) => return,
        };
        self.sum.register(param.id, sum);
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// Replaces every parameter by a new autodiff leaf holding the same values under the same id.
struct FreshLeaves;

#[cfg(not(target_arch = "wasm32"))]
impl ModuleMapper for FreshLeaves {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        if !tensor.is_autodiff() {
            return Param::from_mapped_value(id, tensor, mapper);
        }
        let leaf = Tensor::from_inner(tensor.inner()).require_grad();
        Param::from_mapped_value(id, leaf, mapper)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::balanced_split;

    #[test]
    fn halves_of_a_length_sorted_batch_get_equal_padded_work() {
        let short = [1u32; 4];
        let long = [1u32; 12];
        // Six short pairs, two long ones: the middle cut would give 4·8 vs 4·24 tokens.
        let pairs: Vec<(&[u32], &[u32])> = (0..8)
            .map(|i| {
                if i < 6 {
                    (&short[..], &short[..])
                } else {
                    (&long[..], &long[..])
                }
            })
            .collect();
        let k = balanced_split(&pairs);
        assert_eq!(k, 6, "6·8 = 48 vs 2·24 = 48 tokens");
        // Equal lengths: the middle.
        let same: Vec<(&[u32], &[u32])> = (0..8).map(|_| (&short[..], &short[..])).collect();
        assert_eq!(balanced_split(&same), 4);
    }
}
