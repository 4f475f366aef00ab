#!/usr/bin/env python3
"""The Python CALT baseline for `calt bench-generate`: CALT's own dataset pipeline
(calt-x 1.5.0, `calt.dataset.sympy.DatasetGenerator`: SHA-256 seeds, joblib workers, statistics,
`{split}_raw.txt` / `{split}_data.jsonl` writing) driven by instance generators for our built-in
tasks, written here in the style of CALT's examples.

CALT's polynomial examples run on SageMath, which cannot be installed from PyPI; these use CALT's
SymPy backend (its `PolynomialSampler` and SymPy's factorisation), the backend CALT offers without
Sage.

Usage: python run.py TASK SAMPLES JOBS OUT_DIR
Prints the seconds spent in `DatasetGenerator.run` (after imports) on its last line.
Set up with: bash benches/calt_baseline/setup.sh
"""

import importlib.util
import os
import random
import sys
import time
import types

# calt/__init__.py imports torch, transformers and wandb for training; the dataset pipeline needs
# none of them. Register empty parent packages so only calt.dataset's modules are imported.
_spec = importlib.util.find_spec("calt")
if _spec is None:
    sys.exit("calt-x is not installed: run bash benches/calt_baseline/setup.sh")
_root = os.path.dirname(_spec.origin)
for name, path in (("calt", _root), ("calt.dataset", os.path.join(_root, "dataset"))):
    package = types.ModuleType(name)
    package.__path__ = [path]
    sys.modules[name] = package

from calt.dataset.sympy.dataset_generator import DatasetGenerator  # noqa: E402
from calt.dataset.sympy.utils.polynomial_sampler import PolynomialSampler  # noqa: E402
from sympy import factor_list, factorint  # noqa: E402

PRIMES_BELOW_30 = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


# Statistics calculators: the per-sample numbers calt's built-in tasks also compute (CALT's
# examples pass one to the pipeline), so both sides do the same work.
def _list_stats(values):
    n = len(values)
    mean = sum(values) / n
    return {
        "num_values": n,
        "min_value": min(values),
        "max_value": max(values),
        "mean_value": mean,
        "std_value": (sum((v - mean) ** 2 for v in values) / n) ** 0.5,
    }


def comma_list_stats(problem, answer):
    return {
        "problem": _list_stats([int(v) for v in problem.split(",")]),
        "answer": _list_stats([int(v) for v in answer.split(",")]),
    }


def integer_factorization_stats(problem, answer):
    return {"problem": {"value": int(problem)}, "answer": _list_stats([int(p) for p in answer])}


def polynomial_list_stats(problem, answer):
    return {
        side: {
            "num_polynomials": len(polys),
            "total_terms": sum(len(p.split(" + ")) for p in polys),
        }
        for side, polys in (("problem", problem), ("answer", answer))
    }


def factorization_stats(problem, answer):
    factors = answer.split(" * ")
    return {
        "problem": {"num_terms": len(problem.split(" + "))},
        "answer": {"num_distinct_factors": len(factors)},
    }


def gf17_addition(seed):
    random.seed(seed)
    values = [random.randint(0, 16) for _ in range(random.randint(3, 6))]
    sums, total = [], 0
    for v in values:
        total = (total + v) % 17
        sums.append(total)
    return ",".join(map(str, values)), ",".join(map(str, sums))


def polynomial_addition(seed):
    random.seed(seed)
    sampler = PolynomialSampler(
        symbols="x0, x1, x2",
        field_str="ZZ",
        order="grevlex",
        max_num_terms=3,
        max_degree=3,
        min_degree=1,
        max_coeff=10,
    )
    polys = sampler.sample(num_samples=random.randint(3, 6))
    sums, total = [], polys[0].ring.zero
    for p in polys:
        total = total + p
        sums.append(total)
    return [str(p) for p in polys], [str(s) for s in sums]


def integer_factorization(seed):
    random.seed(seed)
    primes = sorted(random.sample(PRIMES_BELOW_30, 5))
    product = 1
    for p in primes:
        product *= p
    # Factor the product as the task's answer would be computed from the problem.
    factors = sorted(p for p, e in factorint(product).items() for _ in range(e))
    return str(product), [str(p) for p in factors]


def _univariate_sampler(field, **bound):
    return PolynomialSampler(
        symbols="x",
        field_str=field,
        order="grevlex",
        max_num_terms=4,
        max_degree=4,
        min_degree=1,
        **bound,
    )


def _factor_text(poly):
    content, factors = factor_list(poly.as_expr())
    parts = [] if content == 1 else [f"({content})"]
    for f, e in factors:
        parts.append(f"({f})" + (f"^{e}" if e > 1 else ""))
    return " * ".join(parts)


def integer_polynomial_factorization(seed):
    random.seed(seed)
    polys = _univariate_sampler("ZZ", max_coeff=10).sample(num_samples=3)
    product = polys[0] * polys[1] * polys[2]
    return str(product), _factor_text(product)


def rational_polynomial_factorization(seed):
    random.seed(seed)
    (poly,) = _univariate_sampler("QQ", num_bound=10).sample(num_samples=1)
    return str(poly), _factor_text(poly)


TASKS = {
    "gf17_addition": (gf17_addition, comma_list_stats),
    "polynomial_addition": (polynomial_addition, polynomial_list_stats),
    "integer_factorization": (integer_factorization, integer_factorization_stats),
    "integer_polynomial_factorization": (integer_polynomial_factorization, factorization_stats),
    "rational_polynomial_factorization": (rational_polynomial_factorization, factorization_stats),
}


def main():
    task, samples, jobs, out_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if task not in TASKS:
        sys.exit(f"no baseline for {task}; known: {', '.join(TASKS)}")
    instance_generator, statistics_calculator = TASKS[task]
    generator = DatasetGenerator(backend="multiprocessing", n_jobs=jobs, verbose=False, root_seed=42)
    start = time.perf_counter()
    generator.run(
        dataset_sizes={"train": samples},
        instance_generator=instance_generator,
        statistics_calculator=statistics_calculator,
        save_dir=out_dir,
        save_text=True,
        save_json=True,
    )
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
