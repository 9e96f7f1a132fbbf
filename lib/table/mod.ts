/**
 * `@parsimony/parsimony/table` — results tables as `nodejs-polars` DataFrames, and their
 * CSV / Parquet bytes.
 *
 * Experiments and estimators produce plain rows (`{ column: value }` objects, see
 * {@linkcode TableRows}); this module turns them into polars DataFrames for analysis in
 * notebooks and serialises them. `nodejs-polars` is a Node-API addon: it runs in Deno and
 * Node (the notebook kernels), not in browsers — which is why the rest of parsimony keeps
 * tables as plain rows and only this module imports polars.
 *
 * @example
 * ```ts
 * import { toDataFrame, toCsv } from "@parsimony/parsimony/table";
 * const df = toDataFrame([{ n: 100, iters: 29 }, { n: 500, iters: 41 }]);
 * df.height; // => 2
 * toCsv([{ n: 100, iters: 29 }]); // => "n,iters\n100,29\n"
 * ```
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { ShapeError, TypeMismatchError } from "../core/errors.ts";
import type { TableRows } from "../plot/html.ts";
import { tableHtml } from "../plot/html.ts";
import { jupyterDisplay } from "../plot/display.ts";

export type { DataFrame, TableRows };

/** Columns by name, each an array of equal length. */
export type TableColumns = Record<string, ArrayLike<number> | readonly (string | number | boolean | null)[]>;

function isColumns(x: unknown): x is TableColumns {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function checkRows(rows: TableRows, fn: string): void {
  if (!Array.isArray(rows)) {
    throw new TypeMismatchError({
      fn,
      arg: "table",
      expected: "an array of row objects or an object of columns",
      got: typeof rows,
    });
  }
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]).join("\u0000");
  rows.forEach((r, i) => {
    if (Object.keys(r).join("\u0000") !== keys) {
      throw new ShapeError({
        fn,
        arg: `table[${i}]`,
        expected: `the columns of row 0 (${Object.keys(rows[0]).join(", ")})`,
        got: Object.keys(r).join(", "),
      });
    }
  });
}

/**
 * Build a polars DataFrame from rows or columns (typed arrays become plain arrays).
 *
 * @throws {ShapeError} when rows have different columns or columns different lengths
 * @example
 * ```ts
 * import { toDataFrame } from "@parsimony/parsimony/table";
 * toDataFrame({ x: new Float64Array([1, 2]), y: ["a", "b"] }).columns; // => ["x", "y"]
 * ```
 */
export function toDataFrame(table: TableRows | TableColumns): DataFrame {
  return pl.DataFrame(columnsOf(table).map(([name, values]) => series(name, values)));
}

/** A polars Series; all-integer numeric columns become Int64 so counts print as counts, not 29.0. */
function series(name: string, values: unknown[]) {
  const allInt = values.length > 0 && values.every((v) => typeof v === "number" && Number.isSafeInteger(v));
  return allInt ? pl.Series(name, values as number[], pl.Int64) : pl.Series(name, values);
}

function columnsOf(table: TableRows | TableColumns): [string, unknown[]][] {
  if (isColumns(table)) {
    const cols: Record<string, unknown[]> = {};
    let n = -1;
    for (const [k, v] of Object.entries(table)) {
      const arr = Array.from(v as ArrayLike<unknown>);
      if (n >= 0 && arr.length !== n) {
        throw new ShapeError({
          fn: "toDataFrame",
          arg: `table.${k}`,
          expected: `length ${n}`,
          got: `length ${arr.length}`,
        });
      }
      n = arr.length;
      cols[k] = arr;
    }
    return Object.entries(cols);
  }
  checkRows(table, "toDataFrame");
  if (table.length === 0) return [];
  return Object.keys(table[0]).map((k) => [k, table.map((r) => r[k])]);
}

function asFrame(table: TableRows | TableColumns | DataFrame): DataFrame {
  return (table as DataFrame).writeCSV !== undefined && typeof (table as DataFrame).writeCSV === "function"
    ? table as DataFrame
    : toDataFrame(table as TableRows | TableColumns);
}

/**
 * CSV text of a table (header row, comma separated, `\n` line ends).
 *
 * @example
 * ```ts
 * import { toCsv } from "@parsimony/parsimony/table";
 * toCsv([{ a: 1, b: "x" }]); // => "a,b\n1,x\n"
 * ```
 */
export function toCsv(table: TableRows | TableColumns | DataFrame): string {
  return asFrame(table).writeCSV().toString();
}

/**
 * Parquet bytes of a table (polars' writer, default compression).
 *
 * @example
 * ```ts
 * import { toParquet } from "@parsimony/parsimony/table";
 * toParquet([{ a: 1 }]).length > 0; // => true
 * ```
 */
export function toParquet(table: TableRows | TableColumns | DataFrame): Uint8Array {
  const buf = asFrame(table).writeParquet();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Read Parquet bytes back into a DataFrame.
 *
 * @example
 * ```ts
 * import { fromParquet, toParquet } from "@parsimony/parsimony/table";
 * fromParquet(toParquet([{ a: 1 }])).height; // => 1
 * ```
 */
export function fromParquet(bytes: Uint8Array): DataFrame {
  // polars' reader wants a Node Buffer; Buffer is a Uint8Array subclass available in Deno and Node.
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): Uint8Array } }).Buffer;
  return pl.readParquet((B ? B.from(bytes) : bytes) as Parameters<typeof pl.readParquet>[0]);
}

/**
 * Plain rows of a DataFrame (the inverse of {@linkcode toDataFrame}).
 *
 * @example
 * ```ts
 * import { toDataFrame, toRows } from "@parsimony/parsimony/table";
 * toRows(toDataFrame([{ a: 1 }])); // => [{ a: 1 }]
 * ```
 */
export function toRows(df: DataFrame): Record<string, string | number | boolean | null>[] {
  return df.toRecords() as Record<string, string | number | boolean | null>[];
}

/**
 * Display a table in a Deno Jupyter notebook as an HTML table (no-op elsewhere).
 *
 * @example
 * ```ts
 * import { displayTable } from "@parsimony/parsimony/table";
 * await displayTable([{ method: "SNS", iterations: 29 }]);
 * ```
 */
export async function displayTable(table: TableRows | TableColumns | DataFrame): Promise<void> {
  const rows = toRows(asFrame(table));
  await jupyterDisplay({ "text/html": tableHtml(rows), "text/plain": toCsv(rows) });
}
