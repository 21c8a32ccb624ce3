/**
 * Bacalhau's opaque `next_token`: base64url (no padding) of `<SortBy>:<Y|N>:<Limit>:<Offset>`.
 * A token, when present, overrides the request's order_by, reverse and limit.
 *
 * @example
 * ```ts
 * const token = encodePagingToken({ sortBy: "created_at", reverse: false, limit: 10, offset: 10 });
 * decodePagingToken(token).offset; // 10
 * ```
 */
import { BacalhauError } from "./errors.ts";

export interface PagingToken {
  sortBy: string;
  reverse: boolean;
  limit: number;
  offset: number;
}

export function encodePagingToken(t: PagingToken): string {
  const text = `${t.sortBy}:${t.reverse ? "Y" : "N"}:${t.limit}:${t.offset}`;
  return base64UrlEncode(new TextEncoder().encode(text));
}

/** Throws a 400 (field `next_token`) when the token is not one of ours. */
export function decodePagingToken(token: string): PagingToken {
  const bad = () =>
    BacalhauError.badRequest(`invalid paging token '${token}'`, {
      hint: "pass back the NextToken of a previous response unchanged",
      details: { field: "next_token" },
    });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(base64UrlDecode(token));
  } catch {
    throw bad();
  }
  const parts = text.split(":");
  if (parts.length !== 4) throw bad();
  const [sortBy = "", rev, limit = "", offset = ""] = parts;
  if ((rev !== "Y" && rev !== "N") || !/^\d+$/.test(limit) || !/^\d+$/.test(offset)) throw bad();
  return { sortBy, reverse: rev === "Y", limit: Number(limit), offset: Number(offset) };
}

function base64UrlEncode(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error("not base64url");
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
