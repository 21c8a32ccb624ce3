import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { parseFlags } from "../../src/cli/flags.ts";
import { renderCsv } from "../../src/cli/output/csv.ts";
import { LIST_OUTPUT_FLAGS, printList, renderObject, type Column } from "../../src/cli/output/format.ts";
import { renderTable } from "../../src/cli/output/table.ts";
import { formatTime } from "../../src/cli/output/time.ts";
import { captureIO } from "./capture.ts";

test("table: upper-case headers, aligned columns, multi-line cells, hidden header", () => {
  assert.equal(
    renderTable(["Id", "State"], [["j-1", "Completed"], ["j-22", "Failed\nretrying"]]),
    [" ID    STATE", " j-1   Completed", " j-22  Failed", "       retrying", ""].join("\n"),
  );
  assert.equal(renderTable(["A"], [["x"]], { hideHeader: true }), " x\n");
});

test("csv: quotes fields that need it", () => {
  assert.equal(renderCsv(["a", "b"], [["1,2", 'say "hi"'], ["x", "y"]]), 'a,b\n"1,2","say ""hi"""\nx,y\n');
  assert.equal(renderCsv(["a"], [["1"]], { hideHeader: true }), "1\n");
});

test("json and yaml render the same document", () => {
  const doc = { ID: "j-1", Labels: { a: "b" }, Items: [1, 2] };
  assert.deepEqual(JSON.parse(renderObject(doc, "json")), doc);
  assert.deepEqual(parse(renderObject(doc, "yaml")), doc);
  assert.equal(renderObject(doc, "json", false), JSON.stringify(doc) + "\n");
});

test("printList picks the format from --output and honours --wide", () => {
  const cols: Column<{ id: string; note: string }>[] = [
    { header: "ID", value: (r, wide) => (wide ? r.id : r.id.slice(0, 3)) },
    { header: "Note", value: (r) => r.note, wideOnly: true },
  ];
  const items = [{ id: "abcdef", note: "n" }];
  const run = (args: string[]) => {
    const cap = captureIO();
    printList(cap.io, parseFlags(args, LIST_OUTPUT_FLAGS), cols, items);
    return cap.stdout();
  };
  assert.equal(run([]), " ID\n abc\n");
  assert.equal(run(["--wide"]), " ID      NOTE\n abcdef  n\n");
  assert.equal(run(["--output", "csv", "--hide-header"]), "abc\n");
  assert.deepEqual(JSON.parse(run(["--output", "json"])), items);
  assert.deepEqual(parse(run(["--output=yaml"])), items);
  assert.throws(() => run(["--output", "xml"]), /invalid output format/);
});

test("times: clock only for today, date and clock otherwise", () => {
  const now = new Date(2025, 4, 6, 12, 0, 0);
  assert.equal(formatTime(new Date(2025, 4, 6, 9, 8, 7), { now }), "09:08:07");
  assert.equal(formatTime(new Date(2024, 0, 2, 3, 4, 5), { now }), "24-01-02 03:04:05");
  assert.equal(formatTime(new Date(0), { now }), "");
});
