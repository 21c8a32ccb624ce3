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

export function parseDockerParams(params: Record<string, unknown> | undefined): DockerParams {
  const p = params ?? {};
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
