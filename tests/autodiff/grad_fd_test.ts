import fc from "fast-check";
import { assert } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { checkGrads } from "../../lib/autodiff/mod.ts";
import { OP_SPECS } from "./op_specs.ts";

// Every op's VJP against central finite differences in f64, on random shapes (rank 1–4,
// dims 1–4) and seeded random values, with fast-check driving shapes and seeds.
for (const spec of OP_SPECS) {
  Deno.test(`${spec.name}: VJP matches central differences (rel < 1e-6) on random shapes`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (shape, seed) => {
          const r = new Rng(seed);
          const { inputs, f } = spec.make(shape, r);
          const res = checkGrads(f, inputs, { seed, rtol: 1e-6 });
          assert.ok(res.ok, `${spec.name} shape [${shape}] seed ${seed}: rel errors ${res.relErrors}`);
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
}
