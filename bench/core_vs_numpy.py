"""Peer side of bench/core_vs_numpy.ts: times numpy/scipy on the same sizes (single thread)."""
import json, sys, time
import numpy as np
from scipy.special import logsumexp

def best(f, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); t.append(time.perf_counter() - t0)
    return min(t) * 1e3

cfg = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
out = {}
for n in cfg["gemm"]:
    A = rng.standard_normal((n, n)); B = rng.standard_normal((n, n))
    out[f"gemm {n}"] = best(lambda: A @ B, cfg["reps"])
for n in cfg["lse"]:
    M = rng.standard_normal((n, n))
    out[f"logSumExpRows {n}"] = best(lambda: logsumexp(M, axis=1), cfg["reps"])
    out[f"pairwiseSqDist {n}x2"] = best(lambda: ((M[:, :2, None] - M[:, :2].T[None]) ** 2).sum(1), cfg["reps"])
print(json.dumps(out))
