import { assert } from "../_helpers.ts";
import { crashedAfterSuccess, parseSummary } from "../../scripts/test_unit.ts";

Deno.test("test:unit wrapper: reads deno test's closing line, with or without colours and steps", () => {
  assert.deepEqual(parseSummary("x\nok | 846 passed | 0 failed (1m18s)\n"), { passed: 846, failed: 0 });
  assert.deepEqual(parseSummary("\x1b[0m\x1b[31mFAILED\x1b[0m | 10 passed (3 steps) | 2 failed \x1b[0m(5s)"), {
    passed: 10,
    failed: 2,
  });
  assert.deepEqual(parseSummary("ok | 1 passed | 0 failed\n...\nFAILED | 5 passed | 1 failed"), {
    passed: 5,
    failed: 1,
  });
  assert.equal(parseSummary("no summary here"), null);
});

Deno.test("test:unit wrapper: only an abnormal exit after a clean summary counts as the teardown crash", () => {
  const ok = { passed: 100, failed: 0 };
  assert.equal(crashedAfterSuccess({ code: 134, signal: "SIGABRT", summary: ok }), true);
  assert.equal(crashedAfterSuccess({ code: 139, signal: null, summary: ok }), true);
  assert.equal(crashedAfterSuccess({ code: 0, signal: null, summary: ok }), false);
  assert.equal(
    crashedAfterSuccess({ code: 1, signal: null, summary: ok }),
    false,
    "an ordinary failure exit is not a crash",
  );
  assert.equal(crashedAfterSuccess({ code: 134, signal: "SIGABRT", summary: { passed: 99, failed: 1 } }), false);
  assert.equal(
    crashedAfterSuccess({ code: 134, signal: "SIGABRT", summary: null }),
    false,
    "a crash before the summary fails",
  );
});
