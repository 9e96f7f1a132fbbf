/**
 * `deno task docs`: the HTML API reference of every public entry point in deno.json's
 * "exports", written to docs/api/ (deno doc --html). Reading the list from deno.json keeps
 * the reference in step with what is published.
 */
import { mkdir } from "node:fs/promises";

const denoJson = JSON.parse(await Deno.readTextFile("deno.json"));
const entries = [...new Set(Object.values(denoJson.exports as Record<string, string>))];
await mkdir("docs/api", { recursive: true });
const res = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--html", "--name=parsimony", "--output=docs/api", ...entries],
  stdout: "inherit",
  stderr: "piped",
}).output();
// deno doc warns about @stdlib's own type declarations (files missing from their packages); keep real errors.
const err = new TextDecoder().decode(res.stderr).split("\n").filter((l) =>
  l && !/Failed resolving types.*@stdlib/.test(l)
);
if (err.length) console.error(err.join("\n"));
if (!res.success) Deno.exit(res.code);
console.log(`API reference for ${entries.length} entry points in docs/api/index.html`);
