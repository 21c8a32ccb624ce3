/**
 * The API's users (`API.Auth.Users`, Bacalhau 1.7+): each has a username and password (basic auth)
 * or an API key (bearer), and the capabilities it is granted (`read:job`, `write:*`, `*`...).
 * Secrets are kept only as SHA-256 digests and compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { BacalhauError } from "../../models/errors.ts";

export interface AuthUser {
  /** How logs and errors name the user: Alias, else Username, else the API key's last characters. */
  name: string;
  username?: string;
  actions: string[];
}

export interface UserStore {
  users: AuthUser[];
  byApiKey(key: string): AuthUser | undefined;
  byPassword(username: string, password: string): AuthUser | undefined;
}

interface Entry {
  user: AuthUser;
  digest: Uint8Array;
}

const ACTION = /^(\*|(read|write):(\*|job|node|agent))$/;
// Bacalhau's bounds on secrets.
const MIN_PASSWORD = 10;
const MIN_API_KEY = 20;
const MAX_SECRET = 255;

export function digest(secret: string): Uint8Array {
  return createHash("sha256").update(secret, "utf8").digest();
}

const bad = (i: number, field: string, message: string, hint?: string) =>
  BacalhauError.badRequest(`API.Auth.Users[${i}].${field}: ${message}`, {
    component: "Auth",
    details: { field: `API.Auth.Users[${i}].${field}` },
    ...(hint ? { hint } : {}),
  });

function str(o: Record<string, unknown>, key: string): string {
  const found = Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase());
  const v = found === undefined ? undefined : o[found];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

function actionsOf(o: Record<string, unknown>, i: number): string[] {
  const key = Object.keys(o).find((k) => k.toLowerCase() === "capabilities");
  const caps = key === undefined ? undefined : o[key];
  if (!Array.isArray(caps) || caps.length === 0) {
    throw bad(i, "Capabilities", "no capabilities defined", 'add e.g. Capabilities: [{Actions: ["read:*"]}]');
  }
  const out: string[] = [];
  caps.forEach((cap, j) => {
    const obj = cap && typeof cap === "object" ? cap as Record<string, unknown> : {};
    const akey = Object.keys(obj).find((k) => k.toLowerCase() === "actions");
    const actions = akey === undefined ? undefined : obj[akey];
    if (!Array.isArray(actions)) throw bad(i, `Capabilities[${j}].Actions`, "must be a list of actions");
    for (const a of actions) {
      if (typeof a !== "string" || !ACTION.test(a.trim())) {
        throw bad(i, `Capabilities[${j}].Actions`, `unknown action ${JSON.stringify(a)}`,
          "use *, read:*, write:*, or read|write with job, node or agent (e.g. read:job)");
      }
      out.push(a.trim());
    }
  });
  return out;
}

/** Checks `API.Auth.Users` as Bacalhau does (one method per user, lengths, duplicates) and keeps digests only. */
export function compileUsers(raw: unknown): UserStore {
  const list = raw === undefined || raw === null || raw === "" ? [] : raw;
  if (!Array.isArray(list)) {
    throw BacalhauError.badRequest("API.Auth.Users must be a list of users", {
      component: "Auth",
      details: { field: "API.Auth.Users" },
      hint: "in config.yaml: API: {Auth: {Users: [{Username: ..., Password: ..., Capabilities: [{Actions: [\"*\"]}]}]}}",
    });
  }
  const keyed: Entry[] = [];
  const basic = new Map<string, Entry>();
  const seenKeys = new Set<string>();
  const users: AuthUser[] = [];
  list.forEach((item, i) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) throw bad(i, "", "each user must be an object");
    const o = item as Record<string, unknown>;
    const alias = str(o, "Alias");
    const username = str(o, "Username").trim();
    const password = str(o, "Password");
    const apiKey = str(o, "APIKey");
    const hasBasic = username !== "" || password !== "";
    if (hasBasic && apiKey) throw bad(i, "APIKey", "a user has either Username/Password or APIKey, not both");
    if (!hasBasic && !apiKey) throw bad(i, "APIKey", "a user needs Username and Password, or an APIKey");
    const actions = actionsOf(o, i);
    if (apiKey) {
      if (apiKey.length < MIN_API_KEY || apiKey.length > MAX_SECRET) {
        throw bad(i, "APIKey", `must be ${MIN_API_KEY} to ${MAX_SECRET} characters long`);
      }
      const d = Buffer.from(digest(apiKey)).toString("hex");
      if (seenKeys.has(d)) throw bad(i, "APIKey", "the same API key is given twice");
      seenKeys.add(d);
      const user: AuthUser = { name: alias || `API key ending in ...${apiKey.slice(-5)}`, actions };
      keyed.push({ user, digest: digest(apiKey) });
      users.push(user);
      return;
    }
    if (!/^[a-zA-Z0-9]{1,100}$/.test(username)) {
      throw bad(i, "Username", "must be 1 to 100 letters or digits");
    }
    if (/^\$2[aby]\$\d\d\$/.test(password)) {
      throw bad(i, "Password", "bcrypt password hashes are not supported by this node",
        "give the password itself; the node keeps only its SHA-256 digest in memory");
    }
    if (password.length < MIN_PASSWORD || password.length > MAX_SECRET) {
      throw bad(i, "Password", `must be ${MIN_PASSWORD} to ${MAX_SECRET} characters long`);
    }
    const lower = username.toLowerCase();
    if (basic.has(lower)) throw bad(i, "Username", `duplicate username ${username} (usernames ignore case)`);
    const user: AuthUser = { name: alias || username, username, actions };
    basic.set(lower, { user, digest: digest(password) });
    users.push(user);
  });
  return {
    users,
    byApiKey(key) {
      const d = digest(key);
      let found: AuthUser | undefined;
      // Every key is compared, so the time taken does not tell which one came close.
      for (const e of keyed) if (timingSafeEqual(e.digest, d) && !found) found = e.user;
      return found;
    },
    byPassword(username, password) {
      const e = basic.get(username.toLowerCase());
      const d = digest(password);
      // A missing user still costs one comparison.
      const ok = timingSafeEqual(e?.digest ?? DUMMY, d);
      return e && ok ? e.user : undefined;
    },
  };
}

const DUMMY = digest("");
