/**
 * `deno task test:unit`: runs `deno test -A --doc --parallel tests/ lib/ theory/ kernels/`
 * (or the arguments given) and passes its output through.
 *
 * Why a wrapper: on the llvmpipe software adapter, a Deno process that used WebGPU in several
 * test modules sometimes aborts while it exits — after every test has run and the summary
 * line has been printed — with a glibc heap check ("corrupted size vs. prev_size",
 * "double free or corruption") in a thread's teardown inside Deno's native WebGPU/Mesa code.
 * A core dump shows the main thread in `exit()` running library destructors while another
 * thread frees its arena. It is outside this project's code and does not change any result.
 *
 * Policy, so that the crash can neither fail CI spuriously nor hide a real failure:
 *  - any failed test, or an abort before the summary, fails the task;
 *  - an abnormal exit AFTER a summary reporting 0 failed is reported loudly and the whole
 *    suite runs once more; the task passes only if that run reports 0 failed as well.
 */

const args = Deno.args.length ? Deno.args : ["-A", "--doc", "--parallel", "tests/", "lib/", "theory/", "kernels/"];

/** One run of `deno test`: exit status and the last summary line seen. */
export interface Run {
  code: number;
  signal: string | null;
  summary: { passed: number; failed: number } | null;
}

async function runOnce(): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let summary: Run["summary"] = null;
  const decoder = new TextDecoder();
  const scan = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    let tail = "";
    for await (const chunk of stream) {
      await sink.write(chunk);
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
      // deno test's closing line: "ok | 846 passed | 0 failed (1m18s)" (possibly with ANSI colours)
      summary = parseSummary(tail) ?? summary;
    }
  };
  await Promise.all([scan(child.stdout, Deno.stdout), scan(child.stderr, Deno.stderr)]);
  const status = await child.status;
  return { code: status.code, signal: status.signal, summary };
}

/** The last deno test closing line in `text` ("ok | 846 passed | 0 failed (1m18s)", ANSI colours allowed). */
export function parseSummary(text: string): { passed: number; failed: number } | null {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  const m = [...plain.matchAll(/(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g)].at(-1);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null;
}

/** Whether a run printed a clean summary and only then exited abnormally (the teardown crash). */
export function crashedAfterSuccess(r: Run): boolean {
  return r.code !== 0 && r.summary !== null && r.summary.failed === 0 && r.summary.passed > 0 &&
    (r.signal !== null || r.code >= 128);
}

async function main(): Promise<void> {
  let run = await runOnce();
  if (crashedAfterSuccess(run)) {
    console.error(
      `\ntest:unit: all ${run.summary!.passed} tests passed, then the deno process exited abnormally ` +
        `(code ${run.code}${run.signal ? `, ${run.signal}` : ""}) during native teardown — the known ` +
        `WebGPU/llvmpipe exit crash described in scripts/test_unit.ts. Running the suite once more.\n`,
    );
    const second = await runOnce();
    if (second.code === 0 || crashedAfterSuccess(second)) {
      if (second.code !== 0) {
        console.error(`\ntest:unit: the second run also passed every test and again crashed at exit.`);
      }
      run = { ...second, code: 0 };
    } else {
      run = second;
    }
  }
  Deno.exit(run.code);
}

if (import.meta.main) await main();
