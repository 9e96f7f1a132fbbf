import { assert } from "../_helpers.ts";
import { checkExecuted } from "../../scripts/notebooks.ts";

Deno.test("notebook harness: passes a clean notebook, flags errors and missing expected outputs", () => {
  const ok = {
    cells: [
      { cell_type: "markdown" },
      {
        cell_type: "code",
        id: "a",
        metadata: { parsimony: { expect: ["stream", "application/vnd.plotly.v1+json"] } },
        outputs: [{ output_type: "stream", name: "stdout" }, {
          output_type: "display_data",
          data: { "application/vnd.plotly.v1+json": {} },
        }],
      },
    ],
  };
  assert.deepEqual(checkExecuted(ok), []);
  const err = {
    cells: [{ cell_type: "code", id: "b", outputs: [{ output_type: "error", ename: "TypeError", evalue: "boom" }] }],
  };
  assert.match(checkExecuted(err)[0], /cell b: TypeError: boom/);
  const missing = {
    cells: [{
      cell_type: "code",
      id: "c",
      metadata: { parsimony: { expect: ["application/vnd.plotly.v1+json"] } },
      outputs: [{ output_type: "stream" }],
    }],
  };
  assert.match(checkExecuted(missing)[0], /expected output 'application\/vnd.plotly.v1\+json'/);
  assert.match(checkExecuted({ cells: [{ cell_type: "code", outputs: [] }] })[0], /no code cell produced any output/);
});
