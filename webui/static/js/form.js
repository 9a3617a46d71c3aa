// The input form of a workflow: one labelled, typed control per input
// node, named by the input's name.

import { h } from "./dom.js";
import { mode, request } from "./api.js";

const MEDIA_INPUTS = { ImageInput: "image", AudioInput: "audio", VideoInput: "video", DocumentInput: "document" };
const ACCEPT = { image: "image/*", audio: "audio/*", video: "video/*", document: "" };

export function inputNodes(graph) {
  return (graph?.nodes || []).filter((n) => String(n.type).startsWith("nodetool.input.") && n.data?.name);
}

let seq = 0;

// buildForm returns {el, values()} for the workflow's inputs; values()
// resolves to the params object (uploading files first).
export function buildForm(graph, onSubmit) {
  const fields = [];
  const form = h("form", { class: "inputs", "aria-label": "Inputs" });
  for (const n of inputNodes(graph)) {
    const kind = String(n.type).split(".").pop();
    const name = n.data.name;
    const id = "in-" + ++seq;
    const desc = typeof n.data.description === "string" && n.data.description ? n.data.description : "";
    const descId = desc ? id + "-d" : false;
    const v = n.data.value;
    let control, read;
    const common = { id, name, "aria-describedby": descId };
    if (kind === "IntegerInput" || kind === "FloatInput") {
      control = h("input", { ...common, type: "number", step: kind === "IntegerInput" ? "1" : "any",
        min: isFinite(n.data.min) ? n.data.min : false, max: isFinite(n.data.max) ? n.data.max : false, value: v ?? 0 });
      read = () => (control.value === "" ? null : Number(control.value));
    } else if (kind === "BooleanInput") {
      control = h("input", { ...common, type: "checkbox", checked: !!v });
      read = () => control.checked;
    } else if (kind === "SelectInput" && Array.isArray(n.data.options)) {
      control = h("select", common, n.data.options.map((o) => h("option", { value: String(o), selected: o === v }, String(o))));
      read = () => control.value;
    } else if (kind === "StringListInput" || kind === "TextListInput") {
      control = h("textarea", { ...common, rows: 3, value: Array.isArray(v) ? v.join("\n") : "" });
      read = () => control.value.split("\n").filter((x) => x !== "");
    } else if (MEDIA_INPUTS[kind]) {
      const type = MEDIA_INPUTS[kind];
      control = h("input", { ...common, type: "file", accept: ACCEPT[type] || false });
      read = async () => {
        const f = control.files?.[0];
        if (!f) return v ?? { type, uri: "" };
        return { type, ...(await uploadInput(f)) };
      };
    } else if (kind === "StringInput" || kind === "FilePathInput" || kind === "FolderPathInput" || kind === "DocumentFileInput") {
      const multi = n.data.line_mode === "multiline";
      control = h(multi ? "textarea" : "input", { ...common, type: multi ? false : "text", value: typeof v === "string" ? v : "",
        maxlength: n.data.max_length > 0 ? n.data.max_length : false });
      read = () => control.value;
    } else {
      control = h("textarea", { ...common, rows: 3, class: "json", value: JSON.stringify(v ?? null, null, 2) });
      read = () => JSON.parse(control.value);
    }
    fields.push({ name, read });
    const isCheck = control.type === "checkbox";
    form.append(h("div", { class: "field" + (isCheck ? " check" : "") },
      isCheck ? [control, h("label", { for: id }, name)] : [h("label", { for: id }, name), control],
      desc ? h("small", { id: descId, class: "muted" }, desc) : null));
  }
  if (!fields.length) form.append(h("p", { class: "muted" }, "This workflow takes no inputs."));
  form.addEventListener("submit", (e) => { e.preventDefault(); onSubmit(); });
  return {
    el: form,
    async values() {
      const out = {};
      for (const f of fields) {
        try { out[f.name] = await f.read(); } catch (err) { throw new Error(`input ${f.name}: ${err.message}`); }
      }
      return out;
    },
  };
}

// uploadInput stores a file for a media input: an asset on the editor, a
// data: URI on the worker (which has no assets).
async function uploadInput(file) {
  if (mode === "worker") {
    const uri = await new Promise((res, rej) => {
      const r = new FileReader();
      r.onload = () => res(r.result);
      r.onerror = () => rej(r.error);
      r.readAsDataURL(file);
    });
    return { uri };
  }
  const a = await uploadAsset(file, "");
  return { uri: a.get_url, asset_id: a.id };
}

// uploadAsset creates an asset from file in the folder parent ("" is home).
export async function uploadAsset(file, parent) {
  const fd = new FormData();
  const meta = { name: file.name, content_type: file.type || "application/octet-stream" };
  if (parent) meta.parent_id = parent;
  fd.append("json", JSON.stringify(meta));
  fd.append("file", file, file.name);
  return (await request("POST", "/api/assets", { body: fd })).json();
}
