"""How the near-duplicate join of `hardgen stats` scales with the number of queries.

Queries are templated like the model-free Query Writer's (shared wording, varying values), with a
share of light edits of earlier queries, which is the hard case for an index: many texts share
most of their shingles and most are near-duplicates. For each size, the default `lsh` method is
timed, and up to `--exact-up-to` queries also the `exact` join, to give the share of the exact
near-duplicates LSH found (its recall). Prints a table; asserts nothing.

    python bench/bench_stats_near_duplicates.py [--sizes 1000 5000 20000 50000] [--exact-up-to 5000]
"""

from __future__ import annotations

import argparse
import random
import time

from hardgen.stats import near_duplicate_groups

TEMPLATES = [
    "Book {name} on the cheapest flight from {a} to {b} on 2024-{m:02d}-{d:02d}.",
    "Move {n} euros from {name}'s checking account to savings and tell me the new balance.",
    "Email {name} that the {q} report for {a} is ready, and copy {other}.",
    "Find the open tickets {name} filed about {a} and close the ones older than {n} days.",
]
NAMES = ["Alice Chen", "Zoë Müller", "Dana O'Neil", "Ravi Patel", "Ines Duarte", "Kenji Sato", "Omar Haddad"]
CITIES = ["Rivermist", "Stonebrook", "Oakridge", "Port Avalon", "Silverlake", "Northgate", "Elmwood"]


def corpus(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(n):
        if texts and rng.random() < 0.1:
            words = rng.choice(texts).split()
            words[rng.randrange(len(words))] = rng.choice(CITIES)
            texts.append(" ".join(words))
            continue
        texts.append(
            rng.choice(TEMPLATES).format(
                name=rng.choice(NAMES),
                other=rng.choice(NAMES),
                a=rng.choice(CITIES),
                b=rng.choice(CITIES),
                m=rng.randint(1, 12),
                d=rng.randint(1, 28),
                n=rng.randint(10, 999),
                q=rng.choice(["Q1", "Q2", "Q3", "Q4"]),
            )
        )
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--exact-up-to", type=int, default=5000)
    args = parser.parse_args()
    print(f"{'queries':>8} {'lsh s':>7} {'near-dup rate':>14} {'groups':>7} {'exact s':>8} {'lsh recall':>11}")
    for n in args.sizes:
        texts = corpus(n)
        start = time.perf_counter()
        lsh = near_duplicate_groups(texts, args.threshold)
        lsh_s = time.perf_counter() - start
        exact_s, recall = "-", "-"
        if n <= args.exact_up_to:
            start = time.perf_counter()
            exact = near_duplicate_groups(texts, args.threshold, method="exact").duplicated
            exact_s = f"{time.perf_counter() - start:.2f}"
            recall = f"{len(lsh.duplicated & exact) / len(exact):.4f}" if exact else "1"
        rate = len(lsh.duplicated) / n
        print(f"{n:>8} {lsh_s:>7.2f} {rate:>14.3f} {len(lsh.groups):>7} {exact_s:>8} {recall:>11}")


if __name__ == "__main__":
    main()
