/** Loader for tests/fixtures/info/sklearn_fixtures.json (made by make_sklearn_fixtures.py). */
// deno-lint-ignore no-explicit-any
export type Fixture = any;

let cache: Fixture | undefined;

/** The parsed fixture file (read once per test process). */
export async function fixtures(): Promise<Fixture> {
  if (cache === undefined) {
    cache = JSON.parse(await Deno.readTextFile(new URL("../fixtures/info/sklearn_fixtures.json", import.meta.url)));
  }
  return cache;
}
