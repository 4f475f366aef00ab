//! The run folder on disk: checkpoints (written atomically), `metrics.jsonl` and CALT's
//! `eval_results` files. Native only; the browser never writes run folders.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use burn::tensor::Device;

use super::fit::{FitError, RunStore};
use super::tensor_file::{self, NamedTensor};
use super::{Pair, TrainError, TrainSettings, Trainer};
use crate::metrics::{EvalRecord, eval_results_json};
use crate::model::ModelConfig;
use crate::native::TrainingData;

pub const MODEL_FILE: &str = "model.safetensors";
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
pub const STATE_FILE: &str = "trainer_state.json";
pub const METRICS_FILE: &str = "metrics.jsonl";

/// Where training stood when a checkpoint was written.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainerState {
    pub global_step: u64,
    pub epoch: f64,
    pub total_steps: u64,
    pub seed: u64,
}

/// A checkpoint read back from disk.
pub struct LoadedCheckpoint {
    pub dir: PathBuf,
    pub bundle: Vec<u8>,
    pub moments: Vec<NamedTensor>,
    pub state: TrainerState,
}

/// What can go wrong with a run folder; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum RunDirError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("{} is not a calt run folder (no readable {RUN_INFO_FILE}: {source})", dir.display())]
    NotRunFolder {
        dir: PathBuf,
        source: std::io::Error,
    },
}

fn io_err(path: &Path, source: std::io::Error) -> RunDirError {
    RunDirError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, reason: impl std::fmt::Display) -> RunDirError {
    RunDirError::Invalid {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// [`crate::native::write_atomically`], whose errors already name the file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RunDirError> {
    crate::native::write_atomically(path, bytes).map_err(|e| io_err(path, e))
}

fn checkpoint_step(path: &Path) -> Option<u64> {
    path.file_name()?
        .to_str()?
        .strip_prefix("checkpoint-")?
        .parse()
        .ok()
}

/// Complete-looking `checkpoint-N` folders, newest first.
pub fn list_checkpoints(run_dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut out: Vec<(u64, PathBuf)> = std::fs::read_dir(run_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter_map(|p| checkpoint_step(&p).map(|s| (s, p)))
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.0));
    out
}

/// Writes `checkpoint-<step>` into a temporary folder, renames it into place, then removes
/// the oldest checkpoints beyond `keep` (only after the new one is complete).
pub fn save_checkpoint(
    run_dir: &Path,
    bundle: &[u8],
    moments: &[NamedTensor],
    state: &TrainerState,
    keep: usize,
) -> Result<PathBuf, RunDirError> {
    let final_dir = run_dir.join(format!("checkpoint-{}", state.global_step));
    let tmp = run_dir.join(format!(".checkpoint-{}.tmp", state.global_step));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io_err(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| io_err(&tmp, e))?;
    let mut meta = BTreeMap::new();
    meta.insert("steps".to_string(), state.global_step.to_string());
    let files: [(&str, Vec<u8>); 3] = [
        (MODEL_FILE, bundle.to_vec()),
        (
            OPTIMIZER_FILE,
            tensor_file::write(moments, &meta)
                .map_err(|e| invalid(&tmp.join(OPTIMIZER_FILE), e))?,
        ),
        (
            STATE_FILE,
            serde_json::to_vec_pretty(state).map_err(|e| invalid(&tmp.join(STATE_FILE), e))?,
        ),
    ];
    for (name, bytes) in files {
        let path = tmp.join(name);
        let mut f = std::fs::File::create(&path).map_err(|e| io_err(&path, e))?;
        f.write_all(&bytes).map_err(|e| io_err(&path, e))?;
        f.sync_all().map_err(|e| io_err(&path, e))?;
    }
    if final_dir.exists() {
        std::fs::remove_dir_all(&final_dir).map_err(|e| io_err(&final_dir, e))?;
    }
    std::fs::rename(&tmp, &final_dir).map_err(|e| io_err(&final_dir, e))?;
    for (_, old) in list_checkpoints(run_dir).into_iter().skip(keep.max(1)) {
        // A failed clean-up only leaves an extra folder behind.
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(final_dir)
}

/// Reads one checkpoint folder completely, or says what is wrong with it.
pub fn load_checkpoint(dir: &Path) -> Result<LoadedCheckpoint, RunDirError> {
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read(&p).map_err(|e| io_err(&p, e))
    };
    let bundle = read(MODEL_FILE)?;
    crate::bundle::read_meta(&bundle).map_err(|e| invalid(&dir.join(MODEL_FILE), e))?;
    let (moments, _) = tensor_file::read(&read(OPTIMIZER_FILE)?)
        .map_err(|e| invalid(&dir.join(OPTIMIZER_FILE), e))?;
    let state: TrainerState = serde_json::from_slice(&read(STATE_FILE)?)
        .map_err(|e| invalid(&dir.join(STATE_FILE), e))?;
    Ok(LoadedCheckpoint {
        dir: dir.to_path_buf(),
        bundle,
        moments,
        state,
    })
}

/// The newest checkpoint that loads; every one skipped is reported through `warn`.
pub fn newest_checkpoint(run_dir: &Path, mut warn: impl FnMut(String)) -> Option<LoadedCheckpoint> {
    for (_, dir) in list_checkpoints(run_dir) {
        match load_checkpoint(&dir) {
            Ok(c) => return Some(c),
            Err(e) => warn(format!(
                "checkpoint {} is incomplete or corrupt ({e}); trying the previous one",
                dir.display()
            )),
        }
    }
    None
}

/// Appends one JSON object per line to `metrics.jsonl`.
pub struct MetricsLog {
    file: std::fs::File,
    path: PathBuf,
}

