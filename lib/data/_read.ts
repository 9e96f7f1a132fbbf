/**
 * Reading the vendored files in `data/` with web-standard APIs only: `fetch` of a URL
 * relative to this module (a `file:` URL locally, `https:` from a registry) and
 * `DecompressionStream("gzip")`.
 *
 * @module
 */

import { BackendError } from "../core/errors.ts";

/** URL of a file in the repository's `data/` folder. */
export function dataUrl(file: string): URL {
  return new URL(`../../data/${file}`, import.meta.url);
}

/** The bytes of a gzipped file in `data/`, decompressed. */
export async function readGzip(file: string, fn: string): Promise<Uint8Array> {
  const url = dataUrl(file);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new BackendError({
      fn,
      arg: "data",
      expected: `a readable ${url.href}`,
      got: String(e),
      hint: "under Deno, grant --allow-read (or --allow-net for a remote copy)",
    });
  }
  if (!res.ok || !res.body) {
    throw new BackendError({ fn, arg: "data", expected: `a readable ${url.href}`, got: `HTTP ${res.status}` });
  }
  const stream = res.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A gzipped CSV in `data/` as rows of fields (comma- or whitespace-separated, no quoting beyond plain "…"). */
export async function readCsv(file: string, fn: string, separator: RegExp = /,/): Promise<string[][]> {
  const text = new TextDecoder().decode(await readGzip(file, fn));
  return text.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) =>
    l.trim().split(separator).map((f) => f.replace(/^"(.*)"$/, "$1"))
  );
}
