/**
 * Resource strings as Bacalhau reads them: CPU as a Kubernetes quantity (`500m`, `2`, `0.25`),
 * memory and disk as go-humanize byte sizes (`512Mb` decimal, `1Gi`/`1GiB` binary), GPU as a count.
 * Strings are lower-cased and stripped of whitespace first, as Bacalhau does.
 *
 * @example
 * ```ts
 * parseResources({ CPU: "250m", Memory: "1Gi" }); // { CPU: 0.25, Memory: 1073741824, Disk: 0, GPU: 0 }
 * ```
 */
import { BacalhauError } from "./errors.ts";
import type { Resources, ResourcesConfig } from "./types.ts";

export const JOB_DEFAULT_RESOURCES: ResourcesConfig = { CPU: "500m", Memory: "512Mb" };

const CPU_SUFFIX: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, g: 1e9, t: 1e12,
  ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, ti: 1024 ** 4,
};
const CPU_RE = /^\+?((?:\d+\.?\d*)|(?:\.\d+))(?:e([+-]?\d+))?(m|k|g|t|ki|mi|gi|ti)?$/;

const BYTE_UNITS: Record<string, number> = {
  "": 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, p: 1e15, pb: 1e15, e: 1e18, eb: 1e18,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3,
  ti: 1024 ** 4, tib: 1024 ** 4, pi: 1024 ** 5, pib: 1024 ** 5, ei: 1024 ** 6, eib: 1024 ** 6,
};
const BYTES_RE = /^((?:\d+\.?\d*)|(?:\.\d+))([a-z]*)$/;

const clean = (s: string): string => s.replace(/\s+/g, "").toLowerCase();

function resourceError(field: string, value: string, what: string, example: string): BacalhauError {
  return BacalhauError.badRequest(`invalid ${field} '${value}': ${what}`, {
    component: "JobValidator",
    hint: `write ${field} like ${example}`,
    details: { field },
  });
}

/** Cores. `field` names the spec field in errors. */
export function parseCPU(value: string, field = "Resources.CPU"): number {
  const m = CPU_RE.exec(clean(value));
  if (!m) throw resourceError(field, value, "not a CPU quantity", "'500m', '2' or '0.25'");
  const n = Number(m[1]) * 10 ** Number(m[2] ?? 0) * (CPU_SUFFIX[m[3] ?? ""] ?? 1);
  if (!Number.isFinite(n)) throw resourceError(field, value, "out of range", "'500m', '2' or '0.25'");
  return n;
}

/** Bytes (whole; fractions are truncated, as go-humanize does). */
export function parseBytes(value: string, field = "Resources.Memory"): number {
  const s = clean(value).replace(/,/g, "");
  const m = BYTES_RE.exec(s);
  const unit = m ? BYTE_UNITS[m[2] ?? ""] : undefined;
  if (!m || unit === undefined) {
    throw resourceError(field, value, "not a byte size", "'512Mb', '1Gi' or '2GiB'");
  }
  const n = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n)) throw resourceError(field, value, "too large", "'512Mb', '1Gi' or '2GiB'");
  return n;
}

export function parseGPU(value: string, field = "Resources.GPU"): number {
  const s = clean(value);
  if (!/^\d+$/.test(s)) throw resourceError(field, value, "not a whole number", "'0' or '1'");
  return Number(s);
}

/**
 * Parses a task's resources, filling unset (empty) fields from `defaults`.
 * `path` prefixes field names in errors, e.g. `Tasks[0].Resources`.
 */
export function parseResources(
  cfg: ResourcesConfig | undefined,
  defaults: ResourcesConfig = JOB_DEFAULT_RESOURCES,
  path = "Resources",
): Resources {
  const pick = (k: keyof ResourcesConfig): string => {
    const v = cfg?.[k]?.trim();
    return v ? v : (defaults[k]?.trim() ?? "");
  };
  const cpu = pick("CPU");
  const memory = pick("Memory");
  const disk = pick("Disk");
  const gpu = pick("GPU");
  return {
    CPU: cpu ? parseCPU(cpu, `${path}.CPU`) : 0,
    Memory: memory ? parseBytes(memory, `${path}.Memory`) : 0,
    Disk: disk ? parseBytes(disk, `${path}.Disk`) : 0,
    GPU: gpu ? parseGPU(gpu, `${path}.GPU`) : 0,
  };
}
