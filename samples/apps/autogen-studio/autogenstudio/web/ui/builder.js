// Visual group-chat builder: the workflow's agents as nodes, allowed speaker transitions as arrows (Cytoscape.js,
// vendored). By mouse: click an agent in the palette to add it; click one node then another to connect them; select a
// node or an arrow and press "Remove selected" (or Delete). The graph is the workflow's agent_ids + transitions; the
// JSON box shows them and applies edits back. Problems (an isolated agent, a dead end) are marked on the nodes.
"use strict";

const Builder = (() => {
  let cy = null;
  let source = null; // the node clicked first, waiting for the target of a new arrow
  let agents = [];
  let checkTimer = null;
  const node = (...args) => Conversation.node(...args);

  function nameOf(id) {
    const agent = agents.find((a) => a.id === id);
    return agent ? agent.name : `agent ${id}`;
  }

  function value() {
    if (!cy) return { agent_ids: [], transitions: [] };
    return {
      agent_ids: cy.nodes().map((n) => Number(n.id())),
      transitions: cy.edges().map((e) => [Number(e.source().id()), Number(e.target().id())]),
    };
  }

  function addAgent(id) {
    if (!cy || cy.getElementById(String(id)).length) return;
    cy.add({ group: "nodes", data: { id: String(id), label: nameOf(id) } });
    relayout();
    changed();
  }

  function connect(from, to) {
    const id = `${from}->${to}`;
    if (cy.getElementById(id).length) return;
    cy.add({ group: "edges", data: { id, source: from, target: to } });
    changed();
  }

  function removeSelected() {
    if (!cy) return;
    if (source) { source.removeClass("source"); source = null; }
    cy.$(":selected").remove();
    relayout();
    changed();
  }

  function relayout() {
    cy.layout({ name: "circle", animate: false, padding: 40 }).run();
  }

  function changed() {
    const json = document.getElementById("graph-json");
    if (json) json.value = JSON.stringify(value(), null, 2);
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, 150);
  }

  async function check() {
    const { agent_ids, transitions } = value();
    const { problems } = await api("POST", "/api/workflows/graph-check", { agent_ids, transitions });
    cy.nodes().removeClass("problem").data("problem", "");
    for (const p of problems) {
      const n = cy.getElementById(String(p.agent));
      n.addClass("problem");
      n.data("problem", (n.data("problem") ? n.data("problem") + "; " : "") + p.message.replace(String(p.agent), nameOf(p.agent)));
    }
    const list = document.getElementById("graph-problems");
    list.replaceChildren(...problems.map((p) => node("li", { "data-agent": p.agent, "data-kind": p.kind }, p.message.replace(String(p.agent), nameOf(p.agent)))));
    list.classList.toggle("hidden", !problems.length);
  }

  function applyJson() {
    const box = document.getElementById("graph-json");
    let data;
    try { data = JSON.parse(box.value); } catch (e) { formError("graph JSON: " + e.message); return; }
    load(data.agent_ids || [], data.transitions || []);
  }

  function load(agentIds, transitions) {
    cy.elements().remove();
    for (const id of agentIds) cy.add({ group: "nodes", data: { id: String(id), label: nameOf(id) } });
    for (const [a, b] of transitions) {
      if (cy.getElementById(String(a)).length && cy.getElementById(String(b)).length) connect(String(a), String(b));
    }
    relayout();
    changed();
  }

  // Build the editor in ``panel`` for a workflow with ``agentIds`` and ``transitions``; ``allAgents``: the palette.
  function mount(panel, allAgents, agentIds, transitions) {
    agents = allAgents;
    source = null;
    const canvas = node("div", { id: "graph-canvas", class: "graph-canvas" });
    panel.replaceChildren(
      node("h3", {}, "Group chat graph"),
      node("p", { class: "hint" }, "Click an agent below to add it; click one node, then another, to allow that speaker to follow; select and remove."),
      node("div", { class: "palette", id: "graph-palette" }, ...allAgents.map((a) => {
        const chip = node("button", { type: "button", class: "chip", "data-agent": a.id }, "+ " + a.name);
        chip.addEventListener("click", () => addAgent(a.id));
        return chip;
      })),
      canvas,
      node("ul", { id: "graph-problems", class: "error hidden" }),
      node("div", { class: "form-actions" },
        (() => { const b = node("button", { type: "button", id: "graph-remove" }, "Remove selected"); b.addEventListener("click", removeSelected); return b; })(),
        (() => { const b = node("button", { type: "button", id: "graph-apply-json" }, "Apply JSON"); b.addEventListener("click", applyJson); return b; })()),
      node("textarea", { id: "graph-json", class: "code", rows: 6, spellcheck: "false" }),
    );
    if (cy) cy.destroy();
    cy = cytoscape({
      container: canvas,
      style: [
        { selector: "node", style: { label: "data(label)", "background-color": "#2f6fb3", color: "#1f2430", "text-valign": "bottom", "text-margin-y": 6, width: 34, height: 34 } },
        { selector: "node.problem", style: { "background-color": "#b3261e", "border-width": 3, "border-color": "#f5b7b1" } },
        { selector: "node.source", style: { "border-width": 4, "border-color": "#7fc4ff" } },
        { selector: "edge", style: { width: 2, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#8894a6", "target-arrow-color": "#8894a6" } },
        { selector: ":selected", style: { "line-color": "#d35400", "target-arrow-color": "#d35400", "overlay-opacity": 0.2 } },
      ],
      wheelSensitivity: 0.2,
    });
    window.studioGraph = cy; // for people poking at it in the console, and for the tests
    cy.on("tap", "node", (evt) => {
      const n = evt.target;
      if (source && source.id() !== n.id()) {
        connect(source.id(), n.id());
        source.removeClass("source");
        source = null;
      } else if (source) {
        source.removeClass("source");
        source = null;
      } else {
        source = n;
        n.addClass("source");
      }
    });
    cy.on("tap", (evt) => { if (evt.target === cy && source) { source.removeClass("source"); source = null; } });
    load(agentIds, transitions);
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "Delete" && cy && document.activeElement === document.body) removeSelected();
  });

  function unmount() {
    if (cy) cy.destroy();
    cy = null;
  }

  return { mount, unmount, value, active: () => cy !== null };
})();
