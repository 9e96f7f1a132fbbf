/**
 * Project-level promises: the README's commands are what CI runs, every deno.json export
 * exists and has a matching import-map entry, CITATION.cff lists the papers.
 */
import { assert } from "./_helpers.ts";

const readme = await Deno.readTextFile("README.md");
const ci = await Deno.readTextFile(".ci/run");
const denoJson = JSON.parse(await Deno.readTextFile("deno.json"));

Deno.test("README's test command is exactly what .ci/run runs", () => {
  assert.ok(readme.includes("npx deno task test"), "README shows npx deno task test");
  assert.ok(readme.includes("npx deno task repro"), "README shows npx deno task repro");
  const lines = ci.split("\n").filter((l) =>
    /deno task test/.test(l) && !l.trim().startsWith("#") && !l.includes("echo")
  );
  assert.equal(lines.length, 1, "one test invocation in .ci/run");
  assert.match(lines[0], /^npx deno task test\b/);
  for (
    const step of [
      "npm ci",
      "apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client",
      "npx deno jupyter --install",
    ]
  ) {
    assert.ok(ci.includes(step), `.ci/run performs: ${step}`);
  }
});

Deno.test("deno.json: pinned name, exports exist, each has an import-map twin, tasks present", async () => {
  assert.equal(denoJson.name, "@parsimony/parsimony");
  for (const [sub, path] of Object.entries(denoJson.exports as Record<string, string>)) {
    await Deno.stat(path);
    const key = sub === "." ? "@parsimony/parsimony" : `@parsimony/parsimony/${sub.slice(2)}`;
    assert.equal(denoJson.imports[key], path, `import map entry for ${key}`);
  }
  for (const t of ["test", "check", "lint", "fmt", "bench", "notebooks", "repro", "docs"]) {
    assert.ok(denoJson.tasks[t], `task ${t}`);
  }
  for (const [name, spec] of Object.entries(denoJson.imports as Record<string, string>)) {
    if (spec.startsWith("npm:")) assert.match(spec, /@\d+\.\d+\.\d+(\/.*)?$/, `${name} pinned to an exact version`);
    assert.ok(!spec.startsWith("jsr:") || /@\d+\.\d+\.\d+/.test(spec), `${name} pinned`);
  }
  const pkg = JSON.parse(await Deno.readTextFile("package.json"));
  assert.equal(pkg.devDependencies.deno, "2.9.6");
});

Deno.test("CITATION.cff: CFF 1.2.0 with the toolkit and every family's paper (arXiv ids)", async () => {
  const cff = await Deno.readTextFile("CITATION.cff");
  assert.match(cff, /^cff-version: 1\.2\.0$/m);
  assert.match(cff, /^message: /m);
  assert.match(cff, /^title: /m);
  for (
    const id of [
      "2401.12253",
      "2307.14719",
      "2310.07367",
      "2309.13850",
      "2401.13875",
      "2404.17951",
      "1902.09037",
      "2212.12921",
      "2512.22106",
      "2602.11206",
    ]
  ) {
    assert.ok(cff.includes(`arXiv:${id}`), `reference arXiv:${id}`);
  }
  const refs = cff.split("\n").filter((l) => /^ {2}- type: /.test(l)).length;
  assert.ok(refs >= 9, `${refs} references`);
});

Deno.test("every npm: import in deno.json is installed by npm ci at the same exact version (nodeModulesDir manual)", async () => {
  const pkg = JSON.parse(await Deno.readTextFile("package.json"));
  assert.equal(denoJson.nodeModulesDir, "manual");
  for (const spec of Object.values(denoJson.imports as Record<string, string>)) {
    if (!spec.startsWith("npm:")) continue;
    const at = spec.lastIndexOf("@");
    const name = spec.slice(4, at), version = spec.slice(at + 1).split("/")[0];
    assert.equal(
      pkg.dependencies?.[name] ?? pkg.devDependencies?.[name],
      version,
      `package.json pins ${name}@${version}`,
    );
  }
});
