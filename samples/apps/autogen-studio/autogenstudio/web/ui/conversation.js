// Conversation view: one card per message (avatar, speaker -> recipient, Markdown with highlighted code, tool calls and
// results, the files the message produced), inner group messages folded together. Used by the playground (live) and
// the gallery (read-only). Markdown: marked; sanitising: DOMPurify; code: highlight.js (all vendored in ui/vendor).
"use strict";

const Conversation = (() => {
  const PALETTE = ["#2f6fb3", "#8e44ad", "#16a085", "#c0392b", "#d35400", "#27ae60", "#7f8c8d", "#b7950b"];
  const IMAGE = /\.(png|jpe?g|gif|svg|webp)$/i;

  function node(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") n.className = v;
      else if (v !== undefined && v !== null && v !== false) n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return n;
  }

  function colour(name) {
    let h = 0;
    for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  function avatar(name) {
    const initials = String(name || "?").split(/[_\-\s]+/).filter(Boolean).slice(0, 2).map((p) => p[0].toUpperCase()).join("");
    return node("span", { class: "avatar", title: name, style: `background:${colour(name)}` }, initials || "?");
  }

  // Markdown -> sanitised HTML; relative image paths point at the session's files; code highlighted.
  function markdown(text, fileUrl) {
    const box = node("div", { class: "markdown" });
    box.innerHTML = DOMPurify.sanitize(marked.parse(String(text), { gfm: true, breaks: false }));
    box.querySelectorAll("img").forEach((img) => {
      const src = img.getAttribute("src") || "";
      if (fileUrl && src && !/^[a-z]+:|^\//i.test(src)) img.setAttribute("src", fileUrl(src.replace(/^\.\//, "")));
    });
    box.querySelectorAll("a[href]").forEach((a) => { a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener"); });
    box.querySelectorAll("pre code").forEach((code) => hljs.highlightElement(code));
    return box;
  }

  function codeBlock(text, language) {
    const code = node("code", { class: "language-" + language }, text);
    hljs.highlightElement(code);
    return node("pre", {}, code);
  }

  function pretty(args) {
    if (typeof args !== "string") return JSON.stringify(args, null, 2);
    try { return JSON.stringify(JSON.parse(args), null, 2); } catch (e) { return args; }
  }

  function toolCall(name, args, kind) {
    return node("div", { class: "tool-call" }, node("div", { class: "tool-head" }, `${kind} `, node("strong", {}, name)), codeBlock(pretty(args), "json"));
  }

  function fileList(files, fileUrl) {
    const box = node("div", { class: "msg-files" });
    for (const f of files) {
      const url = fileUrl(f.path);
      if (f.image || IMAGE.test(f.path)) {
        box.append(node("figure", {}, node("img", { src: url, alt: f.path, class: "inline-image" }), node("figcaption", {}, node("a", { href: url, download: f.path.split("/").pop() }, f.path))));
      } else {
        box.append(node("a", { class: "file-link", href: url, download: f.path.split("/").pop() }, "⬇ " + f.path));
      }
    }
    return box;
  }

  function card(event, fileUrl) {
    const body = node("div", { class: "body" });
    const isResult = event.role === "tool" || event.role === "function" || (event.tool_responses || []).length > 0;
    if (isResult) {
      for (const r of event.tool_responses || [{ content: event.content }]) {
        body.append(node("div", { class: "tool-result" }, node("div", { class: "tool-head" }, "tool result", r.tool_call_id ? ` (${r.tool_call_id})` : ""), codeBlock(typeof r.content === "string" ? r.content : pretty(r.content), "plaintext")));
      }
    } else if (event.content !== null && event.content !== undefined && event.content !== "") {
      body.append(typeof event.content === "string" ? markdown(event.content, fileUrl) : codeBlock(pretty(event.content), "json"));
    }
    for (const call of event.tool_calls || []) body.append(toolCall(call.name, call.arguments, "tool call"));
    if (event.function_call) body.append(toolCall(event.function_call.name, event.function_call.arguments, "function call"));
    if (event.files && event.files.length && fileUrl) body.append(fileList(event.files, fileUrl));
    const who = node("div", { class: "who" }, avatar(event.sender), node("span", { class: "speaker" }, event.sender), node("span", { class: "arrow" }, " → " + event.recipient));
    return node("div", { class: "msg" + (isResult ? " is-tool-result" : "") + ((event.tool_calls || []).length ? " is-tool-call" : ""), "data-sender": event.sender }, who, body);
  }

  // Append a message to ``chat``; consecutive inner messages share one folded <details>.
  function append(chat, event, fileUrl) {
    const item = card(event, fileUrl);
    if (!event.inner) { chat.append(item); return item; }
    let group = chat.lastElementChild;
    if (!group || !group.classList.contains("inner-group")) {
      group = node("details", { class: "inner-group" }, node("summary", {}, ""));
      chat.append(group);
    }
    group.append(item);
    const speakers = [...new Set([...group.querySelectorAll(".msg")].map((m) => m.dataset.sender))];
    const count = group.querySelectorAll(".msg").length;
    group.querySelector("summary").textContent = `${count} inner message${count === 1 ? "" : "s"} (${speakers.join(", ")})`;
    return item;
  }

  return { append, markdown, avatar, node };
})();
