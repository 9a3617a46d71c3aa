// The workflows list (search by name, description and tags), the first
// page: it imports only dom.js and api.js, so the first load fetches four
// small modules; a workflow's page (workflow.js) and what it needs load on
// demand, and in the background once the list is shown.

import { h, replace } from "./dom.js";
import { getJSON, mode } from "./api.js";

const enc = encodeURIComponent;

async function listAll() {
  if (mode === "worker") {
    const r = await getJSON("/workflows");
    return r.workflows.map((w) => ({ ...w, route: "#/w/" + enc(w.id) }));
  }
  const [mine, ex] = await Promise.all([getJSON("/api/workflows?limit=500"), getJSON("/api/workflows/examples")]);
  return [
    ...mine.workflows.map((w) => ({ ...w, route: "#/w/" + enc(w.id) })),
    ...ex.workflows.map((w) => ({ ...w, example: true, route: "#/x/" + enc(w.id) })),
  ];
}

export async function listPage(main) {
  const search = h("input", { type: "search", id: "wf-search", placeholder: "Name, description or tag", autocomplete: "off" });
  const list = h("ul", { class: "cards", "aria-label": "Workflows" });
  const count = h("p", { class: "muted", "aria-live": "polite" });
  replace(main, h("h1", null, "Workflows"),
    h("div", { class: "field search" }, h("label", { for: "wf-search" }, "Search workflows"), search), count, list);
  const all = await listAll();
  const show = () => {
    const q = search.value.trim().toLowerCase();
    const hits = all.filter((w) => !q || [w.name, w.description, ...(w.tags || [])].some((t) => String(t ?? "").toLowerCase().includes(q)));
    replace(list, hits.map((w) => h("li", { class: "card" },
      h("a", { href: w.route }, w.name || w.id),
      w.example ? h("span", { class: "badge" }, "example") : null,
      w.description ? h("p", null, w.description) : null,
      w.tags?.length ? h("p", { class: "tags" }, w.tags.map((t) => h("span", { class: "tag" }, t))) : null)));
    count.textContent = `${hits.length} of ${all.length} workflows`;
  };
  search.addEventListener("input", show);
  show();
  search.focus();
}
