/**
 * What this client says about itself in the X-Bacalhau-* headers. Servers refuse clients older than
 * v1.4.0, so the Git version is the Bacalhau API level this implementation speaks.
 */
import type { BuildVersionInfo } from "../models/types.ts";

export const CLIENT_VERSION: BuildVersionInfo = {
  Major: "1",
  Minor: "9",
  GitVersion: "v1.9.3",
  GitCommit: "bacalhau-edge-0.1.0",
  BuildDate: "2026-01-01T00:00:00Z",
  GOOS: goName(hostProcess()?.platform, { win32: "windows" }),
  GOARCH: goName(hostProcess()?.arch, { x64: "amd64", ia32: "386" }),
};

interface HostProcess {
  platform?: string;
  arch?: string;
}

// Browsers have no `process`; Node and Deno both do.
function hostProcess(): HostProcess | undefined {
  return (globalThis as { process?: HostProcess }).process;
}

function goName(value: string | undefined, renames: Record<string, string>): string {
  if (!value) return "js";
  return renames[value] ?? value;
}
