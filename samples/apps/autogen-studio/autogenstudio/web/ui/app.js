// AutoGen Studio front end: plain JavaScript, no build step. Talks to the JSON API under /api.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (response.status === 401) location.reload(); // the token is gone (Studio restarted): the server asks for it
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const detail = data && data.detail ? (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail)) : response.statusText;
    throw new Error(detail);
  }
  return data;
}

function notice(text) {
  const box = $("#notice");
  box.textContent = text;
  box.classList.toggle("hidden", !text);
}

// ---------------------------------------------------------------------------------------------- views --
document.querySelectorAll("header .tab").forEach((tab) => tab.addEventListener("click", () => showView(tab.dataset.view)));

function showView(name) {
  document.querySelectorAll("header .tab").forEach((t) => t.classList.toggle("active", t.dataset.view === name));
  document.querySelectorAll(".view").forEach((v) => v.classList.toggle("hidden", v.id !== "view-" + name));
  if (name === "build") loadBuild();
  if (name === "playground") loadPlayground();
  if (name === "gallery") loadGallery();
}

// ---------------------------------------------------------------------------------------------- build --
const FIELDS = {
  skills: [
    { name: "name", label: "Function name", type: "text" },
    { name: "description", label: "Description", type: "text" },
    { name: "content", label: "Python code (functions with docstrings)", type: "code" },
  ],
  models: [
    { name: "model", label: "Model name", type: "text" },
    { name: "api_key", label: "API key", type: "password" },
    { name: "base_url", label: "Base URL", type: "text" },
    { name: "api_type", label: "API type", type: "select", options: ["openai", "azure"] },
    { name: "api_version", label: "API version (Azure)", type: "text" },
    { name: "description", label: "Description", type: "text" },
  ],
  agents: [
    { name: "name", label: "Name", type: "text" },
    { name: "type", label: "Type", type: "select", options: ["assistant", "userproxy"] },
    { name: "description", label: "Description", type: "text" },
    { name: "system_message", label: "System message", type: "textarea" },
    { name: "human_input_mode", label: "Human input mode", type: "select", options: ["NEVER", "TERMINATE", "ALWAYS"] },
    { name: "max_consecutive_auto_reply", label: "Max consecutive auto replies", type: "number", default: 10 },
    { name: "code_execution", label: "Executes code", type: "checkbox" },
    { name: "model_ids", label: "Models", type: "multi", source: "models" },
    { name: "skill_ids", label: "Skills", type: "multi", source: "skills" },
  ],
  workflows: [
    { name: "name", label: "Name", type: "text" },
    { name: "description", label: "Description", type: "text" },
    { name: "type", label: "Type", type: "select", options: ["twoagents", "groupchat"] },
    { name: "sender_id", label: "Sender (initiates the chat)", type: "ref", source: "agents" },
    { name: "receiver_id", label: "Receiver (two-agent workflow)", type: "ref", source: "agents", optional: true },
    { name: "agent_ids", label: "Group chat agents", type: "multi", source: "agents" },
    { name: "speaker_selection_method", label: "Speaker selection", type: "select", options: ["auto", "round_robin", "random", "manual"] },
    { name: "max_round", label: "Max rounds", type: "number", default: 10 },
    { name: "summary_method", label: "Final answer", type: "select", options: ["last_msg", "reflection_with_llm"] },
  ],
};
const LABEL = { skills: "skill", models: "model", agents: "agent", workflows: "workflow" };
const state = { kind: "skills", items: [], current: null, refs: {}, session: null, socket: null, formEpoch: 0 };

document.querySelectorAll(".subtab").forEach((b) => b.addEventListener("click", () => {
  state.kind = b.dataset.kind;
  document.querySelectorAll(".subtab").forEach((x) => x.classList.toggle("active", x === b));
  state.current = null;
  loadBuild();
}));

function itemLabel(kind, item) {
  if (kind === "models") return item.model;
  return item.name;
}

// withForm=false refreshes the lists only, leaving what the user is typing alone
async function loadBuild(withForm = true) {
  const epoch = state.formEpoch;
  state.items = await api("GET", "/api/" + state.kind);
  for (const source of ["models", "skills", "agents"]) state.refs[source] = await api("GET", "/api/" + source);
  const list = $("#item-list");
  list.replaceChildren(...state.items.map((item) => el("li", {
    class: state.current && state.current.id === item.id ? "active" : "",
    "data-id": item.id,
    onclick: () => { state.current = item; renderForm(); loadBuild(false); },
  }, itemLabel(state.kind, item), el("small", {}, item.description || ""))));
  if (withForm && epoch === state.formEpoch) renderForm(); // not over a form the user opened meanwhile
}

