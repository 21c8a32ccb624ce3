// Asserts that fn throws a 400 BacalhauError naming `field` in its details.
import assert from "node:assert/strict";
import { BacalhauError } from "../../src/models/errors.ts";

export function throwsField(fn: () => unknown, field: string, message?: RegExp): BacalhauError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BacalhauError, `expected BacalhauError, got ${String(e)}`);
    assert.equal(e.status, 400);
    assert.equal(e.details?.field, field, `field of: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected an error naming ${field}`);
}
