#!/usr/bin/env python3
"""An external generator for `calt generate --command`: sums of residues modulo a prime.

Protocol: read one seed (a decimal integer) per line on stdin; for each, print one JSON line
{"problem": ..., "answer": ...} on stdout and flush. Values are strings or lists of strings
(lists render as "a | b", lists of lists as "a | b || c | d"); print `null` to skip a seed.

This generator seeds Python's `random` with the seed and draws a list of 3 to 6 residues
mod 17; the answer is the list of prefix sums. Its lines are identical to the built-in
gf17_addition task:

    calt generate --config configs/gf17_addition/data.yaml \
        --command "python3 examples/generators/gf_addition.py"
"""

import json
import random
import sys

PRIME = 17
MIN_LENGTH, MAX_LENGTH = 3, 6


def generate(seed):
    random.seed(seed)
    length = random.randint(MIN_LENGTH, MAX_LENGTH)
    values = [random.randint(0, PRIME - 1) for _ in range(length)]
    sums, total = [], 0
    for v in values:
        total = (total + v) % PRIME
        sums.append(total)
    return ",".join(map(str, values)), ",".join(map(str, sums))


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        problem, answer = generate(int(line))
        sys.stdout.write(json.dumps({"problem": problem, "answer": answer}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
