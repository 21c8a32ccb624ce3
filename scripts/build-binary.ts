/**
 * `npm run build:binary`: the single executable dist-sea/bacalhau, a Node single-executable
 * application. It is the Node running this script, stripped of its debug symbols, with a CommonJS
 * bundle of the CLI (src/cli/single-binary.ts) and the worker entries injected as its application
 * blob. Linux and other ELF hosts: macOS would also need the binary re-signed, Windows a .exe.
 *
 * Deno's `deno compile` would be the other way to one file, but it downloads a runtime binary for
 * the target at build time; this script needs nothing beyond the npm packages of the project.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist-sea");
const binary = join(out, "bacalhau");
// The fuse Node looks for to know it carries an application (documented with Node's SEA support).
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

const mb = (file: string) => `${(statSync(file).size / 1e6).toFixed(1)} MB`;
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

if ("Deno" in globalThis) throw new Error("build the single executable with Node: it is made from Node's own binary");

run(process.execPath, [join(root, "scripts", "build.ts"), "--sea"]);
const config = join(out, "sea-config.json");
writeFileSync(config, JSON.stringify({
  main: join(out, "bacalhau.cjs"),
  output: join(out, "sea-prep.blob"),
  disableExperimentalSEAWarning: true,
  // Compiled code in the blob: a faster start for a few MB.
  useCodeCache: true,
  assets: { "watchdog.cjs": join(out, "watchdog.cjs"), "fetch-worker.cjs": join(out, "fetch-worker.cjs") },
}, null, 2));
run(process.execPath, ["--experimental-sea-config", config]);

copyFileSync(process.execPath, binary);
const before = mb(binary);
// Node's release binary carries its symbols; the executable runs the same without them.
try {
  execFileSync("strip", ["--strip-all", binary], { stdio: "inherit" });
} catch (err) {
  process.stderr.write(`strip unavailable (${(err as Error).message}): the executable keeps Node's symbols\n`);
}
const postject = join(root, "node_modules", "postject", "dist", "cli.js");
run(process.execPath, [postject, binary, "NODE_SEA_BLOB", join(out, "sea-prep.blob"), "--sentinel-fuse", FUSE]);
process.stdout.write(`${binary}: ${mb(binary)} (Node ${process.version}: ${before} before strip; blob ${mb(join(out, "sea-prep.blob"))})\n`);
