//! AdamW as HF's Trainer runs it (β = (0.9, 0.999), ε = 1e-8, decoupled weight decay, global
//! L2 gradient clipping), with its state keyed by parameter path so it can be saved and
//! restored exactly for resume.
//!
//! Weight decay groups (CALT §5.2a): every parameter except LayerNorm parameters and biases is
//! decayed — embeddings and the output projection included, as HF does.

use std::collections::{BTreeMap, HashMap};

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

#[cfg(not(target_arch = "wasm32"))]
use crate::execution::ExecutionPolicy;

/// AdamW hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamWSettings {
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    pub weight_decay: f64,
    /// Global gradient-norm bound; `None` or non-positive disables clipping.
    pub max_grad_norm: Option<f64>,
}

impl Default for AdamWSettings {
    fn default() -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            max_grad_norm: Some(1.0),
        }
    }
}

/// First and second moments of one parameter, flattened.
#[derive(Clone, Debug)]
pub struct Moments {
    pub m: Tensor<1>,
    pub v: Tensor<1>,
}

/// The optimizer: settings, update count and per-parameter moments.
#[derive(Clone, Debug)]
pub struct AdamW {
    pub settings: AdamWSettings,
    /// Number of updates applied so far (bias correction uses it).
    pub steps: u64,
    pub moments: BTreeMap<String, Moments>,
}

/// Whether a parameter (by path) gets weight decay.
pub fn decays(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    let in_norm = path.split('.').any(|p| p.contains("norm"));
    !(in_norm || last == "bias" || last == "beta" || last == "gamma")
}

struct NormVisitor<'a> {
    grads: &'a GradientsParams,
    total: Option<Tensor<1>>,
}

impl ModuleVisitor for NormVisitor<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let sq = g.square().sum();
            self.total = Some(match self.total.take() {
                Some(t) => t + sq,
                None => sq,
            });
        }
    }
}

/// One parameter's inputs to its update, flattened.
struct Pending {
    id: ParamId,
    path: String,
    value: Tensor<1>,
    grad: Tensor<1>,
    moments: Option<Moments>,
}

/// Takes every parameter that has a gradient out of the module walk (leaving the module as
/// it is), with its path and moments.
struct Gather<'a> {
    path: Vec<String>,
    grads: &'a mut GradientsParams,
    moments: &'a mut BTreeMap<String, Moments>,
    pending: Vec<Pending>,
}

impl ModuleMapper for Gather<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        if let Some(grad) = self.grads.remove::<D>(id) {
            let n: usize = tensor.dims().iter().product();
            let path = self.path.join(".");
            self.pending.push(Pending {
                id,
                moments: self.moments.remove(&path),
                path,
                value: tensor.clone().inner().reshape([n]),
                grad: grad.reshape([n]),
            });
        }
        Param::from_mapped_value(id, tensor, mapper)
    }
}

/// Puts the updated values back into the module.
struct Scatter {
    updated: HashMap<ParamId, Tensor<1>>,
}

impl ModuleMapper for Scatter {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(value) = self.updated.remove(&id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let value: Tensor<D> = value.reshape(tensor.dims());
        let value = if tensor.is_autodiff() {
            Tensor::from_inner(value).require_grad()
        } else {
            value
        };
        Param::from_mapped_value(id, value, mapper)
    }
}

/// What one update needs besides the parameter.
#[derive(Clone)]
struct StepContext {
    settings: AdamWSettings,
    /// Update number (1 for the first), for the bias corrections.
    t: i32,
    lr: f64,
    clip: Option<Tensor<1>>,
}

impl StepContext {
    /// AdamW on one parameter: its new value and moments.
    fn update(&self, p: Pending) -> (ParamId, String, Tensor<1>, Moments) {
        let s = self.settings;
        let mut g = p.grad;
        if let Some(c) = &self.clip {
            g = g * c.clone();
        }
        let (m, v) = match p.moments {
            Some(Moments { m, v }) => (
                m.mul_scalar(s.beta1) + g.clone().mul_scalar(1.0 - s.beta1),
                v.mul_scalar(s.beta2) + g.square().mul_scalar(1.0 - s.beta2),
            ),
            None => (
                g.clone().mul_scalar(1.0 - s.beta1),
                g.square().mul_scalar(1.0 - s.beta2),
            ),
        };
        let bc1 = 1.0 - s.beta1.powi(self.t);
        let bc2 = 1.0 - s.beta2.powi(self.t);
        // PyTorch's AdamW: p ← p·(1 − lr·wd); p ← p − lr/bc1 · m / (sqrt(v)/sqrt(bc2) + ε).
        let decay = if decays(&p.path) { s.weight_decay } else { 0.0 };
        let denom = v
            .clone()
            .sqrt()
            .div_scalar(bc2.sqrt())
            .add_scalar(s.epsilon);
        let update = m.clone().div(denom).mul_scalar(self.lr / bc1);
        let value = p.value.mul_scalar(1.0 - self.lr * decay) - update;
        (p.id, p.path, value, Moments { m, v })
    }
}

