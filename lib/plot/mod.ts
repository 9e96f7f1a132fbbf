/**
 * `@parsimony/parsimony/plot` — Plotly figures for notebooks, reports and papers.
 *
 * | piece | file |
 * |---|---|
 * | {@linkcode lineChart}, {@linkcode scatterChart}, {@linkcode logLogSlopeChart}, {@linkcode heatmap}, {@linkcode barChart}, {@linkcode subplots} | `figures.ts` |
 * | {@linkcode display}, {@linkcode mimeBundle}, {@linkcode displayable} | `display.ts` |
 * | {@linkcode renderHtml}, {@linkcode writeHtml}, {@linkcode extractFigures}, {@linkcode tableHtml} | `html.ts` |
 *
 * Builders return plain `{ data, layout }` objects: JSON-serialisable, composable, and
 * independent of any DOM.
 *
 * @example
 * ```ts
 * import { display, lineChart } from "@parsimony/parsimony/plot";
 * const fig = lineChart([{ x: [1, 2, 3], y: [1e-2, 1e-5, 1e-11], name: "SNS" }], { logY: true, xLabel: "iteration" });
 * await display(fig); // renders in a Deno Jupyter notebook
 * ```
 *
 * @module
 */

export * from "./figures.ts";
export * from "./display.ts";
export * from "./html.ts";
