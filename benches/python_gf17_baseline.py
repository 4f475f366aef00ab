#!/usr/bin/env python3
"""Same-machine baseline for `calt bench-generate`: what a Python pipeline in CALT's style
does for the gf17_addition task, without CALT itself. For each sample: derive the seed
(SHA-256 of "{root_seed}_{split}_{index}", first 16 bytes big-endian), seed `random`, draw the
list and its prefix sums, then write `{split}_raw.txt` and `{split}_data.jsonl`.

Usage: python3 benches/python_gf17_baseline.py SAMPLES JOBS OUT_DIR
Prints the seconds spent after imports (generation + writing) on its last line.
"""

import hashlib
import json
import os
import random
import sys
import time
from multiprocessing import Pool

PRIME = 17


def seed_for(root_seed, split, index):
    digest = hashlib.sha256(f"{root_seed}_{split}_{index}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


def generate(seed):
    random.seed(seed)
    length = random.randint(3, 6)
    values = [random.randint(0, PRIME - 1) for _ in range(length)]
    sums, total = [], 0
    for v in values:
        total = (total + v) % PRIME
        sums.append(total)
    return ",".join(map(str, values)), ",".join(map(str, sums))


def work(index):
    return generate(seed_for(42, "train", index))


def main():
    samples, jobs, out_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    if jobs > 1:
        with Pool(jobs) as pool:
            results = pool.map(work, range(samples), chunksize=max(1, samples // (jobs * 8)))
    else:
        results = [work(i) for i in range(samples)]
    with open(os.path.join(out_dir, "train_raw.txt"), "w") as text, open(
        os.path.join(out_dir, "train_data.jsonl"), "w"
    ) as js:
        for problem, answer in results:
            text.write(f"{problem} # {answer}\n")
            js.write(json.dumps({"problem": problem, "answer": answer}, ensure_ascii=False) + "\n")
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
