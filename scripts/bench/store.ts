/**
 * Job store micro-benchmark: times job creates and history appends on a file-backed SQLite store
 * (WAL, synchronous=NORMAL) in a temp folder, and prints one row per case.
 *
 * @example
 * ```sh
 * node scripts/bench/store.ts        # or: deno run -A scripts/bench/store.ts
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";
import { makeEvent, makeJob } from "../../test/store/fixtures/models.ts";

export interface StoreBenchRow {
  name: string;
  ops: number;
  ms: number;
}

function time(name: string, ops: number, fn: () => void): StoreBenchRow {
  const start = performance.now();
  fn();
  return { name, ops, ms: performance.now() - start };
}

/** Runs every case on a fresh store file and removes the folder afterwards. */
export function benchStore(): StoreBenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), "store-bench-"));
  const store = SqliteJobStore.open(join(dir, "jobs.db"));
  try {
    const rows: StoreBenchRow[] = [];
    rows.push(time("job create, one transaction each", 1_000, () => {
      for (let i = 0; i < 1_000; i++) {
        const job = makeJob();
        store.transaction(() => store.createJob(job));
      }
    }));
    const target = makeJob();
    store.createJob(target);
    rows.push(time("history append, one transaction each", 10_000, () => {
      for (let i = 0; i < 10_000; i++) store.addJobHistory(target.ID, 1, makeEvent(`event ${i}`));
    }));
    rows.push(time("history append, all in one transaction", 10_000, () => {
      store.transaction(() => {
        for (let i = 0; i < 10_000; i++) store.addJobHistory(target.ID, 1, makeEvent(`event ${i}`));
      });
    }));
    rows.push(time("history read, 20k events", 1, () => store.getJobHistory(target.ID)));
    return rows;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(rows: StoreBenchRow[]): void {
  const runtime = "Deno" in globalThis ? "deno" : `node ${process.version}`;
  console.log(`job store (sqlite, WAL, synchronous=NORMAL) on ${runtime}`);
  console.log(`${"case".padEnd(42)} ${"ops".padStart(7)} ${"ms".padStart(9)} ${"µs/op".padStart(9)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(42)} ${String(r.ops).padStart(7)} ${r.ms.toFixed(1).padStart(9)} ${(r.ms * 1000 / r.ops).toFixed(1).padStart(9)}`);
  }
}

if (import.meta.main) printTable(benchStore());
