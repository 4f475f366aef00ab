#!/usr/bin/env python3
"""calt next to calt-x 1.5.0, per model family, on the same data and config, in one run.

For each family (generic, bart, decoder_only, encoder_classifier) the config is the one calt-x's
fixture was trained with (`tests/data/caltx/FAMILY/results/train.yaml`: a list reversal, or the
largest digit of a list for the classifier; 2000 training samples, 50 test samples):

1. calt-x trains it (`benches/learning/caltx_train.py`) and scores its generations;
2. calt trains it (`calt train --device cpu`) and scores its generations (`calt eval`, one
   sample per batch and calt-x's generation length, as calt-x's evaluation does);
3. calt's model is exported (`calt export --format caltx`) and loaded by calt-x's own
   `load_from_checkpoint`: its generations must be calt's, sample for sample; then calt-x
   fine-tunes it for one epoch (`TrainerPipeline.resume_from_checkpoint`).

Prints, per family, the training time and samples/s of each, their exact match, and whether
calt-x reproduced calt's generations. Both use every core of the machine (torch's two threads
here). A benchmark and an interoperability check, not a test: about 3 minutes on two cores.

    cargo build --release -p calt-cli
    bash benches/learning/setup.sh        # once: calt-x 1.5.0 + torch in benches/learning/.venv
    python3 benches/caltx_families/run.py --caltx benches/learning/.venv/bin/python
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "caltx"
CALTX_TRAIN = ROOT / "benches" / "learning" / "caltx_train.py"
FAMILIES = ["generic", "bart", "decoder_only", "encoder_classifier"]
# calt-x's evaluation in the fixtures: generate(max_length=24), the start token included.
MAX_LENGTH = 24

# Runs inside calt-x's Python: reload calt's exported folder the documented way, generate every
# test answer one sample at a time, then fine-tune one epoch.
CALTX_RELOAD = r"""
import json, sys
import torch
from omegaconf import OmegaConf
from calt.trainer.utils import load_from_checkpoint
from calt.trainer import TrainerPipeline

folder, max_length, finetune_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
io, model, _ = load_from_checkpoint(folder, resume_from_checkpoint=True)
model.eval()
tok, coll, ds = io.tokenizer, io.data_collator, io.test_dataset
texts = []
with torch.no_grad():
    for i in range(len(ds)):
        b = coll([ds[i]])
        g = model.generate(input_ids=b["input_ids"], attention_mask=b["attention_mask"],
                           max_length=max_length)
        texts.append(tok.batch_decode(g, skip_special_tokens=True,
                                      clean_up_tokenization_spaces=True)[0])
print("GENERATED " + json.dumps(texts))
cfg = OmegaConf.load(f"{folder}/train.yaml")
cfg.train.num_train_epochs = 1
cfg.train.save_dir = finetune_dir
OmegaConf.save(cfg, f"{folder}/train.yaml")
tp = TrainerPipeline.resume_from_checkpoint(folder).build()
tp.train()
loss = next(r["train_loss"] for r in reversed(tp.trainer.state.log_history) if "train_loss" in r)
print(f"FINETUNE_LOSS {loss:.4f}")
"""


def run(command, cwd, capture=True):
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=capture, text=True
    )
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def value(text, key):
    match = re.search(rf"^{key} (\S+)$", text, re.MULTILINE)
    if not match:
        sys.exit(f"`{key}` missing from:\n{text}")
    return match.group(1)


def family_run(family, calt, caltx_python, work):
    work.mkdir()
    (work / "data").symlink_to(FIXTURES / "data")
    config = (FIXTURES / family / "results" / "train.yaml").read_text()
    config = re.sub(r"save_dir: .*", "save_dir: caltx_run", config)
    (work / "train.yaml").write_text(config)
    test_file = re.search(r"test_dataset_path: (\S+)", config).group(1)

    caltx = run([caltx_python, CALTX_TRAIN, "train.yaml"], work)
    caltx_seconds = float(value(caltx, "train_seconds"))
    caltx_sps = float(value(caltx, "train_samples_per_second"))
    caltx_accuracy = float(value(caltx, "generation_accuracy"))

    run([calt, "train", "--config", "train.yaml", "--output", "calt_run", "--device", "cpu"], work)
    metrics = [json.loads(l) for l in (work / "calt_run" / "metrics.jsonl").read_text().splitlines()]
    last = next(m for m in reversed(metrics) if "train_runtime" in m)
    run(
        [calt, "eval", "-m", "calt_run", "-d", test_file, "--batch-size", "1",
         "--max-new-tokens", MAX_LENGTH - 1, "-o", "calt_eval.json"],
        work,
    )
    rows = json.loads((work / "calt_eval.json").read_text())
    calt_accuracy = sum(r["generated"].strip() == r["reference"].strip() for r in rows) / len(rows)

    run([calt, "export", "--format", "caltx", "calt_run", "exported"], work)
    reload = run(
        [caltx_python, "-c", CALTX_RELOAD, "exported", MAX_LENGTH, "finetuned"], work
    )
    theirs = json.loads(re.search(r"^GENERATED (.*)$", reload, re.MULTILINE).group(1))
    same = sum(a == r["generated"] for a, r in zip(theirs, rows))
    return {
        "family": family,
        "caltx_seconds": caltx_seconds,
        "caltx_samples_per_second": caltx_sps,
        "caltx_accuracy": caltx_accuracy,
        "calt_seconds": last["train_runtime"],
        "calt_samples_per_second": last["train_samples_per_second"],
        "calt_accuracy": calt_accuracy,
        "reloaded_same": f"{same}/{len(rows)}",
        "caltx_finetune_loss": float(value(reload, "FINETUNE_LOSS")),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--caltx", required=True, help="a Python with calt-x 1.5.0")
    parser.add_argument("--calt", default=None, help="the calt binary (default: release build)")
    parser.add_argument("--families", default=",".join(FAMILIES))
    args = parser.parse_args()
    calt = args.calt or next(
        p
        for p in [
            Path.home() / ".cache" / "calt-target" / "release" / "calt",
            ROOT / "target" / "release" / "calt",
        ]
        if p.exists()
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families.split(","):
            started = time.perf_counter()
            # Absolute but not resolved: a venv's python is a link that must stay in the venv.
            caltx = os.path.abspath(args.caltx)
            results.append(family_run(family, calt, caltx, Path(tmp) / family))
            print(json.dumps(results[-1]), f"({time.perf_counter() - started:.0f} s)", flush=True)
    print()
    print(f"{'family':<20}{'calt-x s':>9}{'calt s':>8}{'speed-up':>9}"
          f"{'calt-x acc':>11}{'calt acc':>9}{'reloaded':>9}")
    for r in results:
        print(f"{r['family']:<20}{r['caltx_seconds']:>9.1f}{r['calt_seconds']:>8.1f}"
              f"{r['caltx_seconds'] / r['calt_seconds']:>8.2f}x"
              f"{r['caltx_accuracy']:>11.3f}{r['calt_accuracy']:>9.3f}{r['reloaded_same']:>9}")


if __name__ == "__main__":
    main()
