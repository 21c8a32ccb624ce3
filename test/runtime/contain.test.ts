// The containment guard every job-derived host path goes through.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { executionDir } from "../../src/compute/workspace.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { assertResolvesInside, containedPath } from "../../src/runtime/contain.ts";
import { tempDir } from "../helpers/node.ts";

const refused = (err: unknown) => err instanceof BacalhauError && err.failsExecution && /leaves the execution's folder/.test(err.message);

test("containedPath keeps a path strictly inside its root, as written", (t) => {
  const root = tempDir(t);
  assert.equal(containedPath(root, "results", "outputs"), join(root, "results", "outputs"));
  for (const parts of [[".."], ["../x"], ["a/../../x"], ["/etc"], [""], ["."], ["a\0b"], ["results", "../../x"]]) {
    assert.throws(() => containedPath(root, ...parts), refused, JSON.stringify(parts));
  }
  // An execution ID is one of those parts: a hostile one names no folder.
  assert.throws(() => executionDir(root, "../../x"), refused);
});

test("assertResolvesInside follows symlinks: a link inside the root that leads out is refused", async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(join(root, "exec"));
  symlinkSync(outside, join(root, "exec", "link"));
  await assertResolvesInside(root, join(root, "exec", "new", "folder"));
  await assert.rejects(assertResolvesInside(root, join(root, "exec", "link")), refused);
  await assert.rejects(assertResolvesInside(root, join(root, "exec", "link", "deeper", "still")), refused);
  assert.equal(existsSync(join(outside, "deeper")), false);
});