impl MetricsLog {
    pub fn open(run_dir: &Path) -> Result<Self, RunDirError> {
        let path = run_dir.join(METRICS_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        Ok(Self { file, path })
    }

    pub fn write(&mut self, record: &serde_json::Value) -> Result<(), RunDirError> {
        let mut line = record.to_string();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|e| io_err(&self.path, e))
    }
}

/// `eval_results/step_<step>.json` (and, for the final evaluation, `eval_results.json`).
pub fn write_eval_results(
    run_dir: &Path,
    step: u64,
    records: &[EvalRecord],
    is_final: bool,
) -> Result<PathBuf, RunDirError> {
    let text = eval_results_json(records);
    let path = run_dir
        .join("eval_results")
        .join(format!("step_{step}.json"));
    write_atomically(&path, text.as_bytes())?;
    if is_final {
        write_atomically(&run_dir.join("eval_results.json"), text.as_bytes())?;
    }
    Ok(path)
}

/// CALT's run folder as a [`RunStore`]: `metrics.jsonl`, `checkpoint-N/` (keeping the newest
/// `keep`), `eval_results/` and the final `model.safetensors`.
pub struct RunFolder {
    dir: PathBuf,
    log: MetricsLog,
    keep: usize,
}

impl RunFolder {
    /// Opens (creating it if needed) the run folder `dir`; metrics are appended.
    pub fn open(dir: &Path, keep: usize) -> Result<Self, RunDirError> {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            log: MetricsLog::open(dir)?,
            keep,
        })
    }
}

impl RunStore for RunFolder {
    fn record(&mut self, record: &serde_json::Value) -> Result<(), FitError> {
        Ok(self.log.write(record)?)
    }

    fn save_checkpoint(
        &mut self,
        bundle: &[u8],
        moments: &[NamedTensor],
        state: &TrainerState,
    ) -> Result<(), FitError> {
        save_checkpoint(&self.dir, bundle, moments, state, self.keep)?;
        Ok(())
    }

    fn save_eval_results(
        &mut self,
        step: u64,
        records: &[EvalRecord],
        is_final: bool,
    ) -> Result<String, FitError> {
        let path = write_eval_results(&self.dir, step, records, is_final)?;
        Ok(path.display().to_string())
    }

    fn save_model(&mut self, bundle: &[u8]) -> Result<String, FitError> {
        let path = self.dir.join(MODEL_FILE);
        write_atomically(&path, bundle)?;
        Ok(path.display().to_string())
    }
}

/// What a run folder remembers about how it was started, so `--resume` needs only the folder.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct RunInfo {
    pub config_path: PathBuf,
    pub dryrun: bool,
    /// The `--devices` list the run was started with (a resumed run keeps it: how each
    /// update's batches are cut depends on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<crate::execution::DeviceList>,
}

pub const RUN_INFO_FILE: &str = "run_info.json";

impl RunInfo {
    pub fn read(run_dir: &Path) -> Result<Self, RunDirError> {
        let path = run_dir.join(RUN_INFO_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| RunDirError::NotRunFolder {
            dir: run_dir.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| invalid(&path, e))
    }
}

/// The files a new run folder starts with: copies of train.yaml and lexer.yaml, CALT's
/// tokenizer files and [`RunInfo`].
pub fn write_run_files(
    run_dir: &Path,
    info: &RunInfo,
    data: &TrainingData,
) -> Result<(), RunDirError> {
    let copy = |from: &Path| std::fs::read(from).map_err(|e| io_err(from, e));
    let files: [(&str, Vec<u8>); 5] = [
        ("train.yaml", copy(&info.config_path)?),
        ("lexer.yaml", copy(&data.lexer_config_path)?),
        (
            "tokenizer.json",
            data.tokenizer
                .to_json()
                .map_err(|e| invalid(&run_dir.join("tokenizer.json"), e))?
                .into_bytes(),
        ),
        (
            "special_tokens_map.json",
            data.tokenizer.special_tokens_map_json().into_bytes(),
        ),
        (
            RUN_INFO_FILE,
            serde_json::to_vec_pretty(info)
                .map_err(|e| invalid(&run_dir.join(RUN_INFO_FILE), e))?,
        ),
    ];
    for (name, bytes) in files {
        write_atomically(&run_dir.join(name), &bytes)?;
    }
    Ok(())
}

/// The trainer a resumed run continues with: the newest checkpoint in `run_dir` that loads
/// (each one skipped is reported through `warn`), its model, optimizer moments and step,
/// training on `devices` (the run's own list: how each update's batches are cut depends on
/// it). `None` when there is no usable checkpoint.
pub fn resume_trainer(
    run_dir: &Path,
    expected: &ModelConfig,
    settings: TrainSettings,
    train: Vec<Pair>,
    devices: &[Device],
    warn: impl FnMut(String),
) -> Result<Option<(Trainer, PathBuf)>, FitError> {
    let Some(checkpoint) = newest_checkpoint(run_dir, warn) else {
        return Ok(None);
    };
    let device = devices[0].clone().autodiff();
    let (model, meta) = crate::bundle::from_bytes(checkpoint.bundle, &device)?;
    if &meta.model_config != expected {
        return Err(TrainError::Checkpoint(format!(
            "{}: its model config differs from the run's train.yaml",
            checkpoint.dir.display()
        ))
        .into());
    }
    let mut trainer =
        Trainer::with_model(model, settings, train, &device)?.with_replicas(devices)?;
    trainer.restore(checkpoint.state.global_step, checkpoint.moments)?;
    Ok(Some((trainer, checkpoint.dir)))
}
