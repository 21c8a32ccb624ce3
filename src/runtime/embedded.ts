/**
 * Inside the single executable (a Node single-executable application), tells src/runtime/entries.ts
 * that the runner is the executable itself started with RUNNER_ARG, and that the worker entries are
 * assets of the executable. Imported first by the executable's entry, so it runs before any module
 * that looks an entry up; elsewhere it does nothing.
 */
import { getAsset, isSea } from "node:sea";
import { registerEmbeddedEntries } from "./entries.ts";

export const RUNNER_ARG = "--bacalhau-edge-runner";

if (isSea()) {
  registerEmbeddedEntries({
    runnerArg: RUNNER_ARG,
    workerSource: (name) => getAsset(`${name}.cjs`, "utf8"),
  });
}
