// The compile cache switch: on Node it names a cache directory that child processes inherit; on
// Deno (which keeps its own cache) it is a no-op and adds nothing to a child's environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { compileCacheEnv, enableCompileCache } from "../../src/runtime/compile-cache.ts";

test("compile cache", () => {
  enableCompileCache();
  enableCompileCache(); // a second call is harmless
  const env = compileCacheEnv();
  if ("Deno" in globalThis) {
    assert.deepEqual(env, {});
    return;
  }
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  assert.equal(typeof env.NODE_COMPILE_CACHE, "string");
  assert.ok(existsSync(env.NODE_COMPILE_CACHE!));
});
