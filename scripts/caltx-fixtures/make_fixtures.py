#!/usr/bin/env python3
# HOW TO RERUN: bash benches/learning/setup.sh (venv benches/learning/.venv: calt-x 1.5.0,
#   transformers 4.57.1, torch 2.15.0 (PyPI), tokenizers 0.22.2, safetensors 0.8.0; pip 23.2.1), then from the repo root:
#   benches/learning/.venv/bin/python scripts/caltx-fixtures/make_fixtures.py all
#   (or one family: data | generic | bart | decoder_only | encoder_classifier | pretok | check)
# Writes ONLY under tests/data/caltx/. CPU only, one thread; about 10 minutes in all.
"""Golden fixtures made with calt-x itself (IOPipeline -> ModelPipeline -> TrainerPipeline).

Layout (all paths relative to tests/data/caltx, which is also the working directory every
train.yaml path is relative to):
  data/reverse/{train_raw,test_raw}.txt, lexer.yaml   reverse a comma list of 3-5 digits
  data/maxdigit/{train_raw,test_raw}.txt, lexer.yaml  largest digit of the list, one-token answer
  (parity of the digit sum was tried first: the encoder_classifier stays at chance, loss ~ln 2)
  data/reverse/processed_degrevlex_raw_ids/            `calt preprocess --pretokenize` output
  <family>/results/      the folder as calt-x saves it (checkpoint-* removed) + train.yaml, lexer.yaml
  <family>/hf_safetensors/, <family>/hf_bin/   model.save_pretrained(safe_serialization=True/False)
  <family>/generations.jsonl   per test sample: problem, reference, generated (ids, tokens, text)
  <family>/logits.jsonl        teacher-forced logits for the first 3 test samples (batch 1)
  <family>/manifest.json       config, state_dict names/shapes, accuracy, command
"""

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ["WANDB_DISABLED"] = "true"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "caltx"
VENV_BIN = Path(sys.executable).parent

LEXER_YAML = """vocab:
  range:
    digits: ["", 0, 9]
  misc: [","]
number_policy:
  attach_sign: true
  digit_group: 0
  allow_float: false
strict: true
"""

MAX_GEN = 24  # generation max_length passed to evaluate_and_save_generation


def make_data():
    for task in ("reverse", "maxdigit"):
        d = OUT / "data" / task
        d.mkdir(parents=True, exist_ok=True)
        (d / "lexer.yaml").write_text(LEXER_YAML)
        rng = random.Random({"reverse": 1, "maxdigit": 2}[task])
        for split, n in (("train", 2000), ("test", 50)):
            lines = []
            for _ in range(n):
                xs = [rng.randint(0, 9) for _ in range(rng.randint(3, 5))]
                p = ",".join(map(str, xs))
                a = ",".join(map(str, xs[::-1])) if task == "reverse" else str(max(xs))
                lines.append(f"{p} # {a}\n")
            (d / f"{split}_raw.txt").write_text("".join(lines))


def train_yaml(family):
    task = "maxdigit" if family == "encoder_classifier" else "reverse"
    model = {"model_type": family, "d_model": 32, "max_sequence_length": 32}
    if family == "decoder_only":
        model.update(num_layers=2, num_heads=4, ffn_dim=64)
    elif family == "encoder_classifier":
        model.update(num_encoder_layers=2, num_encoder_heads=4, encoder_ffn_dim=64)
    else:
        model.update(num_encoder_layers=1, num_encoder_heads=4, encoder_ffn_dim=64,
                     num_decoder_layers=1, num_decoder_heads=4, decoder_ffn_dim=64)
    if family in ("generic", "decoder_only", "encoder_classifier"):
        model["use_positional_embedding"] = "generic"
    epochs = int(os.environ.get("FIX_EPOCHS", {"generic": 8, "bart": 30, "decoder_only": 8, "encoder_classifier": 30}[family]))
    steps = epochs * 63  # 2000 / 32 -> 63 steps per epoch
    return {
        "data": {
            "lexer_config": f"data/{task}/lexer.yaml",
            "train_dataset_path": f"data/{task}/train_raw.txt",
            "test_dataset_path": f"data/{task}/test_raw.txt",
            "num_train_samples": -1,
            "num_test_samples": -1,
            "validate_train_tokens": True,
            "validate_test_tokens": True,
        },
        "model": model,
        "train": {
            "save_dir": f"{family}/results",
            "num_train_epochs": epochs,
            "learning_rate": float(os.environ.get("FIX_LR", 0.002 if family != "bart" else 0.003)),
            "weight_decay": 0.0,
            "warmup_ratio": 0.05,
            "batch_size": 32,
            "test_batch_size": 1,
            "num_workers": 0,
            "dataloader_pin_memory": False,
            "eval_strategy": "no",
            "save_strategy": "steps",
            "save_steps": steps,
            "logging_steps": 50,
            "seed": 42,
            "wandb": {"no_wandb": True},
        },
    }


