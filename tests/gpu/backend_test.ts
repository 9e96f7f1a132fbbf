/**
 * Backend selection and CPU fallback (lib/gpu/backend.ts): the rules of the module doc, the
 * `PARSIMONY_BACKEND` override, a hidden adapter (injected null provider), an adapter that
 * gives no device, a lost device, and unsuitable input. Fallback results must be exactly the
 * CPU twin's (same function, same f64 arithmetic) and say "cpu" and why.
 */
import { assert, assertRejectsArg } from "../_helpers.ts";
import {
  type BackendChoice,
  gpu,
  GPU_THRESHOLDS,
  GpuRuntimeError,
  runtime,
  runWithFallback,
  selectBackend,
  setAdapterProvider,
} from "../../lib/gpu/mod.ts";
import { gemm, pairwiseSqDist } from "../../lib/core/blas.ts";
import { logSumExpCols, logSumExpRows, softmaxRows } from "../../lib/core/reduce.ts";
import { kSmallestPerRow } from "../../lib/core/select.ts";
import { DomainError } from "../../lib/core/errors.ts";
import { Rng } from "../../lib/core/rng.ts";
import { gpuTest, HAVE_GPU, randn, restoreRuntime, runtimeTest } from "./_gpu.ts";

/** Capture console.warn while `f` runs. */
async function captureWarnings(f: () => Promise<void>): Promise<string[]> {
  const warn = console.warn;
  const seen: string[] = [];
  console.warn = (...a: unknown[]) => seen.push(a.map(String).join(" "));
  try {
    await f();
  } finally {
    console.warn = warn;
  }
  return seen;
}

/** Run `f` with PARSIMONY_BACKEND set to `value`, restoring the previous state. */
async function withEnv(value: string, f: () => Promise<void>): Promise<void> {
  const old = Deno.env.get("PARSIMONY_BACKEND");
  Deno.env.set("PARSIMONY_BACKEND", value);
  try {
    await f();
  } finally {
    if (old === undefined) Deno.env.delete("PARSIMONY_BACKEND");
    else Deno.env.set("PARSIMONY_BACKEND", old);
  }
}

runtimeTest(
  "selectBackend: explicit 'cpu' wins; an unknown request is an OptionError naming options.backend",
  async () => {
    const c = await selectBackend("demo", "cpu", 1e12, 1);
    assert.equal(c.backend, "cpu");
    assert.equal(c.reason, "backend 'cpu' requested");
    await assertRejectsArg(() => selectBackend("demo", "tpu" as never, 1, 1), "options.backend", "option");
    await assertRejectsArg(() => gpu.gemm([[1]], [[1]], { backend: "GPU" as never }), "options.backend", "option");
  },
);

runtimeTest(
  "null adapter: auto runs the CPU twin — results identical to core — and reports 'cpu' with the reason",
  async () => {
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      const info = await gpu.info();
      assert.equal(info.available, false);
      const r = new Rng(801);
      const A = randn(r, 37, 53), B = randn(r, 53, 11);
      A.set(0, 0, -Infinity);
      const checks: [string, { value: unknown; backend: string; backendReason: string }, unknown][] = [
        ["logSumExpRows", await gpu.logSumExpRows(A), logSumExpRows(A)],
        ["logSumExpCols", await gpu.logSumExpCols(A), logSumExpCols(A)],
        ["softmaxRows", await gpu.softmaxRows(A), softmaxRows(A)],
        ["gemm", await gpu.gemm(B, B, { transA: true }), gemm(B, B, { transA: true })],
        ["pairwiseSqDist", await gpu.pairwiseSqDist(B), pairwiseSqDist(B)],
        ["kSmallestPerRow", await gpu.kSmallestPerRow(B, 3, { backend: "auto" }), kSmallestPerRow(B, 3)],
      ];
      for (const [name, got, want] of checks) {
        assert.equal(got.backend, "cpu", name);
        assert.match(got.backendReason, /no WebGPU adapter/, name);
        assert.deepStrictEqual(got.value, want, `${name}: fallback must be exactly the twin`);
      }
    } finally {
      await restoreRuntime();
      await setAdapterProvider(null);
    }
  },
);

