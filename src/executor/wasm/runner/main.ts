/** Entry script of a wasm runner process (started by RunnerProcess, never imported). */
import { serveRunner } from "./serve.ts";

serveRunner();