def tensor_list(t):
    return t.detach().cpu().tolist()


def run_family(family):
    import torch
    from omegaconf import OmegaConf

    torch.set_num_threads(1)
    from calt.io.pipeline import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    os.chdir(OUT)
    fam_dir = OUT / family
    if fam_dir.exists():
        shutil.rmtree(fam_dir)
    (fam_dir / "results").mkdir(parents=True)
    cfg = OmegaConf.create(train_yaml(family))
    # As every CALT example train.py does: save the config into save_dir (load_from_checkpoint needs it).
    OmegaConf.save(cfg, fam_dir / "results" / "train.yaml")
    shutil.copy(OUT / cfg.data.lexer_config, fam_dir / "results" / "lexer.yaml")

    torch.manual_seed(0)  # CALT's own init depends on torch's global RNG state
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    tp = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
    t0 = time.time()
    tp.train()
    train_s = time.time() - t0
    tp.save_model()
    acc = tp.evaluate_and_save_generation(max_length=MAX_GEN)
    res = fam_dir / "results"
    ckpts = sorted(p.name for p in res.glob("checkpoint-*"))
    ckpt_files = sorted(os.listdir(res / ckpts[0])) if ckpts else []
    for c in ckpts:
        shutil.rmtree(res / c)
    step = tp.trainer.state.global_step
    log_history = tp.trainer.state.log_history

    model.eval()
    model.save_pretrained(fam_dir / "hf_safetensors", safe_serialization=True)
    model.save_pretrained(fam_dir / "hf_bin", safe_serialization=False)

    tok = io_dict["tokenizer"]
    coll = io_dict["data_collator"]
    ds = io_dict["test_dataset"]
    eval_file = res / "eval_results" / f"step_{step}.json"
    eval_rows = json.loads(eval_file.read_text())

    captured = {}
    head = model.classifier if family == "encoder_classifier" else model.lm_head
    hook = head.register_forward_hook(lambda m, i, o: captured.__setitem__("logits", o))

    gens, logit_rows, n_ok = [], [], 0
    with torch.no_grad():
        for i in range(len(ds)):
            item = ds[i]
            batch = coll([item])
            gen = model.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                 max_length=MAX_GEN)
            gen_ids = tensor_list(gen[0])
            gen_text = tok.batch_decode(gen, skip_special_tokens=True, clean_up_tokenization_spaces=True)[0]
            labels = batch["labels"].clone()
            labels[labels == -100] = tok.pad_token_id
            ref_text = tok.batch_decode(labels, skip_special_tokens=True, clean_up_tokenization_spaces=True)[0]
            assert gen_text == eval_rows[i]["generated"], (i, gen_text, eval_rows[i])
            assert ref_text == eval_rows[i]["reference"], (i, ref_text, eval_rows[i])
            ok = gen_text.strip() == ref_text.strip()
            n_ok += ok
            gens.append({
                "index": i,
                "problem": ds.input_texts[i],
                "answer": ds.target_texts[i],
                "input_tokens": item["input"].split(" "),
                "target_tokens": item["target"].split(" "),
                "input_ids": tensor_list(batch["input_ids"][0]),
                "decoder_input_ids": tensor_list(batch["decoder_input_ids"][0]),
                "labels": tensor_list(batch["labels"][0]),
                "generated_ids": gen_ids,
                "generated_tokens": tok.convert_ids_to_tokens(gen_ids),
                "generated": gen_text,
                "reference": ref_text,
                "correct": bool(ok),
            })
            if i < 3:
                out = model(**batch)
                logits = out.logits if family == "bart" else captured["logits"]
                logit_rows.append({
                    "index": i,
                    "input_ids": tensor_list(batch["input_ids"][0]),
                    "attention_mask": tensor_list(batch["attention_mask"][0]),
                    "decoder_input_ids": tensor_list(batch["decoder_input_ids"][0]),
                    "labels": tensor_list(batch["labels"][0]),
                    "loss": float(out.loss),
                    "logits_shape": list(logits[0].shape),
                    "logits": tensor_list(logits[0]),
                })
    hook.remove()
    assert abs(n_ok / len(ds) - acc) < 1e-9
    with open(fam_dir / "generations.jsonl", "w") as f:
        for g in gens:
            f.write(json.dumps(g) + "\n")
    with open(fam_dir / "logits.jsonl", "w") as f:
        for r in logit_rows:
            f.write(json.dumps(r) + "\n")

    from safetensors import safe_open
    with safe_open(str(fam_dir / "hf_safetensors" / "model.safetensors"), "pt") as f:
        st_keys = {k: list(f.get_slice(k).get_shape()) for k in f.keys()}
    sd = {k: list(v.shape) for k, v in model.state_dict().items()}
    manifest = {
        "family": family,
        "calt_x": __import__("calt").__version__,
        "transformers": __import__("transformers").__version__,
        "torch": torch.__version__,
        "command": "benches/learning/.venv/bin/python scripts/caltx-fixtures/make_fixtures.py " + family,
        "train_yaml": OmegaConf.to_container(cfg),
        "global_step": step,
        "train_seconds": round(train_s, 1),
        "final_train_loss": next((r["train_loss"] for r in log_history if "train_loss" in r), None),
        "generation_max_length": MAX_GEN,
        "generation_accuracy": acc,
        "eval_results_file": str(eval_file.relative_to(OUT)),
        "checkpoint_dirs_removed": ckpts,
        "checkpoint_contents": ckpt_files,
        "results_files": sorted(str(p.relative_to(res)) for p in res.rglob("*") if p.is_file()),
        "tokenizer_vocab_size": len(tok.vocab),
        "special_ids": {"pad": tok.pad_token_id, "bos": tok.bos_token_id, "eos": tok.eos_token_id,
                        "cls": tok.cls_token_id},
        "state_dict": sd,
        "safetensors_keys": st_keys,
        "num_parameters": sum(p.numel() for p in model.parameters()),
    }
    (fam_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"[{family}] step {step} train {train_s:.1f}s generation_accuracy {acc:.4f}")


