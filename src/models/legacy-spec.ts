/**
 * Bacalhau's v0.3 job shape (`{"APIVersion": "V1beta1", "Spec": {"Engine": "Wasm", "Wasm": {...},
 * "Publisher": "IPFS", "inputs": [StorageSpec], ...}}`), translated to a v1 Job as sent in a
 * PutJobRequest. The result is plain JSON: it then goes through `normalizeJob` and `validateJob`
 * like any other submission, so defaults and checks live in one place.
 *
 * @example
 * ```ts
 * if (isLegacySpec(body)) job = normalizeJob(legacySpecToJob(body));
 * ```
 */
import { BacalhauError } from "./errors.ts";
import { Fields, isObject, typeError } from "./fields.ts";
import type { JsonObject } from "./fields.ts";

const COMPONENT = "JobValidator";

/** v0.3 StorageSource names (case-insensitive) → v1 InputSource types. */
const SOURCE_TYPES = new Map([
  ["ipfs", "ipfs"],
  ["urldownload", "urlDownload"],
  ["inline", "inline"],
  ["localdirectory", "local"],
  ["local", "local"],
  ["s3", "s3"],
]);

/** v0.3 publishers we can still honour; Estuary and Filecoin are gone. */
const PUBLISHERS = new Map([
  ["ipfs", "ipfs"],
  ["noop", "noop"],
  ["local", "local"],
  ["s3", "s3"],
]);

/** Where v0.3 put results when the spec named no outputs. */
const DEFAULT_OUTPUT = { Name: "outputs", Path: "/outputs" };
const DEFAULT_INPUT_TARGET = "/inputs";

function unsupported(field: string, message: string, hint: string): BacalhauError {
  return BacalhauError.badRequest(message, { component: COMPONENT, hint, details: { field } });
}

/**
 * True for a v0.3 job (`Spec` at the top, or inside the signed submit envelope's `payload`); a v1
 * Job has no `Spec` key.
 */
export function isLegacySpec(body: JsonObject): boolean {
  const f = Fields.of(body, "");
  if (isObject(f.raw("Spec"))) return true;
  const payload = f.raw("payload");
  return isObject(payload) && isObject(Fields.of(payload, "payload").raw("Spec"));
}

/** The v1 Job JSON for a v0.3 job; 400 naming the field for what cannot be translated. */
export function legacySpecToJob(body: JsonObject): JsonObject {
  const top = Fields.of(body, "");
  const envelope = isObject(top.raw("Spec")) ? top : Fields.of(top.raw("payload"), "payload");
  const apiVersion = envelope.string("APIVersion");
  if (apiVersion && apiVersion.toLowerCase() !== "v1beta1") {
    throw unsupported("APIVersion", `unsupported legacy APIVersion '${apiVersion}'`, "send V1beta1, or a v1 Job");
  }
  const spec = Fields.of(envelope.raw("Spec"), envelope.child("Spec"));
  const inputs = spec.array("inputs").map((s, i) => inputSource(s, spec.child(`inputs[${i}]`), DEFAULT_INPUT_TARGET));
  const task: JsonObject = {
    Name: "main",
    Engine: engine(spec, inputs),
    // v1 reads a wasm job's environment from the task, not the engine.
    Env: Fields.of(spec.raw("Wasm"), spec.child("Wasm")).stringMap("EnvironmentVariables"),
    InputSources: inputs,
    ResultPaths: resultPaths(spec),
    Resources: spec.raw("Resources") ?? {},
    Network: network(spec),
    Timeouts: { ExecutionTimeout: timeoutSeconds(spec) },
  };
  const publisher = publisherSpec(spec);
  if (publisher) task.Publisher = publisher;
  const deal = Fields.of(spec.raw("Deal"), spec.child("Deal"));
  // v0.3 jobs had no name, so each submission is a new job (never an update of an older one).
  return {
    Type: "batch",
    Count: Math.max(1, deal.int("Concurrency", 1)),
    Constraints: spec.array("NodeSelectors"),
    Tasks: [task],
  };
}

