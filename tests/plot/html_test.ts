import { assert } from "../_helpers.ts";
import { barChart, heatmap, lineChart } from "../../lib/plot/figures.ts";
import {
  escapeHtml,
  extractFigures,
  formatCell,
  loadPlotlySource,
  renderHtml,
  tableHtml,
} from "../../lib/plot/html.ts";

const VOID = new Set(["meta", "br", "img", "input", "link", "hr"]);

/** Minimal HTML well-formedness check: every non-void element closes in order. */
export function assertBalanced(html: string): void {
  // Drop script/style bodies first (their text is not markup).
  const stripped = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "<script></script>")
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, "<style></style>")
    .replace(/<!DOCTYPE[^>]*>/i, "");
  const stack: string[] = [];
  for (const m of stripped.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    const tag = name.toLowerCase();
    if (VOID.has(tag) || self) continue;
    if (!close) stack.push(tag);
    else {
      const top = stack.pop();
      assert.equal(top, tag, `mismatched </${tag}> (open: ${top})`);
    }
  }
  assert.deepEqual(stack, [], "unclosed elements");
}

Deno.test("renderHtml: self-contained page inlines plotly.js, parses, and names every figure", async () => {
  const figs = {
    "error vs iteration": lineChart([{ x: [1, 2, 3], y: [1, 0.1, 0.01], name: "SNS" }], { logY: true }),
    "plan <heatmap> & 'quotes'": heatmap([[1, 0], [0, 1]]),
    "bars": barChart(["a", "b"], [{ values: [1, 2] }]),
  };
  const html = await renderHtml([{
    id: "demo",
    title: "Demo section",
    text: ["A <b>bold</b> claim & more."],
    tables: { results: [{ method: "SNS", iterations: 29, time: 0.000123 }] },
    figures: figs,
  }], { title: "Report" });
  const plotly = await loadPlotlySource();
  assert.ok(plotly.length > 1_000_000, "plotly bundle loaded");
  assert.ok(html.includes(plotly.slice(0, 200)), "plotly.js is inlined (no network needed)");
  assert.ok(!/<script[^>]+src=/i.test(html), "no external scripts");
  assertBalanced(html);
  const got = extractFigures(html);
  assert.deepEqual(got.map((f) => f.name), Object.keys(figs));
  for (const g of got) assert.deepEqual(g.figure, JSON.parse(JSON.stringify(figs[g.name as keyof typeof figs])));
  assert.ok(html.includes("A &lt;b&gt;bold&lt;/b&gt; claim &amp; more."), "text is escaped");
  assert.ok(html.includes("<td>1.23e-4</td>"), "table cells formatted");
});

Deno.test("renderHtml: a plain list of figures is titled by figure titles", async () => {
  const html = await renderHtml([lineChart([], { title: "first" }), lineChart([])], { plotlySource: "" });
  assert.deepEqual(extractFigures(html).map((f) => f.name), ["first", "figure 2"]);
});

Deno.test("escapeHtml/formatCell/tableHtml", () => {
  assert.equal(escapeHtml(`<"&'>`), "&lt;&quot;&amp;&#39;&gt;");
  assert.equal(formatCell(42), "42");
  assert.equal(formatCell(0.5), "0.5");
  assert.equal(formatCell(1.23456789e-7), "1.23457e-7");
  assert.equal(formatCell(2.5e7 + 0.5), "2.5e7");
  assert.equal(formatCell(2.5e7), "25000000");
  assert.equal(formatCell(null), "");
  assert.equal(formatCell(NaN), "NaN");
  assert.match(tableHtml([{ a: 1, b: "<x>" }]), /<th>a<\/th><th>b<\/th>.*<td>1<\/td><td>&lt;x&gt;<\/td>/s);
  assert.match(tableHtml([]), /empty/);
});
