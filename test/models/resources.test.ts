import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBytes, parseCPU, parseGPU, parseResources } from "../../src/models/resources.ts";
import { throwsField } from "./helpers.ts";

test("CPU quantities", () => {
  assert.equal(parseCPU("500m"), 0.5);
  assert.equal(parseCPU("2"), 2);
  assert.equal(parseCPU("0.25"), 0.25);
  assert.equal(parseCPU(" 1 500m ".replace(" 1 ", "")), 0.5);
  assert.equal(parseCPU("1.5"), 1.5);
  assert.equal(parseCPU("250M"), 0.25, "lower-cased before parsing, as Bacalhau does");
  assert.equal(parseCPU("1e3m"), 1);
  for (const bad of ["", "abc", "-1", "1x", "1.2.3"]) throwsField(() => parseCPU(bad), "Resources.CPU");
});

test("byte sizes: decimal and binary, case-insensitive, whitespace stripped", () => {
  assert.equal(parseBytes("512Mb"), 512_000_000);
  assert.equal(parseBytes("1Gb"), 1_000_000_000);
  assert.equal(parseBytes("1GB"), 1_000_000_000);
  assert.equal(parseBytes("1g"), 1_000_000_000);
  assert.equal(parseBytes("2k"), 2000);
  assert.equal(parseBytes("1Mi"), 1024 * 1024);
  assert.equal(parseBytes("1MiB"), 1024 * 1024);
  assert.equal(parseBytes("1 GiB"), 1024 ** 3);
  assert.equal(parseBytes("1gi"), 1024 ** 3);
  assert.equal(parseBytes("1.5kib"), 1536);
  assert.equal(parseBytes("100"), 100);
  assert.equal(parseBytes("100b"), 100);
  for (const bad of ["", "lots", "-5mb", "5 zb", "1..2"]) throwsField(() => parseBytes(bad, "Resources.Disk"), "Resources.Disk");
});

test("GPU counts", () => {
  assert.equal(parseGPU("0"), 0);
  assert.equal(parseGPU(" 2 "), 2);
  for (const bad of ["1.5", "-1", "one"]) throwsField(() => parseGPU(bad), "Resources.GPU");
});

test("parseResources fills defaults and names the task field", () => {
  assert.deepEqual(parseResources(undefined), { CPU: 0.5, Memory: 512_000_000, Disk: 0, GPU: 0 });
  assert.deepEqual(parseResources({ CPU: "2", Disk: "1Gi", GPU: "1" }), { CPU: 2, Memory: 512_000_000, Disk: 1024 ** 3, GPU: 1 });
  assert.deepEqual(parseResources({}, {}), { CPU: 0, Memory: 0, Disk: 0, GPU: 0 });
  throwsField(() => parseResources({ Memory: "x" }, {}, "Tasks[0].Resources"), "Tasks[0].Resources.Memory");
});
