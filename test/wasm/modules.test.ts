// Static checks of the committed example/test modules: valid, and with the imports and exports
// the executor and its tests rely on. Running them is the executor's tests' job.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const wasmDir = fileURLToPath(new URL("../../wasm/", import.meta.url));
const WASI = "wasi_snapshot_preview1";

/** Every program and the WASI calls it must import; "proc_exit" is absent for modules that must return. */
const programs: Record<string, { wasi: string[]; procExit: boolean }> = {
  hello: { wasi: ["args_get", "fd_write"], procExit: true },
  cat: { wasi: ["args_get", "path_open", "fd_read", "fd_write", "fd_prestat_get"], procExit: true },
  env: { wasi: ["environ_get", "environ_sizes_get", "fd_write"], procExit: false },
  exit_code: { wasi: ["environ_get", "fd_write"], procExit: true },
  outputs: { wasi: ["path_open", "path_create_directory", "fd_write"], procExit: true },
  dynamic: { wasi: ["fd_write"], procExit: false },
  loop: { wasi: [], procExit: true },
  membomb: { wasi: ["fd_write"], procExit: true },
  flood: { wasi: ["fd_write"], procExit: true },
  escape: { wasi: ["path_open", "fd_prestat_get", "fd_write"], procExit: true },
  write_input: { wasi: ["path_open", "path_unlink_file", "path_rename", "fd_filestat_set_size"], procExit: true },
  noreturn: { wasi: ["fd_write"], procExit: false },
  cpu: { wasi: ["args_get", "clock_time_get", "fd_write"], procExit: true },
  lines: { wasi: ["args_get", "path_open", "fd_read", "fd_write"], procExit: true },
  http_get: { wasi: ["environ_get", "fd_write"], procExit: true },
  bigfile: { wasi: ["path_open", "fd_filestat_set_size", "fd_pwrite", "fd_allocate", "path_link", "path_unlink_file"], procExit: true },
  ticker: { wasi: ["fd_write", "poll_oneoff"], procExit: true },
};

function load(name: string): WebAssembly.Module {
  const bytes = readFileSync(wasmDir + name + ".wasm");
  assert.ok(WebAssembly.validate(bytes), `${name}.wasm is not a valid module`);
  return new WebAssembly.Module(bytes);
}

const names = (list: { name: string }[]) => list.map((d) => d.name);

test("every source in wasm/src has a committed module and vice versa", () => {
  const source = /^(.+)\.(c|wat|hex)$/;
  const files = readdirSync(wasmDir + "src");
  const sources = files.map((f) => source.exec(f)?.[1]).filter((n): n is string => !!n).sort();
  const modules = readdirSync(wasmDir).filter((f) => f.endsWith(".wasm")).map((f) => f.slice(0, -5)).sort();
  assert.deepEqual(modules, sources);
  // Hand-written .wat and .hex modules are edge cases for the executor tests, checked there.
  const wat = files.filter((f) => /\.(wat|hex)$/.test(f)).map((f) => f.replace(/\.(wat|hex)$/, ""));
  assert.deepEqual([...Object.keys(programs), "easter", ...wat].sort(), modules);
});

for (const [name, want] of Object.entries(programs)) {
  test(`${name}.wasm exports _start and memory and imports what it needs`, () => {
    const mod = load(name);
    const exports = WebAssembly.Module.exports(mod);
    assert.ok(exports.some((e) => e.name === "_start" && e.kind === "function"), "no _start function");
    assert.ok(exports.some((e) => e.name === "memory" && e.kind === "memory"), "no exported memory");

    const imports = WebAssembly.Module.imports(mod);
    assert.ok(imports.every((i) => i.kind === "function"), "imports only functions (memory is its own)");
    const wasi = names(imports.filter((i) => i.module === WASI));
    for (const fn of want.wasi) assert.ok(wasi.includes(fn), `missing import ${WASI}.${fn}`);
    assert.equal(wasi.includes("proc_exit"), want.procExit, want.procExit ? "must call proc_exit" : "must return without proc_exit");

    const others = imports.filter((i) => i.module !== WASI);
    if (name === "dynamic") {
      assert.deepEqual(others.map((i) => `${i.module}.${i.name}`), ["input.wasm.easter"]);
    } else if (name === "http_get") {
      assert.deepEqual(others.map((i) => `${i.module}.${i.name}`), ["wasi:http/requests.http_request"]);
    } else {
      assert.deepEqual(others, [], "only WASI imports");
    }
  });
}

test("easter.wasm is a library with no imports and computes Western Easter", () => {
  const mod = load("easter");
  assert.deepEqual(WebAssembly.Module.imports(mod), []);
  const exported = names(WebAssembly.Module.exports(mod));
  assert.ok(exported.includes("easter") && exported.includes("memory"));
  assert.ok(!exported.includes("_start"), "a library has no entry point");

  // Pure arithmetic with no imports, so instantiating it runs no WASI at all.
  const instance = new WebAssembly.Instance(mod, {});
  const easter = instance.exports.easter as (year: number) => number;
  const expected: Record<number, number> = { 2022: 17, 2023: 9, 2024: 31, 2019: 21, 2000: 23, 1961: 2 };
  for (const [year, day] of Object.entries(expected)) assert.equal(easter(Number(year)), day, `easter(${year})`);
  assert.equal((instance.exports.easter2022 as () => number)(), 17);
});

test("modules carry no custom sections (no names, producers or debug info, so builds are reproducible)", () => {
  for (const name of [...Object.keys(programs), "easter"]) {
    const mod = load(name);
    for (const section of ["name", "producers", "target_features", ".debug_info"]) {
      assert.equal(WebAssembly.Module.customSections(mod, section).length, 0, `${name}.wasm has a ${section} section`);
    }
  }
});

/** Reads an unsigned LEB128 at `pos`; returns the value and the position after it. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0, shift = 0, b: number;
  do {
    b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, pos];
}

/** The limits flags byte of the module's own memory (0: no maximum, 1: has a maximum). */
function memoryLimitFlags(bytes: Uint8Array): number | undefined {
  let pos = 8; // magic + version
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, body] = leb(bytes, pos + 1);
    if (id === 5) return bytes[leb(bytes, body)[1]];
    pos = body + size;
  }
  return undefined;
}

test("membomb has no memory maximum of its own, so only the host's page limit stops it", () => {
  assert.equal(memoryLimitFlags(readFileSync(wasmDir + "membomb.wasm")), 0);
});
