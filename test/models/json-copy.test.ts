// copyJSONValue: a deep copy of plain data that shares only strings; anything else is cloned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyJSONValue } from "../../src/models/json-copy.ts";

test("json copy", async (t) => {
  await t.test("objects and arrays are new, values equal, undefined kept", () => {
    const value = { a: [{ b: "x".repeat(100) }], n: null, u: undefined, k: 1.5, t: true };
    const copy = copyJSONValue(value);
    assert.deepEqual(copy, value);
    assert.ok(Object.hasOwn(copy, "u"));
    assert.notEqual(copy.a, value.a);
    assert.notEqual(copy.a[0], value.a[0]);
    copy.a[0]!.b = "changed";
    assert.equal(value.a[0]!.b.length, 100);
  });

  await t.test("a __proto__ key stays data", () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const copy = copyJSONValue(value);
    assert.deepEqual(Object.keys(copy), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  });

  await t.test("bytes and other non-plain objects are structured-cloned", () => {
    const value = { data: new Uint8Array([1, 2, 3]), when: new Date(0) };
    const copy = copyJSONValue(value);
    assert.ok(copy.data instanceof Uint8Array);
    assert.notEqual(copy.data, value.data);
    assert.deepEqual([...copy.data], [1, 2, 3]);
    assert.ok(copy.when instanceof Date);
    assert.equal(copy.when.getTime(), 0);
  });
});
