/**
 * `deno task notebooks [name…] [--timeout S]`
 *
 * Executes each notebooks/*.ipynb (or the named ones) headless through
 * `jupyter nbconvert --execute` with the Deno kernel and PARSIMONY_PRESET=quick, leaves the
 * executed copies under out/notebooks/, and fails when:
 *   - nbconvert fails (a cell raised),
 *   - any cell has an `error` output,
 *   - a code cell's `metadata.parsimony.expect` lists an output kind it did not produce
 *     ("stream" for printed text, or a MIME type such as "application/vnd.plotly.v1+json"),
 *   - the notebook has no code cell with outputs at all.
 * Prints one line per notebook and a final "N passed, N failed" line.
 *
 * The Deno kernel (2.9) occasionally loses an output message under headless execution (a
 * display or the last stdout of a cell arrives after the kernel reports the cell idle, and
 * nbclient drops it; denoland/deno#24437 is of the same family). A notebook whose only
 * problems are missing expected outputs — no error output, nbconvert succeeded — is therefore
 * executed once more, and passes only if the second run is clean; the line says so. Errors
 * are never retried.
 */
import { parseArgs } from "node:util";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { timeout: { type: "string", default: "900" }, out: { type: "string", default: "out/notebooks" } },
});

interface Output {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  id?: string;
  metadata?: { parsimony?: { expect?: string[] } };
  outputs?: Output[];
}

function kinds(outputs: Output[]): Set<string> {
  const s = new Set<string>();
  for (const o of outputs) {
    if (o.output_type === "stream") s.add("stream");
    for (const k of Object.keys(o.data ?? {})) s.add(k);
  }
  return s;
}

/** Problems found in an executed notebook (empty = pass). */
export function checkExecuted(nb: { cells: Cell[] }): string[] {
  const problems: string[] = [];
  let anyOutput = false;
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    const outs = c.outputs ?? [];
    if (outs.length) anyOutput = true;
    for (const o of outs) {
      if (o.output_type === "error") problems.push(`cell ${c.id ?? i}: ${o.ename}: ${o.evalue}`);
    }
    const have = kinds(outs);
    for (const want of c.metadata?.parsimony?.expect ?? []) {
      if (!have.has(want)) problems.push(`cell ${c.id ?? i}: expected output '${want}', got [${[...have].join(", ")}]`);
    }
  });
  if (!anyOutput) problems.push("no code cell produced any output");
  return problems;
}

/** Execute one notebook into the output folder; returns its problems (empty = pass). */
async function executeOnce(name: string): Promise<string[]> {
  const cmd = new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      join("notebooks", name),
      "--output-dir",
      values.out!,
      `--ExecutePreprocessor.timeout=${values.timeout}`,
      "--ExecutePreprocessor.kernel_name=deno",
    ],
    env: { PARSIMONY_PRESET: "quick", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const res = await cmd.output();
  if (!res.success) {
    const err = new TextDecoder().decode(res.stderr).split("\n").filter((l) => !/unstable/.test(l)).slice(-25).join(
      "\n",
    );
    return [`nbconvert exited with ${res.code}:\n${err}`];
  }
  return checkExecuted(JSON.parse(await readFile(join(values.out!, name), "utf8")));
}

async function main(): Promise<void> {
  const dir = "notebooks";
  let names = (await readdir(dir)).filter((f) => f.endsWith(".ipynb")).sort();
  if (positionals.length) {
    names = names.filter((n) => positionals.some((p) => n === p || n === `${p}.ipynb` || basename(p) === n));
    if (names.length === 0) throw new Error(`no notebook matches ${positionals.join(", ")}`);
  }
  await mkdir(values.out!, { recursive: true });
  let passed = 0, failed = 0;
  for (const name of names) {
    const t0 = performance.now();
    let problems = await executeOnce(name);
    let note = "";
    if (problems.length && problems.every((p) => p.includes("expected output"))) {
      const first = problems;
      problems = await executeOnce(name);
      note = problems.length ? "" : ` — passed on a second run; the first lost: ${first.join("; ")}`;
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (problems.length) {
      failed++;
      console.log(`✘ ${name} (${secs} s)\n  ${problems.join("\n  ")}`);
    } else {
      passed++;
      console.log(`✔ ${name} (${secs} s)${note}`);
    }
  }
  console.log(`notebooks: ${passed} passed, ${failed} failed`);
  if (failed) Deno.exit(1);
}

if (import.meta.main) await main();