runtimeTest("null adapter: forced backend 'gpu' is a BackendError naming options.backend (never a crash)", async () => {
  await setAdapterProvider(() => Promise.resolve(null));
  try {
    const e = await assertRejectsArg(() => selectBackend("sinkhornLog", "gpu", 1, 1), "options.backend", "backend");
    assert.match(e.message, /sinkhornLog/);
    assert.match(e.message, /no WebGPU adapter/);
    await assertRejectsArg(() => gpu.logSumExpRows([[1, 2]], { backend: "gpu" }), "options.backend", "backend");
    await assertRejectsArg(() => gpu.gemm([[1]], [[2]], { backend: "gpu" }), "options.backend", "backend");
  } finally {
    await setAdapterProvider(null);
  }
});

runtimeTest(
  "PARSIMONY_BACKEND: 'cpu' forces the CPU under auto, 'gpu' without adapter names PARSIMONY_BACKEND, junk is an OptionError",
  async () => {
    await withEnv("cpu", async () => {
      const r = await gpu.logSumExpRows([[0, 0]]);
      assert.equal(r.backend, "cpu");
      assert.equal(r.backendReason, "PARSIMONY_BACKEND=cpu");
    });
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      await withEnv("gpu", async () => {
        await assertRejectsArg(() => gpu.logSumExpRows([[0, 0]]), "PARSIMONY_BACKEND", "backend");
        // An explicit option beats the environment.
        assert.equal((await gpu.logSumExpRows([[0, 0]], { backend: "cpu" })).backend, "cpu");
      });
    } finally {
      await setAdapterProvider(null);
    }
    await withEnv("fast", async () => {
      await assertRejectsArg(() => gpu.logSumExpRows([[0, 0]]), "PARSIMONY_BACKEND", "option");
    });
  },
);

gpuTest(
  "PARSIMONY_BACKEND=gpu sends auto calls to the GPU whatever their size; explicit 'cpu' still wins",
  async () => {
    await withEnv("gpu", async () => {
      const r = await gpu.logSumExpRows([[0, 0]]);
      assert.equal(r.backend, "gpu");
      assert.match(r.backendReason, /PARSIMONY_BACKEND=gpu/);
      assert.equal((await gpu.logSumExpRows([[0, 0]], { backend: "cpu" })).backend, "cpu");
    });
    await withEnv("cpu", async () => {
      assert.equal((await gpu.logSumExpRows([[0, 0]], { backend: "gpu" })).backend, "gpu");
    });
  },
);

gpuTest(
  "auto: a software adapter keeps the f64 CPU path; a hardware adapter is used above the threshold only",
  async () => {
    const info = await gpu.info();
    if (!info.available) throw new Error("unreachable");
    const small = await gpu.logSumExpRows([[0, 0]]);
    assert.equal(small.backend, "cpu");
    assert.match(small.backendReason, info.isFallbackAdapter ? /software fallback/ : /below the GPU threshold/);
    // Present the same adapter as hardware to exercise the size rule here too.
    const real = (await runtime.adapter()).adapter as GPUAdapter;
    await setAdapterProvider(() =>
      Promise.resolve(
        ({
          info: { ...real.info, description: "test adapter posing as hardware", isFallbackAdapter: false },
          limits: real.limits,
          features: real.features,
          requestDevice: (d?: GPUDeviceDescriptor) => real.requestDevice(d),
        }) as unknown as GPUAdapter,
      )
    );
    try {
      const below = await selectBackend("demo", "auto", GPU_THRESHOLDS.reduce - 1, GPU_THRESHOLDS.reduce);
      assert.equal(below.backend, "cpu");
      assert.match(below.reason, /below the GPU threshold/);
      const above = await selectBackend("demo", undefined, GPU_THRESHOLDS.reduce, GPU_THRESHOLDS.reduce);
      assert.equal(above.backend, "gpu");
      assert.equal(above.forced, false);
      assert.match(above.reason, /test adapter posing as hardware/);
    } finally {
      await setAdapterProvider(null);
    }
  },
);

runtimeTest(
  "an adapter that gives no device: the call runs on the CPU with one warning, also when 'gpu' is forced",
  async () => {
    const broken = {
      info: {
        vendor: "test",
        architecture: "",
        device: "",
        description: "broken test adapter",
        isFallbackAdapter: false,
      },
      limits: { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 },
      features: new Set<string>(),
      requestDevice: () => Promise.reject(new Error("driver refused the device")),
    } as unknown as GPUAdapter;
    await setAdapterProvider(() => Promise.resolve(broken));
    try {
      const A = [[0, 1], [2, 3]];
      let r1, r2;
      const warnings = await captureWarnings(async () => {
        r1 = await gpu.logSumExpRows(A, { backend: "gpu" });
        r2 = await gpu.logSumExpRows(A, { backend: "gpu" });
      });
      for (const r of [r1!, r2!] as { value: Float64Array; backend: string; backendReason: string }[]) {
        assert.equal(r.backend, "cpu");
        assert.match(r.backendReason, /gave no device: driver refused the device/);
        assert.deepStrictEqual(r.value, logSumExpRows(A));
      }
      assert.equal(warnings.length, 1, `exactly one warning, got ${JSON.stringify(warnings)}`);
      assert.equal((await gpu.info()).available, true, "the adapter itself is reported");
    } finally {
      await setAdapterProvider(null);
    }
  },
);

