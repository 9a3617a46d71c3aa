// The page's entry: navigation by the URL's hash, the token prompt, and
// each section's page.

import { h, replace } from "./dom.js";
import { mode, token, setToken, onUnauthorized, request } from "./api.js";
import { listPage } from "./workflows.js";

// workflowPage is workflow.js, loaded at the first workflow opened or in
// the background after the first page is shown (warm).
let workflowPage = null;
const loadWorkflowPage = async () => (workflowPage ??= await import("./workflow.js"));
const warm = () => { loadWorkflowPage().catch(() => {}); };

const main = document.getElementById("main");
const nav = document.getElementById("nav");

const sections = mode === "worker"
  ? [["#/", "Workflows"]]
  : [["#/", "Workflows"], ["#/jobs", "Jobs"], ["#/chat", "Chat"], ["#/assets", "Assets"]];

function drawNav(route) {
  replace(nav, h("ul", null, sections.map(([href, label]) => {
    const cur = href === "#/" ? route === "" || route.startsWith("w/") || route.startsWith("x/") : route.startsWith(href.slice(2));
    return h("li", null, h("a", { href, "aria-current": cur ? "page" : false }, label));
  }), token() ? h("li", null, h("button", { type: "button", class: "linklike", onclick: signOut }, "Forget token")) : null));
}

function signOut() {
  setToken("");
  route();
}

// tokenPage asks for the bearer token; it is kept in this tab's
// sessionStorage only and sent in the Authorization header.
function tokenPage(message) {
  const input = h("input", { id: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const err = h("p", { class: "error", role: "alert" }, message || "");
  const form = h("form", { class: "panel token-form" },
    h("h1", null, "Sign in"),
    h("p", null, mode === "worker"
      ? "This worker needs its bearer token (nodetool token --show prints it). It stays in this browser tab only."
      : "This server enforces tokens. Paste yours; it stays in this browser tab only."),
    h("div", { class: "field" }, h("label", { for: "token" }, "Token"), input), err,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Continue")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    try {
      await request("GET", mode === "worker" ? "/workflows?limit=1" : "/api/workflows?limit=1");
      route();
    } catch (ex) {
      setToken("");
      err.textContent = ex.status === 401 ? "That token was refused." : "The server did not answer: " + ex.message;
      input.focus();
    }
  });
  drawNav("");
  replace(main, form);
  input.focus();
}

let needToken = false;
onUnauthorized(() => { needToken = true; });

async function route() {
  const r = location.hash.replace(/^#\/?/, "");
  workflowPage?.leaveWorkflow();
  document.getElementById("toast").className = "";
  if (mode === "worker" && !token()) { tokenPage(); return; }
  drawNav(r);
  needToken = false;
  const parts = r.split("/").map(decodeURIComponent);
  try {
    if (parts[0] === "w" || parts[0] === "x") await (await loadWorkflowPage()).workflowPage(main, parts[0], parts.slice(1).join("/"));
    else if (parts[0] === "jobs" && mode !== "worker") await (await import("./jobs.js")).jobsPage(main);
    else if (parts[0] === "chat" && mode !== "worker") await (await import("./chat.js")).chatPage(main, parts[1] || "");
    else if (parts[0] === "assets" && mode !== "worker") await (await import("./assets.js")).assetsPage(main, parts[1] || "");
    else await listPage(main);
    document.title = (main.querySelector("h1")?.textContent || "") + " · NodeTool";
  } catch (err) {
    if (needToken || err.status === 401) { const had = token(); setToken(""); tokenPage(had ? "That token was refused." : ""); return; }
    replace(main, h("h1", null, "Something went wrong"), h("p", { class: "error", role: "alert" }, err.message),
      h("p", null, h("a", { href: "#/" }, "Back to the workflows")));
  }
}

window.addEventListener("hashchange", () => { route(); main.focus({ preventScroll: true }); });
route();
