//! The same model on WGPU and on the CPU backend: identical initial weights (drawn on the
//! host), logits and a few training steps within tolerance. Skips, saying why, where no
//! WGPU adapter exists (install mesa-vulkan-drivers for lavapipe).

// Reads files or runs long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use calt_core::generation::greedy;
use calt_core::model::{ModelConfig, Seq2Seq};
use calt_core::training::device::{DeviceChoice, select_device};
use calt_core::training::{AdamWSettings, Pair, ScheduleKind, TrainSettings, Trainer, scalar};

fn wgpu_device() -> Option<Device> {
    // Enumeration may panic inside the driver stack on broken setups.
    let found = std::panic::catch_unwind(|| select_device(DeviceChoice::Wgpu));
    match found {
        Ok(Ok(d)) => {
            println!("WGPU adapter: {}", d.description);
            Some(d.device)
        }
        Ok(Err(e)) => {
            println!("skipping: {e}");
            None
        }
        Err(_) => {
            println!("skipping: WGPU initialisation panicked (no usable Vulkan driver)");
            None
        }
    }
}

fn ids(rows: &[&[i64]], device: &Device) -> Tensor<2, Int> {
    let w = rows[0].len();
    let flat: Vec<i64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), w]), device)
}

fn to_vec(t: Tensor<3>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec().unwrap()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn config() -> ModelConfig {
    ModelConfig {
        init_std: 0.2,
        ..ModelConfig::small(12, 0, 1, 2)
    }
}

fn data() -> Vec<Pair> {
    (0..16u32)
        .map(|i| {
            let xs: Vec<u32> = (0..(2 + i % 4)).map(|j| 3 + (i + j) % 9).collect();
            let mut inp = vec![1];
            inp.extend(&xs);
            inp.push(2);
            let mut tgt = vec![1];
            tgt.extend(xs.iter().rev());
            tgt.push(2);
            (inp, tgt)
        })
        .collect()
}

#[test]
fn wgpu_matches_cpu() {
    let Some(gpu) = wgpu_device() else { return };
    let cpu = Device::flex();
    let cfg = config();

    // Forward pass with padding in the batch.
    let input: [&[i64]; 2] = [&[1, 3, 4, 5, 2], &[1, 6, 2, 0, 0]];
    let dec: [&[i64]; 2] = [&[1, 5, 4], &[1, 6, 2]];
    let logits = |device: &Device| {
        let m = Seq2Seq::new(&cfg, device).unwrap();
        to_vec(m.forward(ids(&input, device), ids(&dec, device)).unwrap())
    };
    let (a, b) = (logits(&cpu), logits(&gpu));
    let d = max_diff(&a, &b);
    println!("forward max |cpu − wgpu| = {d:e}");
    assert!(d < 1e-3, "forward logits differ by {d}");

    // Greedy generation agrees.
    let rows: Vec<&[u32]> = vec![&[1, 3, 4, 5, 2], &[1, 6, 2]];
    let g_cpu = greedy(&Seq2Seq::new(&cfg, &cpu).unwrap(), &rows, 8, &cpu).unwrap();
    let g_gpu = greedy(&Seq2Seq::new(&cfg, &gpu).unwrap(), &rows, 8, &gpu).unwrap();
    assert_eq!(g_cpu, g_gpu);

    // A few training steps.
    let settings = TrainSettings {
        epochs: 1.0,
        batch_size: 4,
        accumulation: 1,
        learning_rate: 1e-3,
        schedule: ScheduleKind::Constant,
        warmup_ratio: 0.0,
        adamw: AdamWSettings::default(),
        seed: 3,
        bucket_by_length: true,
    };
    let run = |device: &Device| {
        let mut t = Trainer::new(&cfg, settings.clone(), data(), device).unwrap();
        let losses: Vec<f64> = (0..4)
            .map(|_| scalar(&t.train_step().unwrap().loss))
            .collect();
        let m = t.model().valid();
        let out = to_vec(m.forward(ids(&input, device), ids(&dec, device)).unwrap());
        (losses, out)
    };
    let (la, oa) = run(&cpu);
    let (lb, ob) = run(&gpu);
    println!("losses cpu {la:?} wgpu {lb:?}");
    for (x, y) in la.iter().zip(&lb) {
        assert!((x - y).abs() < 1e-3, "losses differ: {la:?} vs {lb:?}");
    }
    let d = max_diff(&oa, &ob);
    println!("after 4 steps max |cpu − wgpu| logits = {d:e}");
    assert!(d < 1e-2, "trained logits differ by {d}");
}
