/**
 * `npm run build`: bundles the CLI, the wasm runner and the worker entries into dist/ as ES modules
 * with every npm dependency inlined, so the published package installs with no dependencies of its
 * own and the same files run on Node and on Deno. Also writes the type declarations of the
 * package's client API. Entries sit beside their shared chunks, where src/runtime/entries.ts looks.
 *
 * `--sea` instead writes one CommonJS file (dist-sea/bacalhau.cjs) and the worker sources it
 * embeds, for scripts/build-binary.ts.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Native add-ons cannot be inlined; the modules needing them load them inside try/catch. */
const EXTERNAL = ["*.node", "cpu-features"];

/**
 * The Docker executor loads dockerode through createRequire, which a bundler cannot follow; in the
 * build it becomes a plain require that esbuild inlines. Fails the build if the line moved.
 */
const inlineDockerode: esbuild.Plugin = {
  name: "inline-dockerode",
  setup(build) {
    build.onLoad({ filter: /src[\\/]executor[\\/]docker[\\/]engine\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const from = 'createRequire(import.meta.url)("dockerode")';
      if (!text.includes(from)) throw new Error(`${args.path} no longer loads dockerode as ${from}`);
      return { contents: text.replace(from, 'require("dockerode")'), loader: "ts" };
    });
  },
};

const common: esbuild.BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node22",
  external: EXTERNAL,
  plugins: [inlineDockerode],
  legalComments: "none",
  logLevel: "warning",
  logOverride: { "empty-import-meta": "silent" },
};

// What CommonJS dependencies expect of their module scope, which an ES module lacks: a require()
// for Node builtins, and __filename/__dirname (ssh2's bundled wasm crypto reads __dirname).
const ESM_BANNER = [
  'import { createRequire as __bundleRequire } from "node:module";',
  'import { fileURLToPath as __bundlePath } from "node:url";',
  'import { dirname as __bundleDir } from "node:path";',
  "const require = __bundleRequire(import.meta.url);",
  "const __filename = __bundlePath(import.meta.url);",
  "const __dirname = __bundleDir(__filename);",
].join(" ");

async function buildPackage(): Promise<void> {
  const out = join(root, "dist");
  rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: {
      bacalhau: join(root, "src/cli/main.ts"),
      runner: join(root, "src/executor/wasm/runner/main.ts"),
      watchdog: join(root, "src/executor/wasm/runner/watchdog.ts"),
      "fetch-worker": join(root, "src/executor/wasm/http/fetch-worker.ts"),
      client: join(root, "src/client/client.ts"),
    },
    outdir: out,
    format: "esm",
    splitting: true,
    entryNames: "[name]",
    chunkNames: "chunk-[hash]",
    outExtension: { ".js": ".js" },
    banner: { js: ESM_BANNER },
  });
  // The dashboard's files, beside the bundle's (src/webui/routes.ts looks for ./public/ there), with
  // the yaml package's browser build the page loads to read pasted YAML.
  cpSync(join(root, "src/webui/public"), join(out, "public"), { recursive: true });
  const yamlEntry = createRequire(import.meta.url).resolve("yaml");
  cpSync(join(dirname(dirname(yamlEntry)), "browser", "dist"), join(out, "public", "vendor", "yaml"), { recursive: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
}

async function buildSea(): Promise<void> {
  const out = join(root, "dist-sea");
  rmSync(out, { recursive: true, force: true });
  const cjs = { ...common, format: "cjs" as const, minify: true };
  await esbuild.build({ ...cjs, entryPoints: [join(root, "src/cli/single-binary.ts")], outfile: join(out, "bacalhau.cjs") });
  for (const [name, file] of [["watchdog", "src/executor/wasm/runner/watchdog.ts"], ["fetch-worker", "src/executor/wasm/http/fetch-worker.ts"]]) {
    await esbuild.build({ ...cjs, entryPoints: [join(root, file!)], outfile: join(out, `${name}.cjs`) });
  }
}

if (process.argv.includes("--sea")) await buildSea();
else await buildPackage();
