#!/usr/bin/env python3
"""Trains a CALT train.yaml with the Python CALT (calt-x 1.5.0) as its own scripts do:
IOPipeline → ModelPipeline → TrainerPipeline, then its generation evaluation.

Usage: python caltx_train.py TRAIN_YAML   (run from the folder the config's paths are relative to)
Prints `generation_accuracy X` on its last line; the run folder gets CALT's eval_results.json.
Set up with: bash benches/learning/setup.sh (a virtual environment with calt-x and CPU torch).
"""

import os
import sys
import time

from omegaconf import OmegaConf


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    import torch

    torch.set_num_threads(int(os.environ.get("CALT_THREADS", "2")))
    from calt.io.pipeline import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    cfg = OmegaConf.load(sys.argv[1])
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    trainer = TrainerPipeline.from_io_dict(
        cfg.train, model, io_dict, wandb_config=cfg.train.get("wandb") or cfg.get("wandb")
    ).build()
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    # Written as eval_results/step_<last step>.json in the run folder.
    accuracy = trainer.trainer.evaluate_and_save_generation()
    samples = len(io_dict["train_dataset"]) * float(cfg.train.num_train_epochs)
    print(f"train_seconds {seconds:.1f}")
    print(f"train_samples_per_second {samples / seconds:.1f}")
    print(f"generation_accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
