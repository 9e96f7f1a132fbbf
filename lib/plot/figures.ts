/**
 * Figure builders that return plain Plotly figure objects (`{ data, layout }`).
 *
 * A figure is data, not a widget: it serialises to JSON (`out/<experiment>/*.json`),
 * renders in Jupyter through the `application/vnd.plotly.v1+json` MIME type
 * ({@linkcode display}), and in a self-contained offline page ({@linkcode renderHtml}).
 * The builders cover what the paper reproductions need: convergence curves with log
 * axes, log-log rate plots with a fitted slope, heatmaps (plans, Hessian sparsity),
 * bars with error bars, and multi-panel layouts.
 *
 * @module
 */

import { DomainError, ShapeError } from "../core/errors.ts";
import { type MatrixLike, toMatrix } from "../core/matrix.ts";
import { assertFinite, type VectorLike } from "../core/validate.ts";

/** One Plotly trace (scatter, heatmap, bar, …); any Plotly attribute may be set. */
export interface Trace {
  /** Plotly trace type. */
  type: string;
  /** Legend name. */
  name?: string;
  [key: string]: unknown;
}

/** Plotly layout; any Plotly attribute may be set. */
export interface Layout {
  /** Figure title. */
  title?: { text: string } | string;
  [key: string]: unknown;
}

/** A plain Plotly figure. */
export interface Figure {
  /** Traces. */
  data: Trace[];
  /** Layout. */
  layout: Layout;
}

/** One curve of a line or scatter chart. */
export interface Series {
  /** Abscissae. */
  x: VectorLike;
  /** Ordinates (same length as x). */
  y: VectorLike;
  /** Legend entry. */
  name?: string;
  /** Symmetric error bars (same length as y). */
  error?: VectorLike;
  /** Plotly line dash: "solid", "dash", "dot", … */
  dash?: string;
  /** Colour, any CSS colour. */
  color?: string;
}

/** Axis and title options shared by the chart builders. */
export interface ChartOptions {
  /** Figure title. */
  title?: string;
  /** x-axis label. */
  xLabel?: string;
  /** y-axis label. */
  yLabel?: string;
  /** Logarithmic x axis. @default false */
  logX?: boolean;
  /** Logarithmic y axis. @default false */
  logY?: boolean;
  /** Plotly mode for lines: "lines", "markers", "lines+markers". @default "lines" for lineChart, "markers" for scatterChart */
  mode?: string;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. @default 420 */
  height?: number;
}

function baseLayout(o: ChartOptions): Layout {
  const layout: Layout = {
    xaxis: { title: { text: o.xLabel ?? "" }, type: o.logX ? "log" : "-", exponentformat: "power" },
    yaxis: { title: { text: o.yLabel ?? "" }, type: o.logY ? "log" : "-", exponentformat: "power" },
    height: o.height ?? 420,
    margin: { l: 70, r: 30, t: o.title ? 50 : 20, b: 60 },
    template: "plotly_white",
  };
  if (o.title) layout.title = { text: o.title };
  if (o.width) layout.width = o.width;
  return layout;
}

/** Finite-valued plain number array; non-finite → null so Plotly leaves a gap instead of failing. */
function plain(v: VectorLike): (number | null)[] {
  return Array.from(v, (x) => (Number.isFinite(x) ? x : null));
}

function seriesTrace(s: Series, mode: string, fn: string, i: number): Trace {
  if (s.x.length !== s.y.length) {
    throw new ShapeError({
      fn,
      arg: `series[${i}].y`,
      expected: `length ${s.x.length} (as x)`,
      got: `length ${s.y.length}`,
    });
  }
  const t: Trace = { type: "scatter", mode, x: plain(s.x), y: plain(s.y) };
  if (s.name !== undefined) t.name = s.name;
  const line: Record<string, unknown> = {};
  if (s.dash) line.dash = s.dash;
  if (s.color) line.color = s.color;
  if (Object.keys(line).length) {
    t.line = line;
    if (s.color) t.marker = { color: s.color };
  }
  if (s.error) {
    if (s.error.length !== s.y.length) {
      throw new ShapeError({
        fn,
        arg: `series[${i}].error`,
        expected: `length ${s.y.length}`,
        got: `length ${s.error.length}`,
      });
    }
    t.error_y = { type: "data", array: plain(s.error), visible: true };
  }
  return t;
}

