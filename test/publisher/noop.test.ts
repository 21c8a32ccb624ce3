import assert from "node:assert/strict";
import { test } from "node:test";
import { createNoopPublisher } from "../../src/publisher/noop/index.ts";
import { runPublisherSuite } from "../conformance/publisher.suite.ts";

runPublisherSuite("noop", () => createNoopPublisher(), { Type: "noop" });

test("noop: returns an empty SpecConfig", async () => {
  const out = await createNoopPublisher().publish({
    jobID: "j",
    executionID: "e",
    resultsDir: "/nonexistent",
    publisher: { Type: "noop" },
    signal: new AbortController().signal,
  });
  assert.deepEqual(out, { Type: "" });
});