function renderForm() {
  state.formEpoch += 1;
  const kind = state.kind;
  const item = state.current || {};
  $("#form-title").textContent = (state.current ? "Edit " : "New ") + LABEL[kind];
  $("#form-error").classList.add("hidden");
  $("#form-output").classList.add("hidden");
  $("#delete-item").classList.toggle("hidden", !state.current);
  $("#test-model").classList.toggle("hidden", !(state.current && kind === "models"));
  $("#export-workflow").classList.toggle("hidden", !(state.current && kind === "workflows"));
  $("#import-workflow").classList.toggle("hidden", kind !== "workflows");
  const form = $("#item-form");
  form.replaceChildren(...FIELDS[kind].map((f) => field(f, item[f.name])));
  if (kind === "workflows") {
    $("#field-type").addEventListener("change", () => graphPanel(item));
  }
  graphPanel(item);
}

// group chats are edited as a graph: the panel replaces the "Group chat agents" list
function graphPanel(item) {
  const panel = $("#graph-panel");
  const on = state.kind === "workflows" && $("#field-type") && $("#field-type").value === "groupchat";
  panel.classList.toggle("hidden", !on);
  const list = document.getElementById("field-agent_ids");
  if (list) list.closest("label").classList.toggle("hidden", on);
  if (!on) { Builder.unmount(); return; }
  const chosen = Array.from(list.selectedOptions).map((o) => Number(o.value));
  Builder.mount(panel, state.refs.agents || [], chosen.length ? chosen : (item.agent_ids || []), item.transitions || []);
}

function field(f, value) {
  const id = "field-" + f.name;
  if (value === undefined || value === null) value = f.default !== undefined ? f.default : "";
  let input;
  if (f.type === "textarea" || f.type === "code") {
    input = el("textarea", { id, name: f.name, rows: f.type === "code" ? 14 : 4, class: f.type === "code" ? "code" : "", spellcheck: "false" });
    input.value = value;
  } else if (f.type === "select") {
    input = el("select", { id, name: f.name }, ...f.options.map((o) => el("option", { value: o, selected: o === value }, o)));
  } else if (f.type === "checkbox") {
    input = el("input", { id, name: f.name, type: "checkbox", checked: !!value });
    return el("label", {}, input, " " + f.label);
  } else if (f.type === "multi" || f.type === "ref") {
    const chosen = f.type === "multi" ? (value || []) : [value];
    const options = (state.refs[f.source] || []).map((r) => el("option", { value: r.id, selected: chosen.includes(r.id) }, itemLabel(f.source, r)));
    if (f.type === "ref") options.unshift(el("option", { value: "" }, f.optional ? "(none)" : "(choose)"));
    input = el("select", { id, name: f.name, multiple: f.type === "multi" }, ...options);
  } else {
    input = el("input", { id, name: f.name, type: f.type, value });
  }
  return el("label", {}, f.label, input);
}

function readForm() {
  const data = {};
  for (const f of FIELDS[state.kind]) {
    const input = document.getElementById("field-" + f.name);
    if (f.type === "checkbox") data[f.name] = input.checked;
    else if (f.type === "number") data[f.name] = input.value === "" ? undefined : Number(input.value);
    else if (f.type === "multi") data[f.name] = Array.from(input.selectedOptions).map((o) => Number(o.value));
    else if (f.type === "ref") data[f.name] = input.value === "" ? null : Number(input.value);
    else data[f.name] = input.value === "" && (f.name === "api_key" || f.name === "base_url" || f.name === "api_version") ? null : input.value;
  }
  if (state.kind === "workflows") {
    data.transitions = [];
    if (data.type === "groupchat" && Builder.active()) Object.assign(data, Builder.value());
  }
  return data;
}

function formError(message) {
  const box = $("#form-error");
  box.textContent = message || "";
  box.classList.toggle("hidden", !message);
}

$("#new-item").addEventListener("click", () => { state.current = null; renderForm(); loadBuild(false); });

$("#save-item").addEventListener("click", async () => {
  try {
    const data = readForm();
    const saved = state.current
      ? await api("PUT", `/api/${state.kind}/${state.current.id}`, data)
      : await api("POST", `/api/${state.kind}`, data);
    state.current = saved;
    await loadBuild();
    notice(`Saved ${LABEL[state.kind]} "${itemLabel(state.kind, saved)}".`);
  } catch (e) {
    formError(e.message);
  }
});

$("#delete-item").addEventListener("click", async () => {
  if (!state.current) return;
  try {
    await api("DELETE", `/api/${state.kind}/${state.current.id}`);
    state.current = null;
    await loadBuild();
  } catch (e) { formError(e.message); }
});

$("#test-model").addEventListener("click", async () => {
  const out = $("#form-output");
  out.textContent = "Testing...";
  out.classList.remove("hidden");
  try {
    const r = await api("POST", `/api/models/${state.current.id}/test`);
    out.textContent = r.ok ? "OK: " + r.reply : "Failed: " + r.error;
  } catch (e) { out.textContent = "Failed: " + e.message; }
});