/**
 * Line chart of one or more series (e.g. error vs iteration for several solvers).
 *
 * Non-finite y values become gaps; on a log axis, zeros are dropped by Plotly, so pass
 * `max(y, tiny)` to keep a curve that reaches machine zero visible.
 *
 * @throws {ShapeError} if a series' x and y lengths differ
 * @example
 * ```ts
 * import { lineChart } from "@parsimony/parsimony/plot";
 * const fig = lineChart([{ x: [1, 2, 3], y: [1, 0.1, 0.01], name: "Sinkhorn" }], { logY: true, yLabel: "error" });
 * fig.data.length; // => 1
 * ```
 */
export function lineChart(series: Series[], options: ChartOptions = {}): Figure {
  const mode = options.mode ?? "lines";
  return { data: series.map((s, i) => seriesTrace(s, mode, "lineChart", i)), layout: baseLayout(options) };
}

/**
 * Scatter chart (markers) of one or more series.
 *
 * @example
 * ```ts
 * import { scatterChart } from "@parsimony/parsimony/plot";
 * scatterChart([{ x: [0, 1], y: [1, 0] }]).data[0].mode; // => "markers"
 * ```
 */
export function scatterChart(series: Series[], options: ChartOptions = {}): Figure {
  const mode = options.mode ?? "markers";
  return { data: series.map((s, i) => seriesTrace(s, mode, "scatterChart", i)), layout: baseLayout(options) };
}

/** Least-squares line through (log x, log y). */
export interface SlopeFit {
  /** Fitted exponent: y ≈ C·x^slope. */
  slope: number;
  /** log C (natural log). */
  intercept: number;
  /** Coefficient of determination of the log-log fit. */
  r2: number;
}

/**
 * Fit log y = intercept + slope·log x by ordinary least squares (the empirical rate of a
 * convergence or scaling law). Points with x ≤ 0 or y ≤ 0 are rejected.
 *
 * @throws {ShapeError} for fewer than 2 points or unequal lengths
 * @throws {DomainError} for non-positive entries (named by index)
 * @example
 * ```ts
 * import { fitLogLogSlope } from "@parsimony/parsimony/plot";
 * fitLogLogSlope([1, 10, 100], [1, 0.1, 0.01]).slope; // => -1
 * ```
 */
export function fitLogLogSlope(x: VectorLike, y: VectorLike): SlopeFit {
  const fn = "fitLogLogSlope";
  if (x.length !== y.length) {
    throw new ShapeError({ fn, arg: "y", expected: `length ${x.length}`, got: `length ${y.length}` });
  }
  if (x.length < 2) throw new ShapeError({ fn, arg: "x", expected: "at least 2 points", got: `${x.length}` });
  assertFinite(x, fn, "x");
  assertFinite(y, fn, "y");
  const n = x.length;
  const lx = new Float64Array(n), ly = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!(x[i] > 0)) throw new DomainError({ fn, arg: `x[${i}]`, expected: "> 0 on a log axis", got: String(x[i]) });
    if (!(y[i] > 0)) throw new DomainError({ fn, arg: `y[${i}]`, expected: "> 0 on a log axis", got: String(y[i]) });
    lx[i] = Math.log(x[i]);
    ly[i] = Math.log(y[i]);
  }
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += lx[i] / n;
    my += ly[i] / n;
  }
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  if (!Number.isFinite(slope)) {
    throw new DomainError({ fn, arg: "x", expected: "at least two distinct values", got: "all equal" });
  }
  const r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1;
  return { slope, intercept: my - slope * mx, r2 };
}

/**
 * Log-log scatter with the least-squares fitted line and its slope annotated
 * (e.g. estimator error vs N, expected slope −1/2).
 *
 * @returns the figure; the fit is also in `layout.meta.fit`
 * @example
 * ```ts
 * import { logLogSlopeChart } from "@parsimony/parsimony/plot";
 * const fig = logLogSlopeChart([10, 100, 1000], [0.3, 0.1, 0.031], { name: "RMSE" });
 * (fig.layout.meta as { fit: { slope: number } }).fit.slope < -0.4; // => true
 * ```
 */
