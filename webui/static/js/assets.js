// Assets: browse folders, upload (file picker or drag and drop), preview
// images, audio, video and text, create folders, delete.

import { h, replace, toast, fmtBytes } from "./dom.js";
import { getJSON, sendJSON, request, mediaURL, localURL } from "./api.js";
import { uploadAsset } from "./form.js";

const enc = encodeURIComponent;

export async function assetsPage(main, folder) {
  const listing = await getJSON("/api/assets" + (folder ? "?parent_id=" + enc(folder) : ""));
  const trail = folder ? await crumbs(folder) : [];
  const items = listing.assets.slice().sort((a, b) => (b.content_type === "folder") - (a.content_type === "folder") || a.name.localeCompare(b.name));
  const parent = folder || "";
  const preview = h("section", { class: "panel preview", "aria-label": "Preview", "aria-live": "polite" }, h("p", { class: "muted" }, "Choose a file to preview it."));
  const fileIn = h("input", { type: "file", id: "asset-file", multiple: true });
  const drop = h("div", { class: "drop" }, h("p", null, "Drop files here to upload them to this folder, or"),
    h("div", { class: "field" }, h("label", { for: "asset-file" }, "Upload files"), fileIn));
  const upload = async (files) => {
    for (const f of files) {
      try { await uploadAsset(f, parent); toast("Uploaded " + f.name); } catch (err) { toast(`Upload of ${f.name} failed: ${err.message}`, "error"); }
    }
    assetsPage(main, folder);
  };
  fileIn.addEventListener("change", () => upload([...fileIn.files]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); upload([...e.dataTransfer.files]); });

  const folderName = h("input", { id: "folder-name", type: "text", required: true });
  const newFolder = h("form", { class: "inline" }, h("label", { for: "folder-name" }, "New folder"), folderName, h("button", { type: "submit" }, "Create"));
  newFolder.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fd = new FormData();
    fd.append("json", JSON.stringify({ name: folderName.value, content_type: "folder", parent_id: parent || undefined }));
    try { await request("POST", "/api/assets", { body: fd }); assetsPage(main, folder); } catch (err) { toast(err.message, "error"); }
  });

  const list = h("ul", { class: "assets", "aria-label": "Files and folders" }, items.map((a) => {
    const isFolder = a.content_type === "folder";
    const del = h("button", { type: "button", class: "danger", "aria-label": "Delete " + a.name }, "Delete");
    del.addEventListener("click", async () => {
      if (!confirm(`Delete ${a.name}${isFolder ? " and everything in it" : ""}?`)) return;
      try { await sendJSON("DELETE", "/api/assets/" + enc(a.id)); toast("Deleted " + a.name); assetsPage(main, folder); } catch (err) { toast(err.message, "error"); }
    });
    const open = isFolder
      ? h("a", { href: "#/assets/" + enc(a.id) }, "📁 " + a.name)
      : h("button", { type: "button", class: "linklike", onclick: () => show(preview, a) }, a.name);
    return h("li", null, open, h("span", { class: "muted" }, isFolder ? "folder" : `${a.content_type} · ${fmtBytes(a.size)}`), del);
  }));

  replace(main, h("h1", null, "Assets"),
    h("nav", { class: "crumbs", "aria-label": "Folder" }, h("a", { href: "#/assets" }, "Home"), trail.map((c) => [" / ", h("a", { href: "#/assets/" + enc(c.id) }, c.name)])),
    drop, newFolder,
    h("div", { class: "assets-layout" }, h("section", { class: "panel" }, items.length ? list : h("p", { class: "muted" }, "This folder is empty.")), preview));
}

// crumbs lists the folders from home down to id.
async function crumbs(id) {
  const out = [];
  for (let i = 0; id && i < 20; i++) {
    let a;
    try { a = await getJSON("/api/assets/" + enc(id)); } catch { break; }
    if (a.content_type !== "folder" || !a.parent_id || a.id === a.parent_id) break;
    out.unshift(a);
    id = a.parent_id;
  }
  return out;
}

async function show(panel, a) {
  const url = a.get_url;
  let body;
  const t = a.content_type || "";
  if (t.startsWith("image/")) body = h("img", { class: "media", alt: a.name });
  else if (t.startsWith("audio/")) body = h("audio", { controls: true, class: "media", "aria-label": a.name });
  else if (t.startsWith("video/")) body = h("video", { controls: true, class: "media", "aria-label": a.name });
  else if (t.startsWith("text/") || t === "application/json") {
    body = h("pre", { class: "text" }, "…");
    request("GET", localURL(url), { headers: { Range: "bytes=0-65535" } }).then((r) => r.text()).then((x) => { body.textContent = x; }).catch(() => {});
  } else body = h("p", { class: "muted" }, "No preview for " + t);
  if (body.tagName !== "PRE" && body.tagName !== "P") mediaURL(url).then((u) => body.setAttribute("src", u)).catch(() => {});
  replace(panel, h("h2", null, a.name), body,
    h("p", null, h("a", { href: localURL(url), download: a.name }, "Download")));
}
