//! `calt bench`: training and generation speed of a config, per backend, with in-run
//! baselines (unbucketed batches; CALT's uncached decoding).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use burn::tensor::Device;
use calt_core::benchmark::{time_generation, time_training};
use calt_core::config::{ModelSection, ModelType};
use calt_core::evaluation::generation_order;
use calt_core::execution::ExecutionPolicy;
use calt_core::generation::{GenerationConfig, greedy_uncached};
use calt_core::model::{Architecture, ModelConfig, Seq2Seq};
use calt_core::native::{TrainingData, load_training_data};
use calt_core::training::device::{DeviceChoice, DeviceList, select_device, select_devices};
use calt_core::training::from_yaml;
use calt_core::training::{Pair, TrainSettings, Trainer};

use crate::matmul_rate::matmul_rate;

/// Measure training samples/s and tokens/s and generation samples/s for a train.yaml.
///
/// Training: timed optimizer steps after warm-up, with length-bucketed batches and, as the
/// in-run baselines, plain shuffled batches and (on the CPU) whole batches left to burn's own
/// kernel threads. Generation: the cached batched greedy decoder against the uncached one
/// (what CALT does) on the test inputs. Pass --model to time
/// generation with a trained bundle (an untrained model rarely stops early).
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  calt bench --config configs/gf17_addition/train.yaml --device cpu --steps 50"
)]
pub struct BenchArgs {
    #[arg(long, short)]
    config: PathBuf,
    /// Devices to measure, comma-separated (cpu, wgpu, auto).
    #[arg(long, default_value = "cpu", value_delimiter = ',')]
    device: Vec<DeviceChoice>,
    /// Timed training steps per variant.
    #[arg(long, default_value_t = 50)]
    steps: usize,
    /// Untimed warm-up steps.
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// Test samples to generate.
    #[arg(long, default_value_t = 1000)]
    gen_samples: usize,
    /// Samples generated per batch (default: train.test_batch_size).
    #[arg(long)]
    gen_batch_size: Option<usize>,
    /// Trained bundle (file or run folder) for the generation timing.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Skip the slow uncached generation baseline.
    #[arg(long)]
    no_baseline: bool,
    /// Also time data-parallel training on these devices (e.g. `wgpu:0,wgpu:1`, as for
    /// `calt train --devices`), against the first of them alone.
    #[arg(long)]
    devices: Option<DeviceList>,
    /// Also time other model families on the same data and sizes, in the same run, next to
    /// the train.yaml's own (e.g. `generic,decoder_only`; an encoder_classifier needs
    /// one-token answers). Untrained models; generation is bounded by the longest reference.
    #[arg(long, value_delimiter = ',')]
    families: Vec<String>,
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let data = load_training_data(&args.config)?.require_clean(true)?;
    let config = &data.config;
    let (mcfg, base) = data.recipe()?;
    let train = data.train.dataset.pairs(usize::MAX);
    let real_tokens: usize = train.iter().map(|p| p.0.len() + p.1.len() - 1).sum();
    let mean_tokens = real_tokens as f64 / train.len().max(1) as f64;
    println!(
        "config {}: {} model, {} train samples (mean {:.1} tokens per sample incl. BOS/EOS), batch {}, d_model {}, {}+{} layers",
        args.config.display(),
        mcfg.architecture.name(),
        train.len(),
        mean_tokens,
        base.batch_size,
        mcfg.d_model,
        mcfg.encoder_layers,
        mcfg.decoder_layers
    );
    for choice in &args.device {
        let selected = select_device(*choice)?;
        if let Some(n) = &selected.note {
            println!("{n}");
        }
        let device: Device = selected.device.clone();
        println!("== {}", selected.description);
        // (label, length-bucketed, two batch halves on two threads): halves only exist on the CPU.
        let on_cpu = ExecutionPolicy::for_device(&device).two_threads;
        let mut variants = vec![
            ("(length-bucketed)", true, true),
            ("(shuffled, baseline)", false, true),
        ];
        if on_cpu {
            variants.push(("(bucketed, whole batch)", true, false));
        }
        // The arithmetic floor: the device's matrix-product rate on the model's feed-forward
        // shape, against which the measured times below can be read.
        let rate = matmul_rate(mcfg.d_model, mcfg.encoder_ffn_dim, &device);
        println!(
            "matrix products [1024x{}]x[{}x{}]: {:.1} GFLOP/s on this device (the rate the floors below assume)",
            mcfg.d_model,
            mcfg.d_model,
            mcfg.encoder_ffn_dim,
            rate / 1e9
        );
        let mut results = Vec::new();
        for (label, bucket, halves) in variants {
            let settings = calt_core::training::TrainSettings {
                bucket_by_length: bucket,
                ..base.clone()
            };
            let mut trainer = Trainer::new(&mcfg, settings, train.clone(), &device)?;
            trainer.set_two_halves(halves);
            let speed = time_training(&mut trainer, args.warmup, args.steps)?;
            let (sps, tps, secs) = (
                speed.samples_per_second,
                speed.padded_tokens_per_second,
                speed.seconds,
            );
            println!(
                "train {label:<22} {sps:>8.1} samples/s {tps:>9.0} padded tokens/s {:>9.0} real tokens/s ({secs:.1} s)",
                sps * mean_tokens,
            );
            results.push(sps);
        }
        let train_flops = train
            .iter()
            .map(|(input, target)| mcfg.training_flops(input.len(), target.len().saturating_sub(1)))
            .sum::<f64>()
            / train.len().max(1) as f64;
        let ceiling = rate / train_flops.max(1.0);
        println!(
            "train arithmetic: {:.2} MFLOP of matrix products per sample; at the rate above at most {ceiling:.0} samples/s (length-bucketed run: {:.0}% of that)",
            train_flops / 1e6,
            100.0 * results[0] / ceiling
        );
        println!(
            "train speed-up from bucketing: {:.2}x",
            results[0] / results[1].max(1e-9)
        );
        if on_cpu {
            println!(
                "train speed-up from two batch halves on two threads (vs whole batches): {:.2}x",
                results[0] / results[2].max(1e-9)
            );
        }

        let model: Seq2Seq = match &args.model {
            Some(p) => calt_core::native::load_bundle(p, &device)?.model,
            None => Seq2Seq::new(&mcfg, &device)?,
        };
        let (inputs, max_target) = test_inputs(&data, args.gen_samples);
        let n = inputs.len();
        let max_new = if args.model.is_some() {
            usize::MAX
        } else {
            max_target
        };
        let bs = args
            .gen_batch_size
            .unwrap_or(config.train.test_batch_size)
            .max(1);
        let cfg = GenerationConfig {
            max_new_tokens: max_new,
            ..GenerationConfig::default()
        };
        let (cached, out) = time_generation(&model, &inputs, bs, &cfg, &device)?;
        let gen_tokens: usize = out.iter().map(|g| g.len() + 1).sum();
        println!(
            "generate {n} samples (cached greedy, batch {bs}, median of 3): {:.3} s, {:.0} samples/s, {:.0} tokens/s",
            cached,
            n as f64 / cached.max(1e-9),
            gen_tokens as f64 / cached.max(1e-9)
        );
        // Decoder steps per row: its tokens, plus the step that produced EOS when it stopped
        // before the step budget.
        let rows = inputs.iter().zip(&out).map(|(input, generated)| {
            let budget = mcfg.generation_budget(input.len(), max_new);
            let stopped_at_eos = generated.len() < budget;
            (input.len(), generated.len() + usize::from(stopped_at_eos))
        });
        let gen_flops = mcfg.generation_flops(rows);
        let floor = gen_flops / rate.max(1.0);
        println!(
            "generate arithmetic: {:.3} GFLOP of matrix products; at the rate above no decoder takes less than {floor:.3} s (this run: {:.0}% of that speed)",
            gen_flops / 1e9,
            100.0 * floor / cached.max(1e-9)
        );
        if !args.no_baseline {
            let started = Instant::now();
            for chunk in generation_order(&inputs).chunks(bs) {
                let rows: Vec<&[u32]> = chunk.iter().map(|&i| inputs[i]).collect();
                greedy_uncached(&model, &rows, max_new, &device)?;
            }
            let uncached = started.elapsed().as_secs_f64();
            println!(
                "generate {n} samples (uncached, CALT's algorithm, baseline): {:.3} s; cache speed-up {:.1}x",
                uncached,
                uncached / cached.max(1e-9)
            );
        }
    }
    if let Some(list) = &args.devices {
        bench_data_parallel(list, &mcfg, &base, &train, args.warmup, args.steps)?;
    }
    if !args.families.is_empty() {
        bench_families(&args, &data, mcfg.architecture, &base, &train)?;
    }
    // Over the whole bench (every variant above), so an upper bound for one training run.
    println!(
        "peak memory (resident, whole bench): {}",
        crate::peak_memory::describe_peak_memory()
    );
    Ok(ExitCode::SUCCESS)
}