export function logLogSlopeChart(
  x: VectorLike,
  y: VectorLike,
  options: ChartOptions & { name?: string; referenceSlope?: number } = {},
): Figure {
  const fit = fitLogLogSlope(x, y);
  const xs = Array.from(x);
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const fx = [lo, hi];
  const fy = fx.map((v) => Math.exp(fit.intercept) * v ** fit.slope);
  const data: Trace[] = [
    { type: "scatter", mode: "markers", name: options.name ?? "data", x: xs, y: Array.from(y) },
    {
      type: "scatter",
      mode: "lines",
      name: `fit: slope ${fit.slope.toFixed(3)}`,
      x: fx,
      y: fy,
      line: { dash: "dash" },
    },
  ];
  if (options.referenceSlope !== undefined) {
    const y0 = Math.exp(fit.intercept) * lo ** fit.slope;
    data.push({
      type: "scatter",
      mode: "lines",
      name: `reference slope ${options.referenceSlope}`,
      x: fx,
      y: fx.map((v) => y0 * (v / lo) ** options.referenceSlope!),
      line: { dash: "dot" },
    });
  }
  const layout = baseLayout({ ...options, logX: true, logY: true });
  layout.annotations = [{
    xref: "paper",
    yref: "paper",
    x: 0.98,
    y: 0.98,
    xanchor: "right",
    showarrow: false,
    text: `slope = ${fit.slope.toFixed(3)} (R² = ${fit.r2.toFixed(3)})`,
  }];
  layout.meta = { fit };
  return { data, layout };
}

/** Options of {@linkcode heatmap}. */
export interface HeatmapOptions extends ChartOptions {
  /** Column labels/coordinates. */
  x?: VectorLike | string[];
  /** Row labels/coordinates. */
  y?: VectorLike | string[];
  /** Plotly colour scale name. @default "Viridis" */
  colorscale?: string;
  /** Plot log10 of the values (zeros become gaps), e.g. for transport plans. @default false */
  logColor?: boolean;
  /** Colour bar title. */
  colorLabel?: string;
  /** Put row 0 at the top (matrix orientation). @default true */
  matrixOrientation?: boolean;
}

/**
 * Heatmap of a matrix (transport plans, Hessian sparsity patterns, Gram matrices).
 *
 * @example
 * ```ts
 * import { heatmap } from "@parsimony/parsimony/plot";
 * heatmap([[1, 0], [0, 1]], { title: "plan" }).data[0].type; // => "heatmap"
 * ```
 */
export function heatmap(z: MatrixLike, options: HeatmapOptions = {}): Figure {
  const M = toMatrix(z, "heatmap", "z", { finite: false });
  const rows: (number | null)[][] = [];
  for (let i = 0; i < M.rows; i++) {
    rows.push(Array.from(M.row(i), (v) => {
      if (options.logColor) return v > 0 ? Math.log10(v) : null;
      return Number.isFinite(v) ? v : null;
    }));
  }
  const t: Trace = {
    type: "heatmap",
    z: rows,
    colorscale: options.colorscale ?? "Viridis",
    colorbar: { title: { text: options.colorLabel ?? (options.logColor ? "log10" : "") } },
  };
  if (options.x) t.x = Array.from(options.x as ArrayLike<number | string>);
  if (options.y) t.y = Array.from(options.y as ArrayLike<number | string>);
  const layout = baseLayout(options);
  if (options.matrixOrientation ?? true) (layout.yaxis as Record<string, unknown>).autorange = "reversed";
  return { data: [t], layout };
}

/** One group of bars. */
export interface BarGroup {
  /** Legend entry. */
  name?: string;
  /** One value per category. */
  values: VectorLike;
  /** Symmetric error bars (e.g. ±1 standard error over seeds). */
  errors?: VectorLike;
}

/**
 * Grouped bar chart with optional error bars (e.g. mean ± SE over seeds per method).
 *
 * @throws {ShapeError} if a group's length differs from the number of categories
 * @example
 * ```ts
 * import { barChart } from "@parsimony/parsimony/plot";
 * barChart(["SNS", "Sinkhorn"], [{ values: [29, 5600], errors: [2, 300] }], { logY: true }).data.length; // => 1
 * ```
 */
