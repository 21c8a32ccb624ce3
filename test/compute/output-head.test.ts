// OutputHead keeps what RunOutput shows of a stream: its first bytes, and whether there was more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OutputHead } from "../../src/compute/output-head.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("output head", async (t) => {
  await t.test("keeps everything under the limit, across chunks", () => {
    const head = new OutputHead(8);
    head.add(bytes("abc"));
    head.add(bytes("de"));
    assert.deepEqual(head.result(), { text: "abcde", truncated: false });
  });

  await t.test("exactly the limit is not truncated; one byte more is", () => {
    const exact = new OutputHead(4);
    exact.add(bytes("abcd"));
    assert.deepEqual(exact.result(), { text: "abcd", truncated: false });
    const over = new OutputHead(4);
    over.add(bytes("ab"));
    over.add(bytes("cde"));
    over.add(bytes("f"));
    assert.deepEqual(over.result(), { text: "abcd", truncated: true });
  });

  await t.test("a character cut at the limit decodes as a replacement, as a file read would", () => {
    const head = new OutputHead(2);
    head.add(bytes("aé"));
    assert.deepEqual(head.result(), { text: "a\uFFFD", truncated: true });
  });
});
