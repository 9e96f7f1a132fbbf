"""Peer side of bench/lasso_vs_sklearn.ts: times sklearn.linear_model.Lasso on the same problems.

Reads a JSON config from argv[1]: {"problems": [{"name", "path", "n", "p", "alpha"}], "tol"}.
Each problem's file holds X (n·p float64, row-major, little-endian) followed by y (n float64),
exactly as written by the TypeScript side. Lasso(alpha, fit_intercept=False, tol, max_iter=10000)
with scikit-learn's defaults otherwise (precompute=False, selection="cyclic"); the timed call is
the whole .fit (it copies X to Fortran order, as ours copies X column-major). Prints one JSON
object: name -> {ms, iterations, dualGap, coef}.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

warnings.simplefilter("ignore", ConvergenceWarning)
cfg = json.loads(sys.argv[1])
out = {}
for prob in cfg["problems"]:
    n, p = prob["n"], prob["p"]
    raw = np.fromfile(prob["path"], dtype="<f8")
    X = raw[: n * p].reshape(n, p)
    y = raw[n * p:]
    m = Lasso(alpha=prob["alpha"], fit_intercept=False, tol=cfg["tol"], max_iter=10000)
    t0 = time.perf_counter()
    m.fit(X, y)
    ms = (time.perf_counter() - t0) * 1e3
    out[prob["name"]] = {"ms": ms, "iterations": int(m.n_iter_), "dualGap": float(m.dual_gap_),
                         "coef": m.coef_.tolist()}
print(json.dumps(out))