export function barChart(categories: string[], groups: BarGroup[], options: ChartOptions = {}): Figure {
  const data = groups.map((g, i): Trace => {
    if (g.values.length !== categories.length) {
      throw new ShapeError({
        fn: "barChart",
        arg: `groups[${i}].values`,
        expected: `length ${categories.length}`,
        got: `length ${g.values.length}`,
      });
    }
    const t: Trace = { type: "bar", x: categories, y: plain(g.values) };
    if (g.name !== undefined) t.name = g.name;
    if (g.errors) {
      if (g.errors.length !== categories.length) {
        throw new ShapeError({
          fn: "barChart",
          arg: `groups[${i}].errors`,
          expected: `length ${categories.length}`,
          got: `length ${g.errors.length}`,
        });
      }
      t.error_y = { type: "data", array: plain(g.errors), visible: true };
    }
    return t;
  });
  const layout = baseLayout(options);
  layout.barmode = "group";
  return { data, layout };
}

/** Options of {@linkcode subplots}. */
export interface SubplotOptions {
  /** Grid rows. @default 1 */
  rows?: number;
  /** Grid columns. @default number of figures / rows */
  cols?: number;
  /** Overall title. */
  title?: string;
  /** Panel titles (default: each figure's own title). */
  titles?: string[];
  /** Height in pixels. @default 380 per row */
  height?: number;
  /** Width in pixels. */
  width?: number;
}

/**
 * Arrange several figures as panels of one figure (Plotly grid with independent axes).
 * Each panel keeps its axis types (log/linear) and labels.
 *
 * @throws {ShapeError} if the grid is too small for the figures
 * @example
 * ```ts
 * import { lineChart, subplots } from "@parsimony/parsimony/plot";
 * const a = lineChart([{ x: [1, 2], y: [1, 2] }], { title: "η = 300" });
 * const b = lineChart([{ x: [1, 2], y: [2, 1] }], { title: "η = 1200" });
 * subplots([a, b], { cols: 2 }).data.length; // => 2
 * ```
 */
export function subplots(figs: Figure[], options: SubplotOptions = {}): Figure {
  const rows = options.rows ?? 1;
  const cols = options.cols ?? Math.ceil(figs.length / rows);
  if (rows * cols < figs.length) {
    throw new ShapeError({
      fn: "subplots",
      arg: "options.rows × options.cols",
      expected: `≥ ${figs.length} panels`,
      got: `${rows}×${cols}`,
    });
  }
  const gapX = 0.08, gapY = 0.14;
  const w = (1 - gapX * (cols - 1)) / cols, h = (1 - gapY * (rows - 1)) / rows;
  const data: Trace[] = [];
  const layout: Layout = {
    height: options.height ?? 380 * rows,
    margin: { l: 70, r: 30, t: 70, b: 60 },
    template: "plotly_white",
    annotations: [] as unknown[],
    showlegend: true,
  };
  if (options.title) layout.title = { text: options.title };
  if (options.width) layout.width = options.width;
  figs.forEach((f, k) => {
    const r = Math.floor(k / cols), c = k % cols;
    const ax = k === 0 ? "" : String(k + 1);
    const x0 = c * (w + gapX), y1 = 1 - r * (h + gapY);
    for (const t of f.data) {
      const tt: Trace = { ...t, xaxis: `x${ax}`, yaxis: `y${ax}` };
      if (t.type === "heatmap") tt.showscale = false;
      data.push(tt);
    }
    const srcX = (f.layout.xaxis ?? {}) as Record<string, unknown>;
    const srcY = (f.layout.yaxis ?? {}) as Record<string, unknown>;
    layout[`xaxis${ax}`] = { ...srcX, domain: [x0, x0 + w], anchor: `y${ax}` };
    layout[`yaxis${ax}`] = { ...srcY, domain: [y1 - h, y1], anchor: `x${ax}` };
    const t = options.titles?.[k] ?? titleText(f.layout.title);
    if (t) {
      (layout.annotations as unknown[]).push({
        text: `<b>${t}</b>`,
        xref: "paper",
        yref: "paper",
        x: x0 + w / 2,
        y: y1 + 0.02,
        xanchor: "center",
        yanchor: "bottom",
        showarrow: false,
      });
    }
  });
  return { data, layout };
}

/**
 * The title of a figure as text ("" when it has none).
 *
 * @example
 * ```ts
 * import { lineChart, titleText } from "@parsimony/parsimony/plot";
 * titleText(lineChart([], { title: "t" }).layout.title); // => "t"
 * ```
 */
export function titleText(title: Layout["title"]): string {
  if (title === undefined) return "";
  return typeof title === "string" ? title : title.text;
}
