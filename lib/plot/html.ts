/**
 * Self-contained HTML: figures (and report sections with text and tables) in one page
 * that opens offline, with `plotly.js-dist-min` inlined.
 *
 * Figures are embedded as JSON in `<script type="application/json">` blocks and drawn by
 * a small loader, so the page is also machine-readable: a test (or a reader) can pull
 * every figure back out with {@linkcode extractFigures}.
 *
 * @module
 */

import { ParsimonyError } from "../core/errors.ts";
import { type Figure, titleText } from "./figures.ts";

/** A plain table: one object per row, same keys in every row. */
export type TableRows = readonly Record<string, string | number | boolean | null>[];

/** One section of a report: a heading, some text, tables and named figures. */
export interface ReportSection {
  /** Stable identifier (used for anchors), e.g. the experiment name. */
  id: string;
  /** Heading. */
  title: string;
  /** Paragraphs of plain text (HTML-escaped). */
  text?: string[];
  /** Named tables. */
  tables?: Record<string, TableRows>;
  /** Named figures; each is drawn under a caption with its name. */
  figures?: Record<string, Figure>;
}

/** Options of {@linkcode renderHtml}. */
export interface RenderHtmlOptions {
  /** Page title. @default "parsimony report" */
  title?: string;
  /**
   * The plotly.js source to inline. By default it is loaded from the pinned
   * `plotly.js-dist-min` package (a text import, which Deno supports); pass it
   * explicitly on runtimes without text imports.
   */
  plotlySource?: string;
}

/**
 * Escape text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "@parsimony/parsimony/plot";
 * escapeHtml("<a & b>"); // => "&lt;a &amp; b&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&#39;",
  );
}

/** JSON safe inside a <script> element (no "</script>" or "<!--" can appear). */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/**
 * Format a number for a table cell: integers as is, others with 6 significant digits,
 * tiny/huge values in exponent form.
 *
 * @example
 * ```ts
 * import { formatCell } from "@parsimony/parsimony/plot";
 * formatCell(0.000012345678); // => "1.23457e-5"
 * formatCell(42); // => "42"
 * ```
 */
export function formatCell(v: string | number | boolean | null): string {
  if (v === null) return "";
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(5).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number(v.toPrecision(6)));
}

/**
 * An HTML `<table>` of rows (columns from the first row's keys).
 *
 * @example
 * ```ts
 * import { tableHtml } from "@parsimony/parsimony/plot";
 * tableHtml([{ n: 1, err: 0.5 }]).startsWith("<table"); // => true
 * ```
 */