def pretok():
    os.chdir(OUT)
    cfg = OUT / "pretok_train.yaml"
    cfg.write_text(json.dumps({"data": train_yaml("generic")["data"]}))  # JSON is YAML
    subprocess.run([str(VENV_BIN / "calt"), "preprocess", "--config", str(cfg), "--pretokenize",
                    "--force"], check=True)
    cfg.unlink()


def check():
    """Reload every results folder the documented way and regenerate (must match)."""
    import torch
    torch.set_num_threads(1)
    from calt.trainer.utils import load_from_checkpoint
    os.chdir(OUT)
    for family in ("generic", "bart", "decoder_only", "encoder_classifier"):
        if not (OUT / family / "results").exists():
            continue
        io_p, model, tp = load_from_checkpoint(f"{family}/results", resume_from_checkpoint=True)
        model.eval()
        tok, coll, ds = io_p.tokenizer, io_p.data_collator, io_p.test_dataset
        rows = [json.loads(l) for l in open(OUT / family / "generations.jsonl")]
        with torch.no_grad():
            for r in rows:
                b = coll([ds[r["index"]]])
                g = model.generate(input_ids=b["input_ids"], attention_mask=b["attention_mask"],
                                   max_length=MAX_GEN)
                assert g[0].tolist() == r["generated_ids"], (family, r["index"])
        print(f"[check] {family}: {type(model).__name__} reloaded, {len(rows)} generations match")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    steps = ["data", "pretok", "generic", "bart", "decoder_only", "encoder_classifier", "check"] \
        if what == "all" else [what]
    for s in steps:
        {"data": make_data, "pretok": pretok, "check": check}.get(s, lambda s=s: run_family(s))()
