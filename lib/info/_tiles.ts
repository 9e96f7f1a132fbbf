/**
 * Column tiling of the streamed info kernels. Each kernel invocation walks the columns j ∈ [j0, j1) of
 * its row and keeps its running state in the output buffers, so a long row is split over several
 * dispatches recorded in one batch (one submission). The reason is llvmpipe: Mesa's gallivm stops every
 * loop of a shader invocation once 65,535 loop iterations have run in total (nested loops count each
 * inner iteration plus one per pass), silently, so a single dispatch over N ≳ 65,535/(d + 2) columns would
 * return truncated sums, counts or neighbour lists. Tiles keep each invocation under
 * {@linkcode LOOP_BUDGET}; on a hardware GPU they cost a few extra dispatches in the same submission.
 * Private to lib/info.
 *
 * @module
 */

import type { GpuBatch } from "../gpu/batch.ts";
import type { GpuMatrix } from "../gpu/runtime.ts";
import type { WgslKernel } from "../../kernels/_kernel.ts";

/** Loop iterations one invocation may run per dispatch (llvmpipe's limit is 65,535). */
export const LOOP_BUDGET = 60000;

/** Columns per tile for a kernel that runs `perColumn` loop iterations per column plus `fixed` per dispatch. */
export function tileColumns(perColumn: number, fixed = 0): number {
  return Math.max(1, Math.floor((LOOP_BUDGET - fixed) / perColumn));
}

/**
 * Record one dispatch per tile of the columns [0, cols): params get j0, j1 and init (1 on the first tile).
 *
 * @returns the number of dispatches recorded
 */
export function dispatchTiles(
  batch: GpuBatch,
  kernel: WgslKernel,
  buffers: readonly GpuMatrix[],
  params: Readonly<Record<string, number>>,
  workgroups: number,
  cols: number,
  tile: number,
): number {
  let t = 0;
  for (let j0 = 0; j0 < cols; j0 += tile, t++) {
    batch.dispatch(
      kernel,
      buffers,
      { ...params, j0, j1: Math.min(cols, j0 + tile), init: t === 0 ? 1 : 0 },
      workgroups,
    );
  }
  return t;
}

/** Tile of `knnMaxNorm`: distance loop (d + 1), the outer step, a worst-case insertion of K; list load/store. */
export function knnTile(d: number, K: number): number {
  return tileColumns(d + K + 4, 2 * K + 8);
}

/** Tile of `radiusBandCount` over spaces of total dimension d: two distance loops and the outer step. */
export function countTile(d: number): number {
  return tileColumns(d + 6, 8);
}

/** Tile of `gramRowStats` (d = dx + dt). */
export function gramRowsTile(d: number): number {
  return tileColumns(d + 6, 8);
}

/** Tile of `gramRowLse` (both phases). */
export function gramLseTile(d: number): number {
  return tileColumns(d + 4, 8);
}

/** Tile of `condRowLse` (the sum phase, the longer one: four distance loops). */
export function condTile(dx: number, dy: number): number {
  return tileColumns(dx + 3 * dy + 12, 16);
}
