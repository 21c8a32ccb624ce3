/**
 * The one place that asks which runtime this is, and the differences that follow from it outside
 * serving HTTP (http.ts) and compile caches (compile-cache.ts): reading the host's environment, the
 * command line that starts a script with the running executable, and how a child process is sandboxed.
 */

interface DenoEnv {
  env: { get(name: string): string | undefined };
}

export function isDeno(): boolean {
  return "Deno" in globalThis;
}

/** A variable of the host's environment (Deno asks its own API, which its permissions scope). */
export function hostEnv(name: string): string | undefined {
  return isDeno() ? (globalThis as unknown as { Deno: DenoEnv }).Deno.env.get(name) : process.env[name];
}

/** The executable and arguments that run `script` with this runtime, its flags first. */
export function scriptCommand(script: string, runtimeFlags: string[], args: string[]): [string, string[]] {
  if (isDeno()) return [process.execPath, ["run", ...runtimeFlags, "--no-lock", "--no-config", "--quiet", script, ...args]];
  return [process.execPath, ["--no-warnings", ...runtimeFlags, script, ...args]];
}

export interface ChildPermissions {
  /** Folders the child may read (its own code included). */
  read: string[];
  /** Folders it may write. */
  write: string[];
  /** V8 old-space limit in MiB; undefined = the runtime's default. */
  heapMb?: number;
}

/**
 * The runtime's own sandbox for a child that runs our code: Node's permission model or Deno's scoped
 * permissions. Workers are allowed; Deno also gets the network (Node 24's permission model has no
 * network scope, so both are even: the job's Network policy decides every request) and the host's
 * interface addresses, which the HTTP host function's address check reads.
 */
export function permissionFlags(p: ChildPermissions): string[] {
  const heap = p.heapMb === undefined ? [] : [`--max-old-space-size=${p.heapMb}`];
  if (isDeno()) {
    return [
      `--allow-read=${p.read.join(",")}`,
      ...(p.write.length ? [`--allow-write=${p.write.join(",")}`] : []),
      "--allow-net",
      "--allow-sys=networkInterfaces",
      ...(heap.length ? [`--v8-flags=${heap.join(",")}`] : []),
    ];
  }
  return [
    "--permission",
    ...p.read.map((dir) => `--allow-fs-read=${dir}`),
    ...p.write.map((dir) => `--allow-fs-write=${dir}`),
    "--allow-worker",
    ...heap,
  ];
}
