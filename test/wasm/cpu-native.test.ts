// The native CPU baseline: built with the system gcc from the same source as wasm/cpu.wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { disposeNativeCpu, nativeCpuRun, nativeCpuSeconds, parseCpuReport } from "../../scripts/bench/cpu-native.ts";

/** The bytes cpu.c hashes: a xorshift64 stream from a fixed seed, stored little-endian. */
function expectedSha256(mib: number): string {
  const bytes = new Uint8Array(mib << 20);
  const view = new DataView(bytes.buffer);
  const mask = (1n << 64n) - 1n;
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < bytes.length; i += 8) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    view.setBigUint64(i, x, true);
  }
  return createHash("sha256").update(bytes).digest("hex");
}

test("parseCpuReport reads the program's report line", () => {
  const line = `sha256=${"ab".repeat(32)} mib=64 seconds=0.812345\n`;
  assert.deepEqual(parseCpuReport(line), { sha256: "ab".repeat(32), mib: 64, seconds: 0.812345 });
  assert.throws(() => parseCpuReport("nothing here"), /printed no report/);
});

test("the native build hashes the same stream the wasm build does and reports its own time", async (t) => {
  t.after(disposeNativeCpu);
  const report = await nativeCpuRun(1);
  assert.equal(report.mib, 1);
  assert.equal(report.sha256, expectedSha256(1));
  assert.ok(Number.isFinite(report.seconds) && report.seconds >= 0);

  const seconds = await nativeCpuSeconds(2); // reuses the binary built above
  assert.ok(Number.isFinite(seconds) && seconds >= 0);
  await assert.rejects(nativeCpuSeconds(0), RangeError);
});
