#!/usr/bin/env python3
"""Writes N random `convarith eval` shape requests, one JSON object per line, for timing the eval path.

Usage: scripts/eval-lines.py [N] [--seed S] > lines.jsonl

The mix (conv, pool, transposed; 1-D to 3-D; explicit, per-side and named padding; every convention; some
impossible layers) is meant to look like what an architecture search streams through `convarith eval`:
about 120 bytes a line. The same seed gives the same file.
"""
import argparse
import json
import random


def axes(rng, rank, low, high):
    return [rng.randint(low, high) for _ in range(rank)]


def scalar_or_list(rng, rank, low, high):
    if rng.random() < 0.5:
        return rng.randint(low, high)
    return axes(rng, rank, low, high)


def request(rng, number):
    op = rng.choice(["conv", "conv", "pool", "transposed"])
    convention = rng.choice(["pytorch", "pytorch", "onnx", "tensorflow", "jax", "mlx"])
    rank = rng.choice([1, 2, 2, 2, 3])
    line = {"id": number, "op": op, "input": axes(rng, rank, 1, 256), "kernel": scalar_or_list(rng, rank, 1, 7)}
    if rng.random() < 0.7:
        line["stride"] = scalar_or_list(rng, rank, 1, 3)
    choice = rng.random()
    if choice < 0.4:
        line["padding"] = scalar_or_list(rng, rank, 0, 3)
    elif choice < 0.55:
        line["padding"] = [[rng.randint(0, 3), rng.randint(0, 3)] for _ in range(rank)]
    elif choice < 0.8:
        line["padding"] = rng.choice(["valid", "same", "same_lower", "half", "full"])
    if op != "pool" and rng.random() < 0.3:
        line["dilation"] = scalar_or_list(rng, rank, 1, 3)
    if op == "transposed" and rng.random() < 0.5:
        line["output_padding"] = rng.randint(0, 1)
    if op == "pool":
        line["pool_mode"] = rng.choice(["max", "avg"])
        if rng.random() < 0.3:
            line["ceil_mode"] = rng.random() < 0.5
    if rng.random() < 0.3:
        line["channels"] = rng.choice([3, 16, 64, 256])
        if op != "pool":
            line["out_channels"] = rng.choice([16, 64, 128])
    line["convention"] = convention
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2016)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    for number in range(arguments.count):
        print(json.dumps(request(rng, number), separators=(",", ":")))


if __name__ == "__main__":
    main()
