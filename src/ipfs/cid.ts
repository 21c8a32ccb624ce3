/** Reading CIDs that users and jobs hand us, with errors that say what was wrong. */
import { CID } from "multiformats/cid";
import { BacalhauError } from "../models/errors.ts";

/** The CID in `text`, or a reason it is not one. Accepts a bare CID or an `ipfs://` / `/ipfs/` prefix. */
export function tryParseCid(text: string): CID | string {
  const bare = text.trim().replace(/^ipfs:\/\//, "").replace(/^\/ipfs\//, "").replace(/\/+$/, "");
  if (bare === "") return "a CID is required, e.g. bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
  if (bare.includes("/")) return `"${text}" names a path inside a CID; give the CID of the file or folder itself`;
  try {
    return CID.parse(bare);
  } catch {
    return `"${text}" is not a valid CID (expected a base32 CIDv1 such as bafy… or a base58 CIDv0 such as Qm…)`;
  }
}

export function parseCid(text: string, component = "IPFS"): CID {
  const cid = tryParseCid(text);
  if (typeof cid === "string") throw BacalhauError.validation(cid, { component });
  return cid;
}

/**
 * A block's identity: its multihash. A CIDv0 link and a CIDv1 of the same bytes (or the same bytes
 * under another codec) are one block, stored in one file.
 */
export const blockKey = (cid: CID): string => Buffer.from(cid.multihash.bytes).toString("base64");
