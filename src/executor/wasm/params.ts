/**
 * The wasm engine's Params as jobs carry them: `{EntryModule, Entrypoint, Parameters,
 * ImportModules}`, keys compared case-insensitively (so the legacy `EntryPoint` also works).
 */
import { BacalhauError } from "../../models/errors.ts";

export interface WasmParams {
  /** Path in the job's filesystem: a module, or a folder holding exactly one `*.wasm`. */
  entryModule: string;
  entrypoint: string;
  parameters: string[];
  importModules: string[];
}

function invalid(message: string): BacalhauError {
  return BacalhauError.validation(message, { component: "WasmExecutor", failsExecution: true });
}

function stringList(value: unknown, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw invalid(`wasm engine param ${key} must be a list of strings`);
  }
  return value as string[];
}

export function parseWasmParams(params: Record<string, unknown> | undefined): WasmParams {
  const byKey = new Map<string, unknown>();
  for (const [k, v] of Object.entries(params ?? {})) byKey.set(k.toLowerCase(), v);
  const entryModule = byKey.get("entrymodule");
  if (typeof entryModule !== "string") {
    throw invalid(entryModule === undefined || entryModule === null || entryModule === ""
      ? "invalid wasm engine params: target path cannot be empty"
      : "invalid wasm engine params: EntryModule must be a path in the job's filesystem");
  }
  if (entryModule.trim() === "") throw invalid("invalid wasm engine params: target path cannot be empty");
  const entrypoint = byKey.get("entrypoint") ?? "";
  if (typeof entrypoint !== "string") throw invalid("wasm engine param Entrypoint must be a string");
  return {
    entryModule,
    entrypoint,
    parameters: stringList(byKey.get("parameters"), "Parameters"),
    importModules: stringList(byKey.get("importmodules"), "ImportModules"),
  };
}