gpuTest(
  "a lost device: the call recomputes on the CPU (exactly the twin), warns once, and the next acquisition recovers",
  async () => {
    await restoreRuntime();
    const dev = await gpu.device();
    const A = randn(new Rng(802), 20, 30);
    dev.gpu.destroy(); // what a driver reset / GPU removal looks like to the page
    await dev.gpu.lost;
    assert.equal(dev.lost, true);
    let r: { value: Float64Array; backend: string; backendReason: string } | undefined;
    const warnings = await captureWarnings(async () => {
      // The lost device is noticed; the runtime acquires a new one for later calls.
      r = await runWithFallback(
        "demo",
        { backend: "gpu", forced: true, reason: "test", device: dev },
        () => logSumExpRows(A),
        async (d) => {
          const m = d.upload(A);
          const out = d.alloc(20);
          return (await d.batch().logSumExpRows(m, out).run([out]))[0];
        },
      );
    });
    assert.equal(r!.backend, "cpu");
    assert.match(r!.backendReason, /device lost/);
    assert.deepStrictEqual(r!.value, logSumExpRows(A));
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const again = await gpu.logSumExpRows(A, { backend: "gpu" });
    assert.equal(again.backend, "gpu", again.backendReason);
    assert.notEqual(await gpu.device(), dev, "a fresh device replaced the lost one");
    await restoreRuntime();
  },
);

gpuTest(
  "runWithFallback: unsuitable input is a BackendError naming the argument when forced, the CPU with the reason under auto",
  async () => {
    const dev = await gpu.device();
    const forced: BackendChoice = { backend: "gpu", forced: true, reason: "test", device: dev };
    const auto: BackendChoice = { backend: "gpu", forced: false, reason: "test", device: dev };
    const tooBig = () => ({ arg: "C", expected: "at most 10 entries", got: "11" });
    await assertRejectsArg(
      () => runWithFallback("demo", forced, () => 1, () => Promise.resolve(2), tooBig),
      "C",
      "backend",
    );
    const r = await runWithFallback("demo", auto, () => 1, () => Promise.resolve(2), tooBig);
    assert.equal(r.value, 1);
    assert.equal(r.backend, "cpu");
    assert.match(r.backendReason, /C: GPU needs at most 10 entries, got 11/);
    // Input beyond f32 range, through a public op.
    await assertRejectsArg(() => gpu.logSumExpRows([[1e300, 0]], { backend: "gpu" }), "A", "backend");
    await assertRejectsArg(() => gpu.gemm([[1e39]], [[1]], { backend: "gpu" }), "A", "backend");
  },
);

gpuTest("runWithFallback: a ParsimonyError from either path propagates; a GpuRuntimeError falls back", async () => {
  const dev = await gpu.device();
  const choice: BackendChoice = { backend: "gpu", forced: true, reason: "test", device: dev };
  const bad = new DomainError({ fn: "demo", arg: "x", expected: "> 0", got: "-1" });
  await assertRejectsArg(() => runWithFallback("demo", choice, () => 0, () => Promise.reject(bad)), "x", "domain");
  const warnings = await captureWarnings(async () => {
    const r = await runWithFallback(
      "demo",
      choice,
      () => 7,
      () => Promise.reject(new GpuRuntimeError("simulated validation error")),
    );
    assert.equal(r.value, 7);
    assert.equal(r.backend, "cpu");
    assert.match(r.backendReason, /simulated validation error/);
  });
  assert.equal(warnings.length, 1);
  // A plain bug in a GPU path is not hidden.
  await assert.rejects(
    () => runWithFallback("demo", choice, () => 0, () => Promise.reject(new TypeError("bug"))),
    TypeError,
  );
});

if (!HAVE_GPU) {
  console.log("[gpu tests] backend_test: device-loss and threshold tests skipped (no adapter); fallback tests ran.");
}
