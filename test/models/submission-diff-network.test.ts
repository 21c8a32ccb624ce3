import { test } from "node:test";
import assert from "node:assert/strict";
import { diffJobs } from "../../src/models/diff.ts";
import { canonicalNetworkType, compactDomains, domainAllowed, isValidDomain } from "../../src/models/network.ts";
import { normalizeJob } from "../../src/models/normalize.ts";
import { sanitizeSubmission } from "../../src/models/submission.ts";
import { throwsField } from "./helpers.ts";

const task = { Name: "main", Engine: { Type: "wasm", Params: { EntryModule: "/a" } } };

test("sanitizeSubmission resets server fields with one warning each", () => {
  const input = normalizeJob({
    ID: "j-x", Type: "batch", State: { StateType: "Running" }, Revision: 2, Version: 3, CreateTime: 1, ModifyTime: 2,
    Meta: { "bacalhau.org/requester.id": "n", mine: "1" }, Tasks: [task, { ...task, Name: "second" }],
  });
  const { job, warnings } = sanitizeSubmission(input);
  assert.equal(warnings.length, 8);
  assert.ok(warnings.includes("job ID is ignored when submitting a batch job"));
  assert.equal(job.ID, "");
  assert.deepEqual(job.State, { StateType: "Undefined" });
  assert.equal(job.Version + job.Revision + job.CreateTime + job.ModifyTime, 0);
  assert.equal(job.Tasks.length, 1);
  assert.deepEqual(job.Meta, { mine: "1" });
  assert.equal(input.Tasks.length, 2, "input untouched");

  const clean = sanitizeSubmission(normalizeJob({ Type: "batch", Tasks: [task] }));
  assert.deepEqual(clean.warnings, []);
  const daemon = sanitizeSubmission(normalizeJob({ ID: "j-d", Type: "daemon", Tasks: [task] }));
  assert.equal(daemon.job.ID, "j-d");
});

test("diffJobs ignores server fields and shows changed lines", () => {
  const a = normalizeJob({ Name: "n", Type: "batch", Tasks: [task] });
  const b = { ...a, ID: "j-other", Version: 7, State: { StateType: "Running" as const }, Meta: { "bacalhau.org/x": "y" } };
  assert.equal(diffJobs(a, b), "");
  const c = { ...a, Count: 5 };
  const d = diffJobs(a, c);
  assert.match(d, /^- {3}"Count": 1,$/m);
  assert.match(d, /^\+ {3}"Count": 5,$/m);
  assert.match(d, /^ {4}"Name": "n",$/m);
  assert.ok(diffJobs(undefined, a).split("\n").filter(Boolean).every((l) => l.startsWith("+ ")));
});

test("network types and domains", () => {
  assert.equal(canonicalNetworkType("http"), "HTTP");
  assert.equal(canonicalNetworkType(" bridge "), "Bridge");
  assert.equal(canonicalNetworkType(""), "Default");
  throwsField(() => canonicalNetworkType("wifi", "Tasks[0].Network.Type"), "Tasks[0].Network.Type");
  for (const ok of ["example.org", "API.Example.ORG ", ".foo.com", "https://x.example.com/path", "10.1.2.3", "::1"]) {
    assert.ok(isValidDomain(ok), ok);
  }
  for (const bad of ["", "localhost", "foo", "300.1.1.1"]) assert.ok(!isValidDomain(bad), bad);
  assert.deepEqual(compactDomains(["y.foo.com", ".foo.com", "x.foo.com", "foo.com", "bar.org", "BAR.org"]), [".foo.com", "bar.org"]);
  assert.ok(domainAllowed("a.b.foo.com", [".foo.com"]));
  assert.ok(domainAllowed("foo.com", [".foo.com"]));
  assert.ok(!domainAllowed("evilfoo.com", [".foo.com"]));
  assert.ok(!domainAllowed("x.bar.org", ["bar.org"]));
});
