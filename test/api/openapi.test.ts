import { test } from "node:test";
import assert from "node:assert/strict";
import { createApiApp } from "../../src/api/app.ts";
import { OPENAPI_DOCUMENT } from "../../src/api/openapi.ts";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";
import { NODE_INFO, startHarness, VERSION } from "./harness.ts";

test("every registered route is in the OpenAPI document", (t) => {
  const store = SqliteJobStore.open(":memory:");
  t.after(() => store.close());
  const app = createApiApp({ store, nodeInfo: () => NODE_INFO, version: VERSION });
  const paths = OPENAPI_DOCUMENT.paths as Record<string, Record<string, unknown>>;
  const routes = app.routes.filter((r) => r.method !== "ALL");
  assert.ok(routes.length > 30);
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, "{$1}");
    assert.ok(paths[path], `path ${path} missing from openapi.ts`);
    assert.ok(paths[path]?.[r.method.toLowerCase()], `${r.method} ${path} missing from openapi.ts`);
  }
});

test("the document is served", async (t) => {
  const h = await startHarness(t);
  const doc = await (await h.get("/api/v1/openapi.json")).json();
  assert.equal(doc.openapi, "3.0.3");
  assert.ok(doc.paths["/api/v1/orchestrator/jobs"].put);
});
