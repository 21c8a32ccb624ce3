import { test } from "node:test";
import assert from "node:assert/strict";
import { constraintProblem, matchesSelector, parseSelector, parseSelectors } from "../../src/models/labels.ts";
import { decodePagingToken, encodePagingToken } from "../../src/models/paging.ts";
import { throwsField } from "./helpers.ts";

test("paging tokens round-trip as base64url without padding", () => {
  const token = encodePagingToken({ sortBy: "created_at", reverse: true, limit: 10, offset: 20 });
  assert.equal(token, btoa("created_at:Y:10:20").replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"));
  assert.doesNotMatch(token, /=/);
  assert.deepEqual(decodePagingToken(token), { sortBy: "created_at", reverse: true, limit: 10, offset: 20 });
  for (const bad of ["!!", btoa("a:b:c"), btoa("x:Q:1:2"), btoa("x:N:-1:2")]) {
    throwsField(() => decodePagingToken(bad.replace(/=+$/, "")), "next_token");
  }
});

test("label selectors parse and match", () => {
  const labels = { env: "prod", tier: "web", gpus: "4" };
  const yes = ["env=prod", "env==prod", "env!=dev", "tier in (web, db)", "tier notin (db)", "env", "!canary", "gpus>2", "gpus < 5",
    "env=prod,tier=web", ""];
  for (const s of yes) assert.ok(matchesSelector(parseSelector(s), labels), s);
  const no = ["env=dev", "env!=prod", "tier in (db)", "tier notin (web)", "canary", "!env", "gpus>4", "missing=x", "missing in (x)"];
  for (const s of no) assert.ok(!matchesSelector(parseSelector(s), labels), s);
  assert.ok(matchesSelector(parseSelector("missing!=x,missing notin (x)"), labels));
  assert.deepEqual(parseSelector("a in (x,y)"), [{ key: "a", operator: "in", values: ["x", "y"] }]);
  assert.ok(!matchesSelector(parseSelectors(["env=prod", "tier=db"]), labels));
  for (const bad of ["a in (x", "=x", "a b", "a > x", "a,,b", "a in x"]) throwsField(() => parseSelector(bad), "labels");
});

test("constraint checks", () => {
  assert.equal(constraintProblem({ Key: "os", Operator: "==", Values: ["linux"] }), undefined);
  assert.equal(constraintProblem({ Key: "favour_zone", Operator: "in", Values: ["a", "b"] }), undefined);
  assert.equal(constraintProblem({ Key: "gpu", Operator: "gt", Values: ["1"] }), undefined);
  assert.match(constraintProblem({ Key: "gpu", Operator: "lt", Values: ["x"] }) ?? "", /integer/);
  assert.match(constraintProblem({ Key: "a", Operator: "!=" }) ?? "", /exactly one/);
  assert.match(constraintProblem({ Key: "a", Operator: "!", Values: ["x"] }) ?? "", /no values/);
  assert.match(constraintProblem({ Key: "", Operator: "exists" }) ?? "", /label key/);
});
