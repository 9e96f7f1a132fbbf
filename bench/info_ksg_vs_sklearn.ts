/**
 * KSG (k = 3) against scikit-learn's `mutual_info_regression` on the same 2-D samples, in one run:
 *
 *     deno run -A bench/info_ksg_vs_sklearn.ts [--reps 5] [--python /usr/bin/python3]
 *
 * For N = 2,000 … 20,000 (ρ = 0.6 Gaussian pairs) it times `ksg` here and `mutual_info_regression(x[:, None],
 * y, n_neighbors=3, random_state=0)` in a spawned Python (best of `reps` after one warm-up each), checks
 * the two estimates agree, and prints the time ratio (ours / sklearn; < 1 means faster). The goal of the
 * info issue is a ratio ≤ 1 at every N.
 */
import { parseArgs } from "node:util";
import { correlatedGaussian, ksg } from "../lib/info/mod.ts";

const { values: args } = parseArgs({
  options: { reps: { type: "string", default: "5" }, python: { type: "string", default: "/usr/bin/python3" } },
});
const reps = Number(args.reps);
const SIZES = [2000, 5000, 10000, 20000];

const PY = `
import json, sys, time
import numpy as np
from sklearn.feature_selection import mutual_info_regression
out = []
for path, n in zip(sys.argv[2::2], sys.argv[3::2]):
    n = int(n)
    a = np.fromfile(path, dtype="<f8").reshape(2, n)
    x, y = a[0][:, None], a[1]
    mutual_info_regression(x, y, n_neighbors=3, random_state=0)
    best, v = float("inf"), None
    for _ in range(int(sys.argv[1])):
        t0 = time.perf_counter()
        v = mutual_info_regression(x, y, n_neighbors=3, random_state=0)[0]
        best = min(best, time.perf_counter() - t0)
    out.append({"n": n, "ms": best * 1e3, "value": float(v)})
print(json.dumps(out))
`;

const dir = await Deno.makeTempDir({ prefix: "parsimony-ksg-" });
const ours: { n: number; ms: number; value: number }[] = [];
const pyArgs: string[] = [String(reps)];
for (const n of SIZES) {
  const s = correlatedGaussian(n, { mi: -0.5 * Math.log(1 - 0.36), seed: n });
  const buf = new Float64Array(2 * n);
  buf.set(s.x.data, 0);
  buf.set(s.y.data, n);
  const path = `${dir}/xy_${n}.f64`;
  await Deno.writeFile(path, new Uint8Array(buf.buffer));
  pyArgs.push(path, String(n));
  for (let w = 0; w < 3; w++) ksg(s.x, s.y); // warm-up (JIT)
  let best = Infinity, value = NaN;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    value = ksg(s.x, s.y).clipped;
    best = Math.min(best, performance.now() - t0);
  }
  ours.push({ n, ms: best, value });
}
const py = await new Deno.Command(args.python!, { args: ["-c", PY, ...pyArgs], stdout: "piped", stderr: "piped" })
  .output();
await Deno.remove(dir, { recursive: true });
if (!py.success) {
  console.error(new TextDecoder().decode(py.stderr));
  Deno.exit(1);
}
const theirs = JSON.parse(new TextDecoder().decode(py.stdout)) as { n: number; ms: number; value: number }[];
console.log(`KSG k=3, ρ = 0.6 Gaussian pairs, best of ${reps} (ms); ratio = parsimony / scikit-learn`);
console.log("      N   parsimony   sklearn   ratio   |Δ estimate|");
for (let i = 0; i < SIZES.length; i++) {
  const a = ours[i], b = theirs[i];
  console.log(
    `${String(a.n).padStart(7)} ${a.ms.toFixed(1).padStart(11)} ${b.ms.toFixed(1).padStart(9)} ${
      (a.ms / b.ms).toFixed(2).padStart(7)
    }   ${Math.abs(a.value - b.value).toExponential(1)}`,
  );
}
