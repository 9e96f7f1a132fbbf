import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import {
  barChart,
  fitLogLogSlope,
  heatmap,
  lineChart,
  logLogSlopeChart,
  scatterChart,
  subplots,
  titleText,
} from "../../lib/plot/figures.ts";
import { displayable, mimeBundle } from "../../lib/plot/display.ts";

Deno.test("lineChart/scatterChart: traces carry data, names, log axes, error bars; NaN becomes a gap", () => {
  const f = lineChart([{
    x: [1, 2, 3],
    y: [1, NaN, 0.01],
    name: "a",
    error: [0.1, 0.1, 0.1],
    dash: "dash",
    color: "red",
  }], {
    title: "t",
    logY: true,
    xLabel: "it",
  });
  assert.equal(f.data[0].type, "scatter");
  assert.equal(f.data[0].mode, "lines");
  assert.deepEqual(f.data[0].y, [1, null, 0.01]);
  assert.deepEqual((f.data[0].error_y as { array: number[] }).array, [0.1, 0.1, 0.1]);
  assert.equal((f.layout.yaxis as { type: string }).type, "log");
  assert.equal((f.layout.xaxis as { type: string }).type, "-"); // autodetect: numbers or categories
  assert.equal(titleText(f.layout.title), "t");
  assert.equal(scatterChart([{ x: [1], y: [2] }]).data[0].mode, "markers");
  assert.doesNotThrow(() => JSON.stringify(f));
  assertThrowsArg(() => lineChart([{ x: [1, 2], y: [1] }]), "series[0].y", "shape");
  assertThrowsArg(() => lineChart([{ x: [1], y: [1], error: [1, 2] }]), "series[0].error", "shape");
});

Deno.test("fitLogLogSlope: recovers exact power laws; rejects non-positive data by index", () => {
  const x = [1, 2, 4, 8, 16];
  const fit = fitLogLogSlope(x, x.map((v) => 3 * v ** -0.5));
  assertClose(fit.slope, -0.5, 1e-14);
  assertClose(Math.exp(fit.intercept), 3, 1e-14);
  assertClose(fit.r2, 1, 1e-14);
  assertThrowsArg(() => fitLogLogSlope([1, 2], [1, 0]), "y[1]", "domain");
  assertThrowsArg(() => fitLogLogSlope([1], [1]), "x", "shape");
  assertThrowsArg(() => fitLogLogSlope([1, 1], [1, 2]), "x", "domain");
  assertThrowsArg(() => fitLogLogSlope([1, 2], [1]), "y", "shape");
});

Deno.test("logLogSlopeChart: annotates the fitted slope and draws the reference line", () => {
  const f = logLogSlopeChart([10, 100, 1000], [1, 0.1, 0.01], { referenceSlope: -0.5 });
  assertClose((f.layout.meta as { fit: { slope: number } }).fit.slope, -1, 1e-14);
  assert.equal(f.data.length, 3);
  assert.match(JSON.stringify(f.layout.annotations), /slope = -1\.000/);
});

Deno.test("heatmap: matrix orientation, log colour with zeros as gaps", () => {
  const f = heatmap([[1, 0], [10, 100]], { logColor: true });
  assert.deepEqual(f.data[0].z, [[0, null], [1, 2]]);
  assert.equal((f.layout.yaxis as { autorange: string }).autorange, "reversed");
  assertThrowsArg(() => heatmap([[1], [1, 2]]), "z[1]", "shape");
});

Deno.test("barChart: grouped bars with error bars; length mismatches named", () => {
  const f = barChart(["a", "b"], [{ name: "m", values: [1, 2], errors: [0.1, 0.2] }]);
  assert.equal(f.layout.barmode, "group");
  assert.deepEqual(f.data[0].x, ["a", "b"]);
  assertThrowsArg(() => barChart(["a"], [{ values: [1, 2] }]), "groups[0].values", "shape");
  assertThrowsArg(() => barChart(["a"], [{ values: [1], errors: [] }]), "groups[0].errors", "shape");
});

Deno.test("subplots: each panel gets its own axes, domains and titles, keeping axis types", () => {
  const a = lineChart([{ x: [1], y: [1] }], { title: "A", logY: true });
  const b = heatmap([[1]], { title: "B" });
  const c = lineChart([{ x: [1], y: [1] }, { x: [2], y: [2] }]);
  const f = subplots([a, b, c], { rows: 2, cols: 2, title: "all" });
  assert.equal(f.data.length, 4);
  assert.deepEqual(f.data.map((t) => t.xaxis), ["x", "x2", "x3", "x3"]);
  assert.equal((f.layout.yaxis as { type: string }).type, "log");
  const d1 = (f.layout.xaxis as { domain: number[] }).domain, d2 = (f.layout.xaxis2 as { domain: number[] }).domain;
  assert.ok(d1[1] < d2[0], "panels do not overlap");
  assert.deepEqual((f.layout.annotations as { text: string }[]).map((x) => x.text), ["<b>A</b>", "<b>B</b>"]);
  assertThrowsArg(() => subplots([a, b, c], { rows: 1, cols: 2 }), "options.rows × options.cols", "shape");
});

Deno.test("mimeBundle/displayable: Plotly JSON, HTML fallback and plain-text summary", () => {
  const f = lineChart([{ x: [1], y: [1] }], { title: "t" });
  const b = mimeBundle(f);
  assert.deepEqual((b["application/vnd.plotly.v1+json"] as { data: unknown[] }).data, f.data);
  assert.match(b["text/html"] as string, /Plotly\.newPlot/);
  assert.match(b["text/plain"] as string, /Figure "t": 1 trace/);
  const d = displayable(f);
  assert.deepEqual(d[Symbol.for("Jupyter.display")]()["text/plain"], b["text/plain"]);
});
