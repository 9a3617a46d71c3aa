// Recent jobs: status, start, duration, and a link back to the workflow
// (whose page reconnects to a job this tab started, or shows its results).

import { h, replace, fmtTime, fmtDuration } from "./dom.js";
import { getJSON } from "./api.js";

export async function jobsPage(main) {
  const [jobs, examples] = await Promise.all([getJSON("/api/jobs?limit=100"), getJSON("/api/workflows/examples")]);
  const exampleIds = new Set(examples.workflows.map((w) => w.id));
  const rows = jobs.jobs.slice().sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
  const href = (j) => (exampleIds.has(j.workflow_id) ? "#/x/" : "#/w/") + encodeURIComponent(j.workflow_id);
  const dur = (j) => {
    if (!j.finished_at) return "";
    const ms = Date.parse(j.finished_at + (j.finished_at.endsWith("Z") ? "" : "Z")) - Date.parse(j.started_at + (j.started_at.endsWith("Z") ? "" : "Z"));
    return isNaN(ms) ? "" : fmtDuration(ms / 1000);
  };
  replace(main, h("h1", null, "Jobs"),
    h("p", null, h("button", { type: "button", onclick: () => jobsPage(main) }, "Refresh")),
    rows.length ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Jobs" }, h("table", null,
      h("thead", null, h("tr", null, ["Job", "Workflow", "Status", "Started", "Duration", "Error"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", null, rows.map((j) => h("tr", null,
        h("td", null, h("code", null, j.id)),
        h("td", null, h("a", { href: href(j) }, j.workflow_id)),
        h("td", null, h("span", { class: "pill", "data-state": j.status }, j.status)),
        h("td", null, fmtTime(j.started_at)),
        h("td", null, dur(j)),
        h("td", { class: "error" }, j.error || "")))))) : h("p", { class: "muted" }, "No jobs yet."));
}
