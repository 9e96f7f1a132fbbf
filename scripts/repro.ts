/**
 * `deno task repro [name…] [--full] [--out DIR] [--list] [--seed N]`
 *
 * Runs registered paper reproductions (all by default) at their quick preset (or `--full`)
 * and writes, for each experiment, `DIR/<name>/`:
 *   config.json, result.json (verdict, summary, ok, timings), tables/*.csv + *.parquet,
 *   figures/*.json (Plotly), report.html (offline, plotly inlined);
 * plus `DIR/report.html` with every experiment of the run. One progress line per step and
 * one summary line per experiment; exit status 1 if an experiment's own checks failed.
 */
import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EXPERIMENTS, findExperiments, runExperiment } from "../lib/experiments/mod.ts";
import type { ExperimentRun } from "../lib/experiments/mod.ts";
import { renderHtml, type ReportSection } from "../lib/plot/mod.ts";
import { toCsv, toParquet } from "../lib/table/mod.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    full: { type: "boolean", default: false },
    out: { type: "string", default: "out" },
    list: { type: "boolean", default: false },
    seed: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log("usage: deno task repro [name…] [--full] [--out DIR] [--seed N] [--list]");
  Deno.exit(0);
}
if (values.list) {
  for (const e of EXPERIMENTS) console.log(`${e.name.padEnd(22)} ${e.title}`);
  Deno.exit(0);
}

const preset = values.full ? "full" : "quick";
const envPreset = Deno.env.get("PARSIMONY_PRESET");
const chosen = envPreset === "full" || envPreset === "quick" ? (values.full ? "full" : envPreset) : preset;
const exps = findExperiments(positionals);
const outDir = values.out!;
const overrides: Record<string, unknown> = {};
if (values.seed !== undefined) overrides.seed = Number(values.seed);

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "_");
}

function section(run: ExperimentRun, title: string, description: string): ReportSection {
  return {
    id: run.name,
    title,
    text: [
      description,
      `Preset: ${run.preset}; config: ${JSON.stringify(run.config)}; wall time ${
        (run.elapsedMs / 1000).toFixed(1)
      } s on this machine.`,
      `Verdict: ${run.result.verdict}`,
    ],
    tables: run.result.tables,
    figures: run.result.figures,
  };
}

const sections: ReportSection[] = [];
let failures = 0;
const t0 = performance.now();
for (const exp of exps) {
  const dir = join(outDir, exp.name);
  await mkdir(join(dir, "tables"), { recursive: true });
  await mkdir(join(dir, "figures"), { recursive: true });
  const started = performance.now();
  const run = await runExperiment(exp, {
    preset: chosen,
    overrides,
    onProgress: (step) =>
      console.log(`[${exp.name}] ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s  ${step}`),
  });
  await writeFile(
    join(dir, "config.json"),
    JSON.stringify({ name: exp.name, preset: run.preset, config: run.config }, null, 2) + "\n",
  );
  await writeFile(
    join(dir, "result.json"),
    JSON.stringify(
      { ok: run.result.ok, summary: run.result.summary, verdict: run.result.verdict, elapsedMs: run.elapsedMs },
      null,
      2,
    ) + "\n",
  );
  for (const [name, rows] of Object.entries(run.result.tables)) {
    await writeFile(join(dir, "tables", `${fileSafe(name)}.csv`), toCsv(rows));
    if (rows.length > 0) await writeFile(join(dir, "tables", `${fileSafe(name)}.parquet`), toParquet(rows));
  }
  for (const [name, fig] of Object.entries(run.result.figures)) {
    await writeFile(join(dir, "figures", `${fileSafe(name)}.json`), JSON.stringify(fig) + "\n");
  }
  const sec = section(run, exp.title, exp.description);
  sections.push(sec);
  await writeFile(join(dir, "report.html"), await renderHtml([sec], { title: `parsimony — ${exp.title}` }));
  if (!run.result.ok) failures++;
  console.log(
    `${run.result.ok ? "✔" : "✘"} ${exp.name} (${run.preset}, ${
      (run.elapsedMs / 1000).toFixed(1)
    } s): ${run.result.summary}`,
  );
}
await writeFile(join(outDir, "report.html"), await renderHtml(sections, { title: "parsimony — reproductions" }));
console.log(
  `${exps.length} experiment(s), ${failures} failed, ${((performance.now() - t0) / 1000).toFixed(1)} s; report: ${
    join(outDir, "report.html")
  }`,
);
if (failures > 0) Deno.exit(1);
