import { assert, assertThrowsArg } from "../_helpers.ts";
import { fromParquet, toCsv, toDataFrame, toParquet, toRows } from "../../lib/table/mod.ts";

Deno.test("toDataFrame: rows and columns; integer columns become Int64", () => {
  const df = toDataFrame([{ n: 100, err: 0.5, name: "a" }, { n: 200, err: 0.25, name: "b" }]);
  assert.deepEqual(df.columns, ["n", "err", "name"]);
  assert.equal(df.height, 2);
  assert.match(String(df.getColumn("n").dtype), /Int64/);
  assert.match(String(df.getColumn("err").dtype), /Float64/);
  const dc = toDataFrame({ x: new Float64Array([1.5, 2]), k: [1, 2] });
  assert.deepEqual(toRows(dc), [{ x: 1.5, k: 1 }, { x: 2, k: 2 }]);
  assert.equal(toDataFrame([]).height, 0);
});

Deno.test("toCsv: exact text; toParquet round-trips", () => {
  assert.equal(toCsv([{ a: 1, b: "x" }, { a: 2, b: "y" }]), "a,b\n1,x\n2,y\n");
  const rows = [{ seed: 1, value: 0.123456789012345, method: "SNS" }, { seed: 2, value: -1e-300, method: "Sinkhorn" }];
  const back = toRows(fromParquet(toParquet(rows)));
  assert.deepEqual(back, rows);
});

Deno.test("toDataFrame: ragged rows and unequal columns are named", () => {
  assertThrowsArg(() => toDataFrame([{ a: 1 }, { b: 2 }]), "table[1]", "shape");
  assertThrowsArg(() => toDataFrame({ a: [1, 2], b: [1] }), "table.b", "shape");
});
