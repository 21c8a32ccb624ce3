import assert from "node:assert/strict";
import { test } from "node:test";
import type { StorageSource } from "../../src/storage/source.ts";
import { createStorageRegistry } from "../../src/storage/registry.ts";

test("storage registry: case-insensitive names, the localDirectory alias, extra sources", () => {
  const extra: StorageSource = {
    type: "ipfs",
    isInstalled: () => Promise.resolve(true),
    validate: () => undefined,
    prepare: () => Promise.reject(new Error("not used")),
  };
  const registry = createStorageRegistry({ allowListedLocalPaths: ["/data"], extra: [extra] });
  assert.equal(registry.get("URLDOWNLOAD")?.type, "urlDownload");
  assert.equal(registry.get("Inline")?.type, "inline");
  assert.equal(registry.get("localDirectory")?.type, "local");
  assert.equal(registry.get("IPFS"), extra);
  assert.equal(registry.has("s3"), false);
  assert.deepEqual(registry.types().sort(), ["inline", "ipfs", "local", "urlDownload"]);
  assert.match(registry.validate({ Source: { Type: "s3" }, Target: "/x" })!, /"s3" is not supported.*urlDownload/);
  assert.equal(
    registry.validate({ Source: { Type: "localdirectory", Params: { SourcePath: "/data/x" } }, Target: "/x" }),
    undefined,
  );
  assert.match(
    registry.validate({ Source: { Type: "local", Params: { SourcePath: "/etc" } }, Target: "/x" })!,
    /not inside/,
  );
});
