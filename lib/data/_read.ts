/**
 * Reading the vendored files in `data/` with web-standard APIs: `fetch` of a URL relative to
 * this module (a `file:` URL locally, `https:` from a registry) and
 * `DecompressionStream("gzip")`. Node's fetch cannot read `file:` URLs, so there (and only
 * behind a feature check) the bytes come from `process.getBuiltinModule("fs")`.
 *
 * @module
 */

import { BackendError } from "../core/errors.ts";

/** URL of a file in the repository's `data/` folder. */
export function dataUrl(file: string): URL {
  return new URL(`../../data/${file}`, import.meta.url);
}

/** Node's `fs.promises.readFile`, reached only behind a feature check (Node's fetch has no `file:`). */
type NodeProcess = { getBuiltinModule?: (id: string) => { promises: { readFile(u: URL): Promise<Uint8Array> } } };

/** The raw bytes at `url`: `fetch`, or Node's fs for a `file:` URL where fetch cannot read it. */
async function readBytes(url: URL, fn: string): Promise<Blob> {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.blob();
  } catch (e) {
    const proc = (globalThis as { process?: NodeProcess }).process;
    if (url.protocol === "file:" && typeof proc?.getBuiltinModule === "function") {
      const bytes = await proc.getBuiltinModule("fs").promises.readFile(url);
      return new Blob([new Uint8Array(bytes)]);
    }
    throw new BackendError({
      fn,
      arg: "data",
      expected: `a readable ${url.href}`,
      got: String(e),
      hint: "under Deno, grant --allow-read (or --allow-net for a remote copy)",
    });
  }
}

/** The bytes of a gzipped file in `data/`, decompressed. */
export async function readGzip(file: string, fn: string): Promise<Uint8Array> {
  const blob = await readBytes(dataUrl(file), fn);
  const stream = blob.stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A gzipped CSV in `data/` as rows of fields (comma- or whitespace-separated, no quoting beyond plain "…"). */
export async function readCsv(file: string, fn: string, separator: RegExp = /,/): Promise<string[][]> {
  const text = new TextDecoder().decode(await readGzip(file, fn));
  return text.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) =>
    l.trim().split(separator).map((f) => f.replace(/^"(.*)"$/, "$1"))
  );
}
