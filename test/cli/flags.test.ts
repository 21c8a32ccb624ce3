import assert from "node:assert/strict";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import { parseFlags, splitCsv, type FlagSpec } from "../../src/cli/flags.ts";

const SPECS: FlagSpec[] = [
  { name: "wait", type: "bool", default: true, help: "" },
  { name: "follow", short: "f", type: "bool", help: "" },
  { name: "id-only", type: "bool", help: "" },
  { name: "input", short: "i", type: "strings", help: "" },
  { name: "labels", short: "l", type: "strings", split: true, help: "" },
  { name: "count", type: "int", default: 1, help: "" },
  { name: "name", type: "string", help: "" },
  { name: "constraints", type: "string", aliases: ["selector-old"], help: "" },
];

test("flags: long, short, = forms, repeatable and split lists, defaults", () => {
  const p = parseFlags(
    ["mod.wasm", "--name", "x", "--count=3", "-i", "ipfs://a", "-iipfs://b", "-i=ipfs://c", "-l", "a=1,b", "-l=c", "arg"],
    SPECS,
  );
  assert.deepEqual(p.positionals, ["mod.wasm", "arg"]);
  assert.equal(p.string("name"), "x");
  assert.equal(p.int("count"), 3);
  assert.deepEqual(p.list("input"), ["ipfs://a", "ipfs://b", "ipfs://c"]);
  assert.deepEqual(p.list("labels"), ["a=1", "b", "c"]);
  assert.equal(p.bool("wait"), true);
  assert.equal(p.has("wait"), false);
  assert.equal(p.string("constraints"), "");
});

test("flags: booleans take =false, short groups, and -- ends flag parsing", () => {
  const p = parseFlags(["--wait=false", "-f", "x", "--", "--id-only", "-f"], SPECS);
  assert.equal(p.bool("wait"), false);
  assert.equal(p.has("wait"), true);
  assert.equal(p.bool("follow"), true);
  assert.equal(p.bool("id-only"), false);
  assert.deepEqual(p.positionals, ["x", "--id-only", "-f"]);
  assert.deepEqual(p.afterDash, ["--id-only", "-f"]);
  assert.equal(parseFlags(["--selector-old", "a=b"], SPECS).string("constraints"), "a=b");
  assert.deepEqual(parseFlags(["-"], SPECS).positionals, ["-"]);
});

test("flags: unknown flags, missing values and bad numbers are usage errors", () => {
  const bad = (args: string[], re: RegExp) =>
    assert.throws(() => parseFlags(args, SPECS), (e: unknown) => e instanceof BacalhauError && re.test(e.message) && !!e.hint);
  bad(["--nope"], /unknown flag: --nope/);
  bad(["-z"], /unknown shorthand flag: 'z'/);
  bad(["--name"], /flag needs an argument: --name/);
  bad(["--count", "two"], /invalid argument "two" for "--count"/);
  bad(["--wait=maybe"], /invalid argument "maybe" for "--wait"/);
});

test("splitCsv honours double quotes", () => {
  assert.deepEqual(splitCsv('a,"b,c",d'), ["a", "b,c", "d"]);
  assert.deepEqual(splitCsv(""), []);
});

test("flags: not interspersed, flags end at the first positional and a -- right after it is dropped", () => {
  const specs: FlagSpec[] = [{ name: "memory", type: "string", help: "" }, { name: "config", short: "c", type: "strings", help: "" }];
  const f = parseFlags(["--memory", "1Gb", "img", "sh", "-c", "exit 3"], specs, { interspersed: false });
  assert.equal(f.string("memory"), "1Gb");
  assert.deepEqual(f.positionals, ["img", "sh", "-c", "exit 3"]);
  assert.deepEqual(f.list("config"), []);
  assert.deepEqual(parseFlags(["img", "--", "-c", "x"], specs, { interspersed: false }).positionals, ["img", "-c", "x"]);
  // Interspersed (the default) still reads -c as a flag anywhere.
  assert.deepEqual(parseFlags(["img", "sh", "-c", "x"], specs).list("config"), ["x"]);
});
