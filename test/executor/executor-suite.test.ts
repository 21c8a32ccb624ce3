// The shared executor conformance suite, run for the wasm and noop engines.
import { NoopExecutor } from "../../src/executor/noop/executor.ts";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { runExecutorSuite } from "../conformance/executor.suite.ts";
import { moduleFile } from "./helpers.ts";

const wasm = (Parameters: string[] = []) => ({
  Type: "wasm",
  Params: { EntryModule: "main.wasm", Entrypoint: "_start", Parameters },
});
const entry = (hostPath: string) => [{ target: "main.wasm", hostPath, readOnly: true }];

runExecutorSuite("wasm", () => new WasmExecutor({ maxRunners: 2 }), {
  hello: { engine: wasm(["suite"]), inputs: entry(moduleFile("hello")), exitCode: 0, stdout: "Hello, suite!\n" },
  exitCode: { engine: wasm(), inputs: entry(moduleFile("exit_code")), env: { EXIT_CODE: "5" }, exitCode: 5 },
  forever: { engine: wasm(), inputs: entry(moduleFile("spin")) },
});

runExecutorSuite("noop", () => new NoopExecutor(), {
  hello: { engine: { Type: "noop" }, exitCode: 0, stdout: "" },
});