/// Runs the updates, on the two training threads when the parameters live on burn's CPU
/// backend (each parameter's update is a dozen small element-wise operations: on one thread
/// the optimizer was a tenth of a step with the other core idle).
fn update_all(
    ctx: &StepContext,
    pending: Vec<Pending>,
) -> Vec<(ParamId, String, Tensor<1>, Moments)> {
    #[cfg(not(target_arch = "wasm32"))]
    if pending.len() >= 2 && ExecutionPolicy::for_device(&pending[0].value.device()).two_threads {
        // Largest first, each to the thread with less work so far.
        let mut pending = pending;
        pending.sort_by_key(|p| std::cmp::Reverse(p.value.dims()[0]));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let (mut load_a, mut load_b) = (0, 0);
        for p in pending {
            let n = p.value.dims()[0];
            if load_a <= load_b {
                load_a += n;
                a.push(p);
            } else {
                load_b += n;
                b.push(p);
            }
        }
        return match super::parallel::on_two_threads([((), a), ((), b)], |(), p| ctx.update(p)) {
            Ok([a, b]) => a.into_iter().chain(b).collect(),
            Err([((), a), ((), b)]) => a.into_iter().chain(b).map(|p| ctx.update(p)).collect(),
        };
    }
    pending.into_iter().map(|p| ctx.update(p)).collect()
}

impl AdamW {
    pub fn new(settings: AdamWSettings) -> Self {
        Self {
            settings,
            steps: 0,
            moments: BTreeMap::new(),
        }
    }

    /// Global L2 norm of all gradients (device tensor of one element; reading it syncs).
    pub fn grad_norm<M: Module>(module: &M, grads: &GradientsParams) -> Option<Tensor<1>> {
        let mut v = NormVisitor { grads, total: None };
        module.visit(&mut v);
        v.total.map(|t| t.sqrt())
    }

    /// One update with learning rate `lr`; returns the new module and the pre-clipping
    /// gradient norm (as a device tensor, read it only when logging).
    pub fn step<M: Module>(
        &mut self,
        lr: f64,
        module: M,
        mut grads: GradientsParams,
    ) -> (M, Option<Tensor<1>>) {
        let norm = Self::grad_norm(&module, &grads);
        let clip = match (self.settings.max_grad_norm, &norm) {
            (Some(max), Some(norm)) if max > 0.0 => {
                // HF/PyTorch: coef = max / (norm + 1e-6), applied only when below 1.
                Some(
                    norm.clone()
                        .add_scalar(1e-6)
                        .recip()
                        .mul_scalar(max)
                        .clamp_max(1.0),
                )
            }
            _ => None,
        };
        self.steps += 1;
        let ctx = StepContext {
            settings: self.settings,
            t: self.steps as i32,
            lr,
            clip,
        };
        let mut gather = Gather {
            path: Vec::new(),
            grads: &mut grads,
            moments: &mut self.moments,
            pending: Vec::new(),
        };
        let module = module.map(&mut gather);
        let mut scatter = Scatter {
            updated: HashMap::new(),
        };
        for (id, path, value, moments) in update_all(&ctx, gather.pending) {
            scatter.updated.insert(id, value);
            self.moments.insert(path, moments);
        }
        let module = module.map(&mut scatter);
        (module, norm)
    }

    /// Moments as host tensors `(name, shape, values)`, named `<path>.m` / `<path>.v`.
    pub fn export(&self) -> Vec<(String, Vec<usize>, Vec<f32>)> {
        let mut out = Vec::new();
        for (path, Moments { m, v }) in &self.moments {
            for (suffix, t) in [("m", m), ("v", v)] {
                let values = t
                    .to_data()
                    .convert::<f32>()
                    .try_into_vec::<f32>()
                    .unwrap_or_default();
                out.push((format!("{path}.{suffix}"), vec![values.len()], values));
            }
        }
        out
    }

    /// Restores moments exported by [`AdamW::export`].
    pub fn import(
        &mut self,
        steps: u64,
        tensors: Vec<(String, Vec<usize>, Vec<f32>)>,
        device: &Device,
    ) -> Result<(), super::TrainError> {
        let incompatible = |reason: String| super::TrainError::Checkpoint(reason);
        let mut halves: BTreeMap<String, (Option<Tensor<1>>, Option<Tensor<1>>)> = BTreeMap::new();
        for (name, _shape, values) in tensors {
            let n = values.len();
            let t = Tensor::<1>::from_data(TensorData::new(values, [n]), device);
            if let Some(path) = name.strip_suffix(".m") {
                halves.entry(path.to_string()).or_default().0 = Some(t);
            } else if let Some(path) = name.strip_suffix(".v") {
                halves.entry(path.to_string()).or_default().1 = Some(t);
            } else {
                return Err(incompatible(format!(
                    "unexpected optimizer tensor `{name}`"
                )));
            }
        }
        self.moments.clear();
        for (path, pair) in halves {
            match pair {
                (Some(m), Some(v)) => {
                    self.moments.insert(path, Moments { m, v });
                }
                _ => {
                    return Err(incompatible(format!(
                        "optimizer state of `{path}` is incomplete"
                    )));
                }
            }
        }
        self.steps = steps;
        Ok(())
    }
}
