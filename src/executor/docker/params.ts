/**
 * The docker engine's Params as Bacalhau defines them: `{Image, Entrypoint, Parameters,
 * EnvironmentVariables, WorkingDirectory}`, checked once so the rest of the executor works with a
 * typed value.
 */

export interface DockerParams {
  image: string;
  /** undefined keeps the image's own entrypoint. */
  entrypoint?: string[];
  parameters: string[];
  /** `KEY=VALUE` entries. */
  environmentVariables: string[];
  workingDirectory?: string;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new Error(`invalid docker engine params: ${name} must be a list of strings`);
  }
  return value as string[];
}

/** Bacalhau's docker engine params; nothing else reaches the engine. */
export const DOCKER_PARAM_KEYS = ["Image", "Entrypoint", "Parameters", "EnvironmentVariables", "WorkingDirectory"];
const KNOWN = DOCKER_PARAM_KEYS;

/**
 * Anything else a job might hope reaches the engine (Privileged, Devices, CapAdd, SecurityOpt,
 * NetworkMode/PidMode/IpcMode, Mounts, Binds, HostConfig, …) is refused, not ignored: the job's
 * author learns at once that it cannot have it.
 */
function refuseUnknown(p: Record<string, unknown>): void {
  const known = new Set(KNOWN.map((k) => k.toLowerCase()));
  const extra = Object.keys(p).filter((k) => !known.has(k.toLowerCase()));
  if (extra.length === 0) return;
  throw new Error(
    `invalid docker engine params: ${extra.join(", ")} ${extra.length === 1 ? "is" : "are"} not allowed; ` +
      "docker jobs get no host privileges, devices, host namespaces, extra mounts or security options; " +
      `remove ${extra.length === 1 ? "it" : "them"} (the accepted params are ${KNOWN.join(", ")})`,
  );
}

export function parseDockerParams(params: Record<string, unknown> | undefined): DockerParams {
  const p = params ?? {};
  refuseUnknown(p);
  const image = p["Image"];
  if (typeof image !== "string" || image.trim() === "") {
    throw new Error("invalid docker engine params: image is required");
  }
  const env = stringList(p["EnvironmentVariables"], "EnvironmentVariables") ?? [];
  for (const entry of env) {
    const name = entry.split("=", 1)[0];
    if (!entry.includes("=") || name === "") {
      throw new Error(`invalid docker engine params: environment variable '${entry}' must be KEY=VALUE`);
    }
    if (name.toUpperCase().startsWith("BACALHAU_")) {
      throw new Error(`invalid docker engine params: environment variable '${name}' uses the reserved BACALHAU_ prefix`);
    }
  }
  const wd = p["WorkingDirectory"];
  if (wd !== undefined && wd !== null && wd !== "" && (typeof wd !== "string" || !wd.startsWith("/"))) {
    throw new Error("invalid docker engine params: WorkingDirectory must be an absolute path");
  }
  const entrypoint = stringList(p["Entrypoint"], "Entrypoint");
  return {
    image: image.trim(),
    entrypoint: entrypoint && entrypoint.length > 0 ? entrypoint : undefined,
    parameters: stringList(p["Parameters"], "Parameters") ?? [],
    environmentVariables: env,
    workingDirectory: typeof wd === "string" && wd !== "" ? wd : undefined,
  };
}