// a workflow travels as one JSON file holding its agents, skills and models (never API keys)
$("#export-workflow").addEventListener("click", () => {
  const link = el("a", { href: `/api/workflows/${state.current.id}/export?download=true`, download: "" });
  document.body.append(link);
  link.click();
  link.remove();
});

$("#import-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (!file) return;
  try {
    const created = await api("POST", "/api/workflows/import", JSON.parse(await file.text()));
    state.current = created;
    await loadBuild();
    notice(`Imported workflow "${created.name}" with its agents, skills and models.`);
  } catch (err) { formError(`import of ${file.name} failed: ${err.message}`); }
});

// ----------------------------------------------------------------------------------------- playground --
async function loadPlayground() {
  const workflows = await api("GET", "/api/workflows");
  const select = $("#session-workflow");
  const previous = select.value;
  select.replaceChildren(...workflows.map((w) => el("option", { value: w.id }, w.name)));
  if (previous && workflows.some((w) => String(w.id) === previous)) select.value = previous;
  const sessions = await api("GET", "/api/sessions");
  $("#session-list").replaceChildren(...sessions.map((s) => el("li", {
    class: state.session && state.session.id === s.id ? "active" : "",
    "data-id": s.id,
    onclick: () => openSession(s),
  }, s.name, el("small", {}, new Date(s.created_at * 1000).toLocaleString()))));
}

$("#new-session").addEventListener("click", async () => {
  const workflowId = Number($("#session-workflow").value);
  if (!workflowId) { notice("Create a workflow first."); return; }
  try {
    const s = await api("POST", "/api/sessions", { workflow_id: workflowId });
    await openSession(s);
  } catch (e) { notice(e.message); }
});

const encodePath = (path) => path.split("/").map(encodeURIComponent).join("/");
const sessionFile = (path) => `/api/sessions/${state.session.id}/files/${encodePath(path)}`;

function renderEvent(event) {
  const chat = $("#chat");
  if (event.type === "message") {
    Conversation.append(chat, event, sessionFile);
  } else if (event.type === "warning") {
    chat.append(el("div", { class: "msg warning" }, event.text));
  } else if (event.type === "error") {
    chat.append(el("div", { class: "msg error" }, "Error: " + event.error));
  } else if (event.type === "input_request") {
    askHuman(event);
  } else if (event.type === "input_answered" || event.type === "input_timeout") {
    const box = document.querySelector(`.input-request[data-request="${event.request_id}"]`);
    if (box) {
      box.classList.add("closed");
      box.querySelectorAll("input, button").forEach((x) => { x.disabled = true; });
      if (event.type === "input_timeout") box.append(el("div", { class: "timeout" }, `No answer in time: the agent got "${event.answer}".`));
    }
  } else if (event.type === "result") {
    showResult(event);
  } else if (event.type === "status") {
    $("#session-status").textContent = event.status;
  }
  chat.scrollTop = chat.scrollHeight;
}

// An agent asks the person (human_input_mode ALWAYS / TERMINATE): answer here before the timeout.
function askHuman(event) {
  if (document.querySelector(`.input-request[data-request="${event.request_id}"]`)) return;
  const input = el("input", { type: "text", class: "input-answer", placeholder: "Your answer (empty: let the agent reply on its own; exit: stop)" });
  const left = el("span", { class: "countdown" });
  const deadline = Date.now() + event.timeout * 1000;
  const tick = setInterval(() => {
    const s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    left.textContent = `${s} s left`;
    if (!s || box.classList.contains("closed")) clearInterval(tick);
  }, 500);
  const submit = async () => {
    try {
      await api("POST", `/api/sessions/${state.session.id}/input`, { request_id: event.request_id, content: input.value });
      box.classList.add("closed");
      box.querySelectorAll("input, button").forEach((x) => { x.disabled = true; });
    } catch (e) { box.append(el("div", { class: "error" }, e.message)); }
  };
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") submit(); });
  const box = el("div", { class: "msg input-request", "data-request": event.request_id },
    el("div", { class: "who" }, "Input requested ", left),
    el("pre", { class: "prompt" }, event.prompt),
    el("div", { class: "answer-row" }, input, el("button", { class: "primary answer-send", onclick: submit }, "Answer")));
  $("#chat").append(box);
  input.focus();
}

function showResult(r) {
  const box = $("#result");
  if (!r) { box.classList.add("hidden"); return; }
  box.replaceChildren(
    el("strong", {}, "Final answer: "), el("span", { id: "final-answer" }, r.final_answer || "(none)"),
    el("div", {}, `Time: ${Number(r.time).toFixed(2)} s · Run cost: $${Number(r.cost || 0).toFixed(5)} · Code ran: ${r.executor}`),
  );
  box.classList.remove("hidden");
  $("#session-status").textContent = "done";
  loadFiles();
}

