// IPFS: add a file or a folder to the node's IPFS (pinned there), list its pins, open a CID.
import { getJSON, request } from "../api.js";
import { bytes, fill, field, h, notice, saveBlob } from "../dom.js";
import { packTarGz, readTarGz } from "../tar.js";

/** Printable when it decodes as UTF-8 without control characters other than whitespace. */
function asText(data) {
  try {
    const s = new TextDecoder("utf-8", { fatal: true }).decode(data);
    return /[\0-\x08\x0e-\x1f]/.test(s) ? undefined : s;
  } catch {
    return undefined;
  }
}

async function openCid(cid, out) {
  fill(out, notice(`Fetching ${cid}…`));
  const res = await request(`/api/v1/ipfs/get/${encodeURIComponent(cid)}`);
  const kind = res.headers.get("X-Bacalhau-IPFS-Kind") ?? "";
  const blob = await res.blob();
  const entries = await readTarGz(blob);
  fill(out,
    h("h3", {}, h("span", { class: "mono" }, cid), kind ? ` (${kind})` : ""),
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => saveBlob(blob, `${cid}.tar.gz`) }, "Download as .tar.gz")),
    h("div", { class: "table-wrap" }, h("table", { id: "cid-entries" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Path"), h("th", { scope: "col" }, "Size"))),
      h("tbody", {}, entries.map((e) => h("tr", {},
        h("td", { class: "mono" }, e.name + (e.type === "dir" ? "/" : "")),
        h("td", {}, e.type === "file" ? bytes(e.size) : "")))))),
    entries.filter((e) => e.data && asText(e.data) !== undefined).slice(0, 5).map((e) =>
      h("div", {}, h("h4", {}, e.name), h("pre", { class: "preview", tabindex: 0, "aria-label": `Content of ${e.name}` }, asText(e.data)))));
}

export async function render(main, { params }, signal) {
  const status = h("div", { "aria-live": "polite", id: "ipfs-status" });
  const pins = h("ul", { id: "pins", class: "mono" });
  const opened = h("div", { id: "cid-view" });

  const file = h("input", { type: "file", name: "file" });
  const folder = h("input", { type: "file", name: "folder", webkitdirectory: true, multiple: true });
  const addForm = (id, title, input, kind) => {
    const form = h("form", { id, "aria-label": `Add a ${kind === "file" ? "file" : "folder"}` }, field(title, input),
      h("div", { class: "actions" }, h("button", { type: "submit", "data-write": true }, kind === "file" ? "Add file" : "Add folder")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const files = [...input.files];
      if (!files.length) return fill(status, notice(`Choose a ${kind === "file" ? "file" : "folder"} first.`, "error"));
      try {
        fill(status, notice("Adding…"));
        // A folder's entries go at the archive's root: the CID is the folder's own.
        const entries = kind === "file"
          ? [{ name: files[0].name, file: files[0] }]
          : files.map((f) => ({ name: (f.webkitRelativePath || f.name).split("/").slice(1).join("/") || f.name, file: f }));
        const body = await packTarGz(entries);
        const res = await request(`/api/v1/ipfs/add?kind=${kind}`, { method: "POST", body, headers: { "Content-Type": "application/gzip" } });
        const { CID } = await res.json();
        fill(status, notice("Added and pinned: ", "ok"));
        status.firstChild.append(h("a", { href: `#/ipfs?cid=${encodeURIComponent(CID)}`, class: "mono", id: "added-cid" }, CID));
        form.reset();
        await loadPins();
      } catch (err) {
        fill(status, notice(`Not added: ${err.message}`, "error"));
      }
    });
    return form;
  };

  const cidInput = h("input", { name: "cid", value: params.get("cid") ?? "", placeholder: "bafy…", required: true });
  const openForm = h("form", { id: "open-form", role: "search", "aria-label": "Open a CID", class: "row" },
    field("CID", cidInput), h("div", { class: "field" }, h("button", { type: "submit" }, "Open")));
  openForm.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/ipfs?cid=${encodeURIComponent(cidInput.value.trim())}`;
  });

  const loadPins = async () => {
    const { Items } = await getJSON("/api/v1/ipfs/pins");
    if (signal.aborted) return;
    fill(pins, Items.length
      ? Items.map((p) => h("li", {}, h("a", { href: `#/ipfs?cid=${encodeURIComponent(p.CID)}` }, p.CID)))
      : h("li", {}, "Nothing pinned yet."));
  };

  fill(main, h("h1", {}, "IPFS"), status,
    h("div", { class: "grid" },
      h("section", { "aria-labelledby": "add-title", "data-write": true },
        h("h2", { id: "add-title" }, "Add"),
        addForm("add-file", "File", file, "file"),
        addForm("add-folder", "Folder", folder, "dir")),
      h("section", { "aria-labelledby": "open-title" }, h("h2", { id: "open-title" }, "Open a CID"), openForm)),
    h("section", { "aria-labelledby": "view-title", hidden: !params.get("cid") }, h("h2", { id: "view-title" }, "Content"), opened),
    h("section", { "aria-labelledby": "pins-title" }, h("h2", { id: "pins-title" }, "Pinned here"), pins));

  try {
    await loadPins();
  } catch (err) {
    fill(pins, h("li", {}, err.status === 404 ? "This node runs no IPFS (start it with --private-internal-ipfs)." : err.message));
  }
  const cid = params.get("cid");
  if (cid) await openCid(cid, opened).catch((err) => fill(opened, notice(`Cannot open ${cid}: ${err.message}`, "error")));
}
