// Profiler: tokens and cost per agent and per model (bar charts) and who spoke when (a timeline), drawn with Chart.js
// (vendored in ui/vendor) from GET /api/sessions/{id}/profile.
"use strict";

const Profiler = (() => {
  const charts = [];
  const node = (...args) => Conversation.node(...args);

  function canvas(id) {
    return node("div", { class: "chart-box" }, node("canvas", { id }));
  }

  function bars(id, labels, datasets, title) {
    charts.push(new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels, datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { title: { display: true, text: title } } },
    }));
  }

  function timeline(id, points) {
    const speakers = [...new Set(points.map((p) => p.sender))];
    charts.push(new Chart(document.getElementById(id), {
      type: "scatter",
      data: {
        datasets: speakers.map((name, i) => ({
          label: name,
          data: points.filter((p) => p.sender === name).map((p) => ({ x: p.at, y: i, to: p.recipient })),
          pointRadius: 6,
        })),
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {
          title: { display: true, text: "Who spoke when (seconds from the first message)" },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label} → ${c.raw.to} at ${c.raw.x.toFixed(2)} s` } },
        },
        scales: {
          x: { title: { display: true, text: "seconds" } },
          y: {
            min: -0.5, max: speakers.length - 0.5,
            afterBuildTicks: (axis) => { axis.ticks = speakers.map((_, i) => ({ value: i })); },
            ticks: { callback: (v) => speakers[v] ?? "" },
          },
        },
      },
    }));
  }

  // Draw ``profile`` into ``box``; ``downloadUrl`` (optional) offers it as a JSON file.
  function render(box, profile, downloadUrl) {
    while (charts.length) charts.pop().destroy();
    const agents = profile.agents || [];
    const models = profile.models || [];
    box.replaceChildren(
      node("h3", {}, "Profile"),
      node("div", { class: "profile-summary" },
        `Total: ${profile.total_tokens} tokens · $${Number(profile.total_cost || 0).toFixed(5)} · ${(profile.runs || []).length} run(s) · ${(profile.timeline || []).length} messages`,
        downloadUrl ? node("a", { id: "profile-download", href: downloadUrl, download: "profile.json" }, " ⬇ JSON") : null),
      node("table", { class: "profile-table" },
        node("tr", {}, node("th", {}, "agent"), node("th", {}, "model"), node("th", {}, "prompt"), node("th", {}, "completion"), node("th", {}, "total"), node("th", {}, "cost $")),
        ...(profile.usage || []).map((u) => node("tr", { "data-agent": u.agent },
          node("td", {}, u.agent), node("td", {}, u.model), node("td", {}, u.prompt_tokens), node("td", {}, u.completion_tokens), node("td", {}, u.total_tokens), node("td", {}, Number(u.cost).toFixed(5))))),
      node("div", { class: "charts" }, canvas("chart-agents"), canvas("chart-models"), canvas("chart-timeline")),
    );
    bars("chart-agents", agents.map((a) => a.agent), [
      { label: "prompt tokens", data: agents.map((a) => a.prompt_tokens) },
      { label: "completion tokens", data: agents.map((a) => a.completion_tokens) },
    ], "Tokens per agent");
    bars("chart-models", models.map((m) => m.model), [{ label: "cost ($)", data: models.map((m) => m.cost) }], "Cost per model");
    timeline("chart-timeline", profile.timeline || []);
    box.classList.remove("hidden");
  }

  return { render };
})();