function engine(spec: Fields, inputs: JsonObject[]): JsonObject {
  const name = spec.string("Engine").trim().toLowerCase();
  if (name === "wasm") {
    const w = Fields.of(spec.raw("Wasm"), spec.child("Wasm"));
    const entryPath = w.child("EntryModule");
    if (!isObject(w.raw("EntryModule"))) throw typeError(entryPath, "a storage spec", w.raw("EntryModule"));
    // An InputSource-shaped EntryModule is the v1.0 legacy form; normalizeJob mounts it (default
    // /wasm/entry.wasm) and points the Params at its target, as Bacalhau's transformer does.
    return {
      Type: "wasm",
      Params: {
        EntryModule: inputSource(w.raw("EntryModule"), entryPath, ""),
        Entrypoint: w.string("EntryPoint") || "_start",
        Parameters: w.stringArray("Parameters"),
        ImportModules: w.array("ImportModules").map((m, i) => inputSource(m, w.child(`ImportModules[${i}]`), "")),
      },
    };
  }
  if (name === "docker") {
    const d = Fields.of(spec.raw("Docker"), spec.child("Docker"));
    return {
      Type: "docker",
      Params: {
        Image: d.string("Image"),
        Entrypoint: d.stringArray("Entrypoint"),
        EnvironmentVariables: d.stringArray("EnvironmentVariables"),
        WorkingDirectory: d.string("WorkingDirectory"),
      },
    };
  }
  if (name === "noop") return { Type: "noop", Params: {} };
  throw unsupported("Spec.Engine", `unsupported legacy engine '${spec.string("Engine")}'`, "use Wasm, Docker or Noop");
}

/** A v0.3 StorageSpec → a v1 InputSource; `path` is the mount point. */
function inputSource(v: unknown, path: string, defaultTarget: string): JsonObject {
  const f = Fields.of(v, path);
  const rawType = f.string("StorageSource");
  const type = SOURCE_TYPES.get(rawType.trim().toLowerCase());
  if (!type) {
    throw unsupported(f.child("StorageSource"), `unsupported legacy storage source '${rawType}'`,
      `use one of IPFS, URLDownload, Inline, LocalDirectory, S3`);
  }
  const params: JsonObject = {};
  if (type === "ipfs") params.CID = f.string("CID");
  else if (type === "urlDownload" || type === "inline") params.URL = f.string("URL");
  else if (type === "local") {
    params.SourcePath = f.string("SourcePath");
    if (f.has("ReadWrite")) params.ReadWrite = f.bool("ReadWrite");
  } else {
    const s3 = f.raw("S3");
    if (s3 !== undefined && !isObject(s3)) throw typeError(f.child("S3"), "an object", s3);
    Object.assign(params, s3 ?? {});
  }
  const out: JsonObject = { Source: { Type: type, Params: params }, Target: f.string("path") || defaultTarget };
  const alias = f.string("Name");
  if (alias) out.Alias = alias;
  return out;
}

function resultPaths(spec: Fields): JsonObject[] {
  const outputs = spec.array("outputs");
  if (outputs.length === 0) return [DEFAULT_OUTPUT];
  return outputs.map((o, i) => {
    const f = Fields.of(o, spec.child(`outputs[${i}]`));
    return { Name: f.string("Name") || DEFAULT_OUTPUT.Name, Path: f.string("path") || DEFAULT_OUTPUT.Path };
  });
}

function publisherSpec(spec: Fields): JsonObject | undefined {
  const raw = spec.raw("Publisher");
  // Later v1.x specs carry a PublisherSpec object instead of a bare name.
  const f = isObject(raw) ? Fields.of(raw, spec.child("Publisher")) : undefined;
  const name = f ? f.string("Type") : spec.string("Publisher");
  if (!name.trim()) return undefined;
  const type = PUBLISHERS.get(name.trim().toLowerCase());
  if (!type) {
    throw unsupported("Spec.Publisher", `unsupported legacy publisher '${name}'`, "use IPFS (or Noop)");
  }
  return { Type: type, Params: f && isObject(f.raw("Params")) ? f.raw("Params") : {} };
}

function network(spec: Fields): JsonObject {
  const f = Fields.of(spec.raw("Network"), spec.child("Network"));
  const out: JsonObject = { Type: f.string("Type") || "None" };
  const domains = f.stringArray("Domains");
  if (domains.length > 0) out.Domains = domains;
  return out;
}

/** v0.3 Timeout was float seconds; v1 timeouts are whole seconds. */
function timeoutSeconds(spec: Fields): number {
  const raw = spec.raw("Timeout");
  if (raw === undefined) return 0;
  if (typeof raw !== "number" || raw < 0) throw typeError(spec.child("Timeout"), "a non-negative number of seconds", raw);
  return Math.ceil(raw);
}