async function loadFiles() {
  if (!state.session) return;
  const files = await api("GET", `/api/sessions/${state.session.id}/files`);
  const box = $("#files");
  box.replaceChildren();
  if (!files.length) return;
  box.append(el("h3", {}, "Files"));
  for (const f of files) {
    box.append(el("div", { class: "file" }, el("a", { href: f.url, target: "_blank", download: f.path.split("/").pop() }, f.path)));
  }
}

function connect(sessionId) {
  if (state.socket) state.socket.close();
  return new Promise((resolve) => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/ws/${sessionId}`);
    socket.onmessage = (m) => {
      const event = JSON.parse(m.data);
      if (event.type === "connected") { resolve(); return; }
      if (state.session && event.session_id === state.session.id) renderEvent(event);
    };
    socket.onerror = () => resolve();
    state.socket = socket;
  });
}

async function openSession(s) {
  state.session = s;
  $("#session-title").textContent = s.name;
  $("#session-controls").classList.remove("hidden");
  $("#send").disabled = false;
  $("#chat").replaceChildren();
  $("#files").replaceChildren();
  $("#profile").classList.add("hidden");
  $("#session-status").textContent = "";
  showResult(null);
  const messages = await api("GET", `/api/sessions/${s.id}/messages`);
  messages.forEach(renderEvent);
  if (s.last_result) showResult(s.last_result);
  await connect(s.id);
  await loadFiles();
  await loadPlayground();
}

$("#send").addEventListener("click", async () => {
  const text = $("#chat-input").value.trim();
  if (!text || !state.session) return;
  $("#send").disabled = true;
  $("#session-status").textContent = "running...";
  showResult(null);
  try {
    const timeout = Number($("#input-timeout").value) || 300;
    await api("POST", `/api/sessions/${state.session.id}/messages`, { content: text, input_timeout: timeout });
    $("#chat-input").value = "";
  } catch (e) {
    renderEvent({ type: "error", error: e.message });
    $("#session-status").textContent = "failed";
  } finally {
    $("#send").disabled = false;
  }
});

$("#reset-session").addEventListener("click", async () => {
  const s = await api("POST", `/api/sessions/${state.session.id}/reset`);
  await openSession(s);
});

$("#delete-session").addEventListener("click", async () => {
  try {
    await api("DELETE", `/api/sessions/${state.session.id}`);
    state.session = null;
    $("#chat").replaceChildren();
    $("#session-controls").classList.add("hidden");
    $("#session-title").textContent = "Pick or create a session";
    $("#send").disabled = true;
    showResult(null);
    $("#files").replaceChildren();
    await loadPlayground();
  } catch (e) { notice(e.message); }
});

$("#profile-session").addEventListener("click", async () => {
  try {
    const base = `/api/sessions/${state.session.id}/profile`;
    Profiler.render($("#profile"), await api("GET", base), base + "?download=true");
  } catch (e) { notice(e.message); }
});

$("#publish-session").addEventListener("click", async () => {
  try {
    const item = await api("POST", "/api/gallery", { session_id: state.session.id });
    notice(`Published "${item.title}" to the gallery.`);
  } catch (e) { notice(e.message); }
});

// -------------------------------------------------------------------------------------------- gallery --
async function loadGallery() {
  const items = await api("GET", "/api/gallery");
  $("#gallery-list").replaceChildren(...items.map((g) => el("li", { "data-id": g.id, onclick: () => viewGallery(g.id) },
    g.title, el("small", {}, `${g.messages.length} messages`))));
}

async function viewGallery(id) {
  const g = await api("GET", `/api/gallery/${id}`);
  const view = $("#gallery-view");
  const fileUrl = (path) => `/api/gallery/${g.id}/files/${encodePath(path)}`;
  const chat = el("div", { class: "chat readonly", id: "gallery-chat" });
  const result = g.session && g.session.last_result;
  const profile = el("div", { id: "gallery-profile", class: "profile" });
  view.replaceChildren(
    el("h2", { id: "gallery-title" }, g.title),
    el("p", {}, "Workflow: " + (g.workflow ? g.workflow.name : "(deleted)"), el("span", { class: "badge" }, "read-only")),
    result ? el("p", {}, "Final answer: " + result.final_answer) : null,
    chat,
    el("div", { class: "files" }, ...(g.files || []).map((f) => el("div", { class: "file" }, el("a", { href: fileUrl(f), download: f.split("/").pop() }, f)))),
    profile,
  );
  g.messages.forEach((m) => Conversation.append(chat, m, fileUrl));
  if (g.profile) Profiler.render(profile, g.profile, null);
}

loadBuild().catch((e) => notice(e.message));
