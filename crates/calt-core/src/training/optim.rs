//! AdamW as HF's Trainer runs it (β = (0.9, 0.999), ε = 1e-8, decoupled weight decay, global
//! L2 gradient clipping), with its state keyed by parameter path so it can be saved and
//! restored exactly for resume.
//!
//! Weight decay groups (CALT §5.2a): every parameter except LayerNorm parameters and biases is
//! decayed — embeddings and the output projection included, as HF does.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

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

struct StepMapper<'a> {
    path: Vec<String>,
    grads: &'a mut GradientsParams,
    opt: &'a mut AdamW,
    lr: f64,
    clip: Option<Tensor<1>>,
}

impl ModuleMapper for StepMapper<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let path = self.path.join(".");
        let s = self.opt.settings;
        let t = self.opt.steps as i32;
        let shape = tensor.dims();
        let n: usize = shape.iter().product();
        let was_autodiff = tensor.is_autodiff();
        let value = tensor.inner().reshape([n]);
        let mut g = grad.reshape([n]);
        if let Some(c) = &self.clip {
            g = g * c.clone();
        }
        let (m, v) = match self.opt.moments.remove(&path) {
            Some(Moments { m, v }) => (
                m.mul_scalar(s.beta1) + g.clone().mul_scalar(1.0 - s.beta1),
                v.mul_scalar(s.beta2) + g.square().mul_scalar(1.0 - s.beta2),
            ),
            None => (
                g.clone().mul_scalar(1.0 - s.beta1),
                g.square().mul_scalar(1.0 - s.beta2),
            ),
        };
        let bc1 = 1.0 - s.beta1.powi(t);
        let bc2 = 1.0 - s.beta2.powi(t);
        // PyTorch's AdamW: p ← p·(1 − lr·wd); p ← p − lr/bc1 · m / (sqrt(v)/sqrt(bc2) + ε).
        let decay = if decays(&path) { s.weight_decay } else { 0.0 };
        let denom = v
            .clone()
            .sqrt()
            .div_scalar(bc2.sqrt())
            .add_scalar(s.epsilon);
        let update = m.clone().div(denom).mul_scalar(self.lr / bc1);
        let value: Tensor<D> = (value.mul_scalar(1.0 - self.lr * decay) - update).reshape(shape);
        self.opt.moments.insert(path, Moments { m, v });
        let value = if was_autodiff {
            Tensor::from_inner(value).require_grad()
        } else {
            value
        };
        Param::from_mapped_value(id, value, mapper)
    }
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
        let mut mapper = StepMapper {
            path: Vec::new(),
            grads: &mut grads,
            opt: self,
            lr,
            clip,
        };
        let module = module.map(&mut mapper);
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
    ) -> Result<(), String> {
        let mut halves: BTreeMap<String, (Option<Tensor<1>>, Option<Tensor<1>>)> = BTreeMap::new();
        for (name, _shape, values) in tensors {
            let n = values.len();
            let t = Tensor::<1>::from_data(TensorData::new(values, [n]), device);
            if let Some(path) = name.strip_suffix(".m") {
                halves.entry(path.to_string()).or_default().0 = Some(t);
            } else if let Some(path) = name.strip_suffix(".v") {
                halves.entry(path.to_string()).or_default().1 = Some(t);
            } else {
                return Err(format!("unexpected optimizer tensor `{name}`"));
            }
        }
        self.moments.clear();
        for (path, pair) in halves {
            match pair {
                (Some(m), Some(v)) => {
                    self.moments.insert(path, Moments { m, v });
                }
                _ => return Err(format!("optimizer state of `{path}` is incomplete")),
            }
        }
        self.steps = steps;
        Ok(())
    }
}
