#!/usr/bin/env python3
"""What a training recipe learns, next to how fast it trains: the learning benchmark.

Generates the gf17_addition task on several fresh data seeds (CALT's sizes: 20000 train, 1000
test), trains the same recipe on each with both batchings (`group_by_length: true`, length
buckets; `false`, shuffled batches as HF's Trainer draws them) and, when given a Python with
calt-x, trains the Python CALT on the same files. Prints exact match per seed, per batching and
per answer length (numbers in the answer) next to training samples/s, so a speed change that
costs accuracy shows up in the same table.

It takes minutes per run (about 4 on two cores for calt, 5 for calt-x): it is a benchmark, not
a test. Run from the repository root with a release build:

    cargo build --release -p calt-cli
    python3 benches/learning/run.py                          # calt only, seeds 7 8 9
    bash benches/learning/setup.sh                           # once: calt-x + torch in a venv
    python3 benches/learning/run.py --caltx benches/learning/.venv/bin/python

Only the standard library is needed here; the recipe is the one of `configs/gf17_addition`
with CALT's `max_sequence_length: 512`.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASK = ROOT / "configs" / "gf17_addition"
HERE = Path(__file__).resolve().parent

DATA_YAML = """dataset:
  save_dir: data
  num_train_samples: {train}
  num_test_samples: {test}
  batch_size: 10000
  n_jobs: 2
  root_seed: {seed}
  verbose: false
  save_text: true
  save_json: false
task:
  name: gf17_addition
"""

TRAIN_YAML = """model:
  model_type: generic
  num_encoder_layers: 2
  num_encoder_heads: 4
  num_decoder_layers: 2
  num_decoder_heads: 4
  d_model: 128
  encoder_ffn_dim: 512
  decoder_ffn_dim: 512
  max_sequence_length: 512
train:
  save_dir: {save_dir}
  num_train_epochs: {epochs}
  learning_rate: 1e-3
  weight_decay: 0.01
  warmup_ratio: 0.1
  batch_size: 64
  test_batch_size: 256
  lr_scheduler_type: linear
  max_grad_norm: 1.0
  optimizer: adamw_torch
  num_workers: 0
  seed: 42
  eval_steps: 1000
  save_steps: 100000
  logging_steps: 50
{extra}  wandb:
    project: calt
    group: learning-bench
    name: learning-bench
    no_wandb: true
data:
  train_dataset_path: data/train_raw.txt
  test_dataset_path: data/test_raw.txt
  lexer_config: lexer.yaml
  num_train_samples: -1
  num_test_samples: -1
