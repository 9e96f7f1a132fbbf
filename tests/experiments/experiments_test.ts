import { assert, assertThrowsArg } from "../_helpers.ts";
import { EXPERIMENTS, findExperiments, runExperiment, runPlatform } from "../../lib/experiments/mod.ts";
import { extractFigures } from "../../lib/plot/html.ts";

Deno.test("catalogue: unique names, quick and full presets with integer seeds", () => {
  const names = EXPERIMENTS.map((e) => e.name);
  assert.equal(new Set(names).size, names.length);
  for (const e of EXPERIMENTS) {
    assert.ok(Number.isInteger(e.presets.quick.seed) && Number.isInteger(e.presets.full.seed), e.name);
    assert.ok(e.description.length > 20 && e.title.length > 5, e.name);
  }
  assert.deepEqual(findExperiments([]).map((e) => e.name), names);
});

Deno.test("findExperiments/runExperiment: unknown names and override keys are OptionErrors", async () => {
  assertThrowsArg(() => findExperiments(["nope"]), "names", "option");
  let err: unknown;
  try {
    await runExperiment(findExperiments(["platform"])[0], { overrides: { draws: 10, typo: 1 } });
  } catch (e) {
    err = e;
  }
  assertThrowsArg(
    () => {
      throw err;
    },
    "options.overrides.typo",
    "option",
  );
});

Deno.test("platform experiment: seeded and reproducible; its checks detect a wrong moment", async () => {
  const steps: string[] = [];
  const run = await runExperiment(findExperiments(["platform"])[0], {
    overrides: { draws: 20_000 },
    onProgress: (s) => steps.push(s),
  });
  assert.equal(run.result.ok, true, run.result.verdict);
  assert.ok(steps.length >= 7);
  const again = await runExperiment(findExperiments(["platform"])[0], { overrides: { draws: 20_000 } });
  assert.deepEqual(again.result.tables, run.result.tables);
  const rows = run.result.tables.rng_moments as { zMean: number; zVariance: number }[];
  assert.equal(rows.length, 6);
  // The z-scores are real statistics: with only 20 draws per distribution they differ from the 20,000-draw run.
  const tiny = await runPlatform({ seed: 1, draws: 20 }, { progress: () => {}, preset: "quick" });
  assert.notDeepEqual(tiny.tables.rng_moments, run.result.tables.rng_moments);
  assert.ok(Object.keys(run.result.figures).length >= 1);
});

Deno.test("deno task repro: writes tables (CSV + Parquet), figure JSON and an offline report naming every figure", async () => {
  const dir = await Deno.makeTempDir();
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/repro.ts", "platform", "--out", dir, "--seed", "5"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(res.stdout);
  assert.equal(res.code, 0, stdout + new TextDecoder().decode(res.stderr));
  assert.match(stdout, /\[platform\] .*RNG normal/);
  assert.match(stdout, /✔ platform \(quick/);
  const result = JSON.parse(await Deno.readTextFile(`${dir}/platform/result.json`));
  assert.equal(result.ok, true);
  const config = JSON.parse(await Deno.readTextFile(`${dir}/platform/config.json`));
  assert.equal(config.config.seed, 5);
  const csv = await Deno.readTextFile(`${dir}/platform/tables/rng_moments.csv`);
  assert.match(csv.split("\n")[0], /^distribution,draws,mean/);
  assert.ok((await Deno.stat(`${dir}/platform/tables/rng_moments.parquet`)).size > 100);
  const fig = JSON.parse(await Deno.readTextFile(`${dir}/platform/figures/rng_z_scores.json`));
  assert.equal(fig.data.length, 2);
  const html = await Deno.readTextFile(`${dir}/report.html`);
  assert.deepEqual(extractFigures(html).map((f) => f.name), ["rng_z_scores"]);
  assert.ok(html.length > 1_000_000, "plotly inlined");
  await Deno.remove(dir, { recursive: true });
});