export function tableHtml(rows: TableRows): string {
  if (rows.length === 0) return '<table class="tbl"><tbody><tr><td>(empty)</td></tr></tbody></table>';
  const cols = Object.keys(rows[0]);
  const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${cols.map((c) => `<td>${escapeHtml(formatCell(r[c] ?? null))}</td>`).join("")}</tr>`
  ).join("\n");
  return `<table class="tbl"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

let plotlyCache: string | undefined;

/**
 * The pinned plotly.js bundle as text (cached). Deno resolves the text import from the
 * npm package; runtimes without text imports get a ParsimonyError asking for
 * `options.plotlySource`.
 *
 * @throws {ParsimonyError} if the bundle cannot be loaded on this runtime
 */
export async function loadPlotlySource(): Promise<string> {
  if (plotlyCache !== undefined) return plotlyCache;
  try {
    const mod = await import("plotly.js-dist-min/plotly.min.js", { with: { type: "text" } });
    plotlyCache = mod.default as string;
    return plotlyCache;
  } catch (e) {
    throw new ParsimonyError({
      code: "backend",
      fn: "renderHtml",
      arg: "options.plotlySource",
      expected: "the plotly.js source on runtimes without text imports",
      got: `text import failed (${(e as Error).message})`,
    });
  }
}

function normaliseSections(content: ReportSection[] | Figure[] | Record<string, Figure>): ReportSection[] {
  if (Array.isArray(content)) {
    if (content.length === 0) return [];
    if ("data" in content[0] && "layout" in content[0]) {
      const figures: Record<string, Figure> = {};
      (content as Figure[]).forEach((f, i) => {
        figures[titleText(f.layout.title) || `figure ${i + 1}`] = f;
      });
      return [{ id: "figures", title: "Figures", figures }];
    }
    return content as ReportSection[];
  }
  return [{ id: "figures", title: "Figures", figures: content }];
}

/**
 * Render a self-contained offline HTML page: report sections (text, tables, figures), or
 * simply a list/record of figures. plotly.js is inlined (≈4.8 MB), so the file opens
 * without network.
 *
 * @returns the HTML document as a string
 * @example
 * ```ts
 * import { lineChart, renderHtml } from "@parsimony/parsimony/plot";
 * const html = await renderHtml({ "error curve": lineChart([{ x: [1, 2], y: [1, 0.5] }]) }, { plotlySource: "" });
 * html.includes("error curve"); // => true
 * ```
 */
export async function renderHtml(
  content: ReportSection[] | Figure[] | Record<string, Figure>,
  options: RenderHtmlOptions = {},
): Promise<string> {
  const title = options.title ?? "parsimony report";
  const plotly = options.plotlySource ?? await loadPlotlySource();
  const sections = normaliseSections(content);
  let figId = 0;
  const parts: string[] = [];
  const toc: string[] = [];
  for (const s of sections) {
    const anchor = `sec-${s.id.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    toc.push(`<li><a href="#${anchor}">${escapeHtml(s.title)}</a></li>`);
    parts.push(`<section id="${anchor}" data-section="${escapeHtml(s.id)}">`);
    parts.push(`<h2>${escapeHtml(s.title)}</h2>`);
    for (const p of s.text ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
    for (const [name, rows] of Object.entries(s.tables ?? {})) {
      parts.push(`<h3 class="table-name">${escapeHtml(name)}</h3>`);
      parts.push(tableHtml(rows));
    }
    for (const [name, fig] of Object.entries(s.figures ?? {})) {
      const id = `fig-${figId++}`;
      parts.push(`<figure data-figure-name="${escapeHtml(name)}">`);
      parts.push(`<div class="plot" id="${id}"></div>`);
      parts.push(`<script type="application/json" class="figure-data" data-target="${id}">${scriptJson(fig)}</script>`);
      parts.push(`<figcaption>${escapeHtml(name)}</figcaption>`);
      parts.push(`</figure>`);
    }
    parts.push(`</section>`);
  }
  // The inlined bundle must not contain a literal closing script tag; plotly.min.js does not,
  // but guard anyway so a future bundle cannot break the page.
  const safePlotly = plotly.replace(/<\/script/gi, "<\\/script");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table.tbl { border-collapse: collapse; font-size: .9em; margin: .5em 0 1.5em; }
table.tbl th, table.tbl td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
table.tbl th { background: #f4f4f4; }
figure { margin: 1em 0 2em; } figcaption { font-size: .9em; color: #555; text-align: center; }
</style>
<script>${safePlotly}</script>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<ul class="toc">
${toc.join("\n")}
</ul>
${parts.join("\n")}
<script>
for (const el of document.querySelectorAll("script.figure-data")) {
  const fig = JSON.parse(el.textContent);
  if (window.Plotly) Plotly.newPlot(el.dataset.target, fig.data, fig.layout, { responsive: true });
}
</script>
</body>
</html>
`;
}

/** A figure recovered from a rendered page. */
export interface ExtractedFigure {
  /** The caption name it was rendered under. */
  name: string;
  /** The figure itself. */
  figure: Figure;
}

/**
 * Recover the named figures embedded in a page produced by {@linkcode renderHtml}
 * (for tests and for reading old reports back).
 *
 * @example
 * ```ts
 * import { extractFigures, lineChart, renderHtml } from "@parsimony/parsimony/plot";
 * const html = await renderHtml({ a: lineChart([]) }, { plotlySource: "" });
 * extractFigures(html).map((f) => f.name); // => ["a"]
 * ```
 */
export function extractFigures(html: string): ExtractedFigure[] {
  const out: ExtractedFigure[] = [];
  const re =
    /<figure data-figure-name="([^"]*)">\s*<div class="plot" id="[^"]*"><\/div>\s*<script type="application\/json" class="figure-data" data-target="[^"]*">([\s\S]*?)<\/script>/g;
  for (const m of html.matchAll(re)) {
    const name = m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
    out.push({ name, figure: JSON.parse(m[2]) as Figure });
  }
  return out;
}

/**
 * Write {@linkcode renderHtml}'s page to a file. Needs a runtime with file access (Deno);
 * elsewhere render with `renderHtml` and save the string yourself.
 *
 * @throws {ParsimonyError} when no file API is available
 * @example
 * ```ts ignore
 * import { lineChart, writeHtml } from "@parsimony/parsimony/plot";
 * await writeHtml([lineChart([{ x: [1, 2], y: [3, 4] }], { title: "demo" })], "out/demo.html");
 * ```
 */
export async function writeHtml(
  content: ReportSection[] | Figure[] | Record<string, Figure>,
  path: string,
  options: RenderHtmlOptions = {},
): Promise<void> {
  const deno = (globalThis as { Deno?: { writeTextFile?: (p: string, s: string) => Promise<void> } }).Deno;
  if (!deno?.writeTextFile) {
    throw new ParsimonyError({
      code: "backend",
      fn: "writeHtml",
      arg: "path",
      expected: "a runtime with file access (Deno)",
      got: "no Deno.writeTextFile",
      hint: "Use renderHtml() and save the returned string",
    });
  }
  await deno.writeTextFile(path, await renderHtml(content, options));
}