"""


def run(cmd, cwd, log):
    """Runs a command with its output in `log`; stops the benchmark if it fails."""
    with open(log, "w") as out:
        done = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = Path(log).read_text()[-2000:]
        sys.exit(f"{' '.join(map(str, cmd))} failed ({done.returncode}); end of {log}:\n{tail}")


def answer_length(reference):
    """Numbers in a gf17 answer (`6 , 2 , 0` or CALT's `6, 2, 0` → 3)."""
    return len([p for p in reference.split(",") if p.strip()])


def score(eval_file):
    """Exact match (whitespace-insensitive, as both write their text) overall and by length."""
    records = json.loads(Path(eval_file).read_text())
    by_length = {}
    correct = 0
    for r in records:
        hit = r["generated"].split() == r["reference"].split()
        n = answer_length(r["reference"])
        ok, total = by_length.get(n, (0, 0))
        by_length[n] = (ok + hit, total + 1)
        correct += hit
    return correct / max(len(records), 1), by_length


def newest_step_file(run_dir):
    files = sorted(
        (run_dir / "eval_results").glob("step_*.json"),
        key=lambda p: int(p.stem.split("_")[1]),
    )
    if not files:
        sys.exit(f"{run_dir}: no eval_results/step_*.json")
    return files[-1]


def calt_run(calt, seed_dir, batching, epochs, devices):
    name = f"calt-{batching}" + (f"-{devices.replace(',', '+')}" if devices else "")
    extra = f"  group_by_length: {'true' if batching == 'bucketed' else 'false'}\n"
    config = seed_dir / f"{name}.yaml"
    config.write_text(TRAIN_YAML.format(save_dir=name, epochs=epochs, extra=extra))
    run_dir = seed_dir / name
    shutil.rmtree(run_dir, ignore_errors=True)
    started = time.perf_counter()
    placement = ["--devices", devices] if devices else ["--device", "cpu"]
    run([calt, "train", "--config", config, *placement], seed_dir, seed_dir / f"{name}.log")
    wall = time.perf_counter() - started
    summary = None
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        if "train_runtime" in record:
            summary = record
    speed = summary["train_samples_per_second"] if summary else float("nan")
    return name, score(run_dir / "eval_results.json"), speed, wall


def caltx_run(python, seed_dir, epochs):
    name = "calt-x"
    config = seed_dir / f"{name}.yaml"
    config.write_text(TRAIN_YAML.format(save_dir=name, epochs=epochs, extra=""))
    run_dir = seed_dir / name
    shutil.rmtree(run_dir, ignore_errors=True)
    log = seed_dir / f"{name}.log"
    started = time.perf_counter()
    run([python, HERE / "caltx_train.py", config.name], seed_dir, log)
    wall = time.perf_counter() - started
    speed = float("nan")
    for line in log.read_text().splitlines():
        if line.startswith("train_samples_per_second "):
            speed = float(line.split()[1])
    return name, score(newest_step_file(run_dir)), speed, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calt", default=str(ROOT / "target" / "release" / "calt"))
    parser.add_argument("--seeds", default="7,8,9", help="data root seeds, comma-separated")
    parser.add_argument("--batchings", default="bucketed,shuffled",
                        help="calt's batchings to train, comma-separated ('' for calt-x only)")
    parser.add_argument("--train-samples", type=int, default=20000)
    parser.add_argument("--test-samples", type=int, default=1000)
    parser.add_argument("--epochs", type=float, default=10)
    parser.add_argument("--caltx", help="a Python with calt-x and torch (benches/learning/setup.sh)")
    parser.add_argument("--devices", help="train calt data-parallel on this device list (e.g. cpu,cpu)")
    parser.add_argument("--work", default=str(ROOT / "target" / "learning-bench"))
    args = parser.parse_args()

    calt = shutil.which(args.calt) or args.calt
    cargo_target = os.environ.get("CARGO_TARGET_DIR")
    if not Path(calt).exists() and cargo_target:
        calt = str(Path(cargo_target) / "release" / "calt")
    if not Path(calt).exists():
        sys.exit(f"no calt binary at {args.calt}: cargo build --release -p calt-cli, or --calt PATH")
    # The runs start in each seed's folder: a relative interpreter path must not move with them.
    if args.caltx:
        # abspath, not resolve: a venv's python is a symlink that must not be followed.
        args.caltx = os.path.abspath(args.caltx) if os.sep in args.caltx else shutil.which(args.caltx)
    epochs = int(args.epochs) if args.epochs == int(args.epochs) else args.epochs
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        seed_dir = Path(args.work) / f"seed{seed}"
        seed_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(TASK / "lexer.yaml", seed_dir / "lexer.yaml")
        (seed_dir / "data.yaml").write_text(
            DATA_YAML.format(train=args.train_samples, test=args.test_samples, seed=seed)
        )
        run([calt, "generate", "--config", "data.yaml", "--quiet"], seed_dir, seed_dir / "generate.log")
        for batching in [b for b in args.batchings.split(",") if b]:
            rows.append((seed, *calt_run(calt, seed_dir, batching, epochs, args.devices)))
            print_row(*rows[-1])
        if args.caltx:
            rows.append((seed, *caltx_run(args.caltx, seed_dir, epochs)))
            print_row(*rows[-1])
    print_table(rows)


def print_row(seed, name, scored, speed, wall):
    (acc, by_length) = scored
    lengths = " ".join(f"{n}:{ok}/{total}" for n, (ok, total) in sorted(by_length.items()))
    print(f"seed {seed} {name}: exact match {acc:.1%} ({lengths}); {speed:.0f} samples/s; {wall:.0f} s", flush=True)


def print_table(rows):
    lengths = sorted({n for row in rows for n in row[2][1]})
    print()
    print("| seed | run | exact match | " + " | ".join(f"{n} numbers" for n in lengths) + " | train samples/s |")
    print("|---|---|---|" + "---|" * len(lengths) + "---|")
    for seed, name, (acc, by_length), speed, _ in rows:
        cells = [f"{by_length.get(n, (0, 0))[0]}/{by_length.get(n, (0, 0))[1]}" for n in lengths]
        print(f"| {seed} | {name} | {acc:.1%} | " + " | ".join(cells) + f" | {speed:.0f} |")
    names = sorted({row[1] for row in rows})
    print()
    for name in names:
        accs = [row[2][0] for row in rows if row[1] == name]
        speeds = [row[3] for row in rows if row[1] == name]
        print(f"{name}: exact match min {min(accs):.1%}, median {statistics.median(accs):.1%}; "
              f"median {statistics.median(speeds):.0f} samples/s")


if __name__ == "__main__":
    main()
