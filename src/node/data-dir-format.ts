/**
 * The format of a node's data dir, recorded in `data-dir.json` beside everything else in it, so
 * that an upgraded node can bring an older dir up to date and an older node never writes into a
 * dir laid out by a newer one (where it could lose or corrupt what it does not understand).
 * A dir without the file was written before formats were recorded: format 0.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLIENT_VERSION } from "../client/version.ts";
import { BacalhauError } from "../models/errors.ts";

export const FORMAT_FILE = "data-dir.json";

interface DataDirStep {
  format: number;
  name: string;
  apply(dataDir: string): void;
}

/** Append only: each step takes a dir from `format - 1` to `format`. */
export const DATA_DIR_STEPS: readonly DataDirStep[] = [
  // Format 1 changes no file: the job store (orchestrator/jobs.db) upgrades its own schema when the
  // node opens it. From here on the dir says which program may open it.
  { format: 1, name: "format recorded", apply: () => {} },
];

export const DATA_DIR_FORMAT = DATA_DIR_STEPS[DATA_DIR_STEPS.length - 1]?.format ?? 0;

interface FormatRecord {
  Format: number;
  WrittenBy: string;
}

const COMPONENT = "DataDir";

function readFormat(dataDir: string): number {
  const file = join(dataDir, FORMAT_FILE);
  if (!existsSync(file)) return 0;
  let record: Partial<FormatRecord>;
  try {
    record = (JSON.parse(readFileSync(file, "utf8")) ?? {}) as Partial<FormatRecord>;
  } catch (err) {
    throw BacalhauError.badRequest(`${file} is not valid JSON: ${(err as Error).message}`, {
      component: COMPONENT,
      hint: `restore it, or write {"Format": ${DATA_DIR_FORMAT}} if the dir was made by this version`,
    });
  }
  if (!Number.isInteger(record.Format) || record.Format! < 0) {
    throw BacalhauError.badRequest(`${file}: Format must be a whole number, got ${JSON.stringify(record.Format)}`, {
      component: COMPONENT,
      hint: "restore the file from the program that made the data dir",
    });
  }
  if (record.Format! > DATA_DIR_FORMAT) {
    throw BacalhauError.badRequest(
      `data dir ${dataDir} has format ${record.Format}` +
        (record.WrittenBy ? ` (written by ${record.WrittenBy})` : "") +
        `, newer than ${CLIENT_VERSION.GitCommit} understands (format ${DATA_DIR_FORMAT}); it was left untouched`,
      { component: COMPONENT, hint: "run a bacalhau-edge at least as new as the one that wrote it, or pass another --data-dir" },
    );
  }
  return record.Format!;
}

/**
 * Checks the data dir's format before the node touches anything in it and brings an older one up
 * to date. Returns the format it was found in. Throws, changing nothing, when the dir is newer.
 */
export function openDataDir(dataDir: string): number {
  const found = readFormat(dataDir);
  for (const step of DATA_DIR_STEPS) if (step.format > found) step.apply(dataDir);
  if (found < DATA_DIR_FORMAT) {
    const record: FormatRecord = { Format: DATA_DIR_FORMAT, WrittenBy: CLIENT_VERSION.GitCommit };
    const file = join(dataDir, FORMAT_FILE);
    // A rename replaces the file whole: a crash leaves the old record or the new one, never half.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return found;
}
