/** Entry script of a wasm runner process (started by RunnerProcess, never imported). */
import process from "node:process";
import { serveRunner } from "./serve.ts";

// argv: [runtime, script, nodePid]
serveRunner(Number(process.argv[2]));