/// Training on every device of `list` at once (the batch divided among them, as `calt train
/// --devices` divides it) against the first device alone, in the same run.
fn bench_data_parallel(
    list: &DeviceList,
    model: &ModelConfig,
    settings: &TrainSettings,
    train: &[Pair],
    warmup: usize,
    steps: usize,
) -> anyhow::Result<()> {
    let selected = select_devices(list)?;
    let names: Vec<&str> = selected.iter().map(|d| d.description.as_str()).collect();
    println!("== data parallel: {}", names.join(", "));
    let devices: Vec<Device> = selected.iter().map(|d| d.device.clone()).collect();
    let mut speeds = Vec::new();
    for count in [1, devices.len()] {
        let mut trainer = Trainer::new(model, settings.clone(), train.to_vec(), &devices[0])?
            .with_replicas(&devices[..count])?;
        let sps = time_training(&mut trainer, warmup, steps)?.samples_per_second;
        println!("train on {count} device(s) {sps:>8.1} samples/s");
        speeds.push(sps);
    }
    println!(
        "data-parallel speed-up on {} devices: {:.2}x",
        devices.len(),
        speeds[1] / speeds[0].max(1e-9)
    );
    Ok(())
}

/// Training and generation speed of each family in `args.families` next to the train.yaml's
/// own family, on its first device, with the same data, sizes and batches.
fn bench_families(
    args: &BenchArgs,
    data: &TrainingData,
    own: Architecture,
    settings: &TrainSettings,
    train: &[Pair],
) -> anyhow::Result<()> {
    let device = select_device(args.device[0])?.device;
    let (inputs, max_new) = test_inputs(data, args.gen_samples);
    let n = inputs.len();
    let generation = GenerationConfig {
        max_new_tokens: max_new,
        ..GenerationConfig::default()
    };
    let batch = args
        .gen_batch_size
        .unwrap_or(data.config.train.test_batch_size)
        .max(1);
    println!("== model families (untrained, length-bucketed batches, cached greedy)");
    let mut reference: Option<(f64, f64)> = None;
    let names = std::iter::once(own.name().to_string()).chain(args.families.iter().cloned());
    for name in names {
        let family: ModelType = serde_json::from_value(serde_json::json!(name))
            .map_err(|_| anyhow::anyhow!("--families: `{name}` is not a model_type"))?;
        let section = ModelSection {
            model_type: family,
            ..data.config.model.clone()
        };
        let model_config = from_yaml::model_config(
            &section,
            data.tokenizer.vocab_size(),
            data.tokenizer.special_ids(),
            data.config.train.seed,
        );
        let trainer = model_config.and_then(|model_config| {
            Trainer::new(&model_config, settings.clone(), train.to_vec(), &device)
                .map(|trainer| (model_config, trainer))
        });
        let (model_config, mut trainer) = match trainer {
            Ok(built) => built,
            Err(e) => {
                println!("family {name:<20} not timed: {e}");
                continue;
            }
        };
        let train_speed = time_training(&mut trainer, args.warmup, args.steps)?.samples_per_second;
        let model = Seq2Seq::new(&model_config, &device)?;
        let (seconds, _) = time_generation(&model, &inputs, batch, &generation, &device)?;
        let generate_speed = n as f64 / seconds.max(1e-9);
        let (train_base, generate_base) = *reference.get_or_insert((train_speed, generate_speed));
        println!(
            "family {name:<20} train {train_speed:>8.1} samples/s ({:.2}x)   generate {generate_speed:>8.0} samples/s ({:.2}x)",
            train_speed / train_base.max(1e-9),
            generate_speed / generate_base.max(1e-9),
        );
    }
    Ok(())
}

/// The first `count` test inputs, and the longest of their references: untrained models rarely
/// stop, so their generation is bounded by it.
fn test_inputs(data: &TrainingData, count: usize) -> (Vec<&[u32]>, usize) {
    let test = &data.test.dataset.samples;
    let n = count.min(test.len());
    let longest = test[..n]
        .iter()
        .map(|s| s.target_ids.len())
        .max()
        .unwrap_or(1);
    (data.test.dataset.inputs(n), longest)
}
