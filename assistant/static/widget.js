/* The plan assistant: the website widget. A district page embeds it with one tag:
     <script src="https://ASSISTANT-HOST/widget.js" data-lang="auto" async></script>
   data-lang: "auto" (Spanish if the page or the browser is in Spanish, else English), "en" or "es".
   Hand-written, no framework, nothing downloaded at run time. It lives in an open shadow root, so
   the host page's CSS and ours never meet; whatever the server sends is put on the page as text
   (text nodes, textContent), never as HTML. */
(() => {
  "use strict";
  // Both languages' labels, from prompts/en.toml and prompts/es.toml [widget], filled in by GET /widget.js.
  const TEXT = /*phrases*/ null;
  if (!TEXT || window.pusdPlanAssistant) return; // the raw file, or the tag is on the page twice
  window.pusdPlanAssistant = true;

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  // The API and the documents live where widget.js came from, not on the page's own site.
  const at = (path) => new URL(path, script.src).href;
  const spanish = (tag) => /^es\b/i.test(tag || "");
  const wanted = (script.dataset.lang || "auto").toLowerCase();
  let lang = wanted === "en" || wanted === "es" ? wanted : spanish(document.documentElement.lang) || spanish(navigator.language) ? "es" : "en";
  const t = (key, l = lang, vars = {}) => TEXT[l][key].replace(/\{(\w+)\}/g, (_, name) => vars[name]);

  const COVERS = "(max-width: 520px), (max-height: 560px)"; // phones and big zoom: the panel takes the whole screen
  const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.launcher, .panel { font: 400 max(1rem, 16px)/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24; }
button, input, textarea { font: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; }
svg { flex: none; fill: currentColor; }
.sr { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; display: flex; align-items: center; gap: .5em; min-height: 48px; max-width: calc(100vw - 32px); padding: .55em 1.1em .55em .9em; border: 0; border-radius: 999px; background: #0b4f8a; color: #fff; font-weight: 600; text-align: left; box-shadow: 0 4px 14px rgba(0,0,0,.3); }
.launcher:hover { background: #083b68; }
.launcher:focus-visible { outline-offset: 3px; box-shadow: 0 0 0 3px #fff; }
.launcher svg { width: 1.5em; height: 1.5em; }
.panel { position: fixed; right: 16px; bottom: 80px; z-index: 2147483001; display: flex; flex-direction: column; width: min(25em, calc(100vw - 32px)); height: min(40em, calc(100vh - 96px)); background: #fff; border: 1px solid #b9c2ce; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.3); overflow: hidden; animation: rise .18s ease-out; }
@keyframes rise { from { opacity: 0; transform: translateY(12px); } }
@media ${COVERS} { .panel { inset: 0; width: auto; height: auto; border: 0; border-radius: 0; } }
.head { display: flex; align-items: flex-start; gap: .4em; padding: .6em .6em .6em 1em; background: #0b4f8a; color: #fff; }
.head :focus-visible { outline-color: #fff; }
.heading { flex: 1; min-width: 0; padding-top: .15em; }
h2 { margin: 0; font-size: 1.1em; line-height: 1.3; }
.sub { margin: .15em 0 0; font-size: .8em; line-height: 1.35; color: #e3edf8; }
@media (max-height: 480px) { .sub { display: none; } }
.switch, .close { flex: none; min-width: 44px; min-height: 44px; border: 1px solid #fff; border-radius: 8px; background: transparent; color: #fff; font-size: .85em; font-weight: 600; padding: 0 .65em; }
.close { display: grid; place-items: center; padding: 0; border-color: transparent; }
.close svg { width: 24px; height: 24px; }
.switch:hover, .close:hover { background: #083b68; }
.log { position: relative; flex: 1; display: flex; flex-direction: column; gap: .9em; padding: 1em; overflow-x: hidden; overflow-y: auto; overscroll-behavior: contain; }
.log > * { flex: none; }
.intro p { margin: 0 0 .6em; }
.try { font-weight: 600; }
.starters { display: flex; flex-wrap: wrap; gap: .45em; margin: 0; padding: 0; list-style: none; }
.starters button { min-height: 40px; padding: .4em .85em; border: 1px solid #0b4f8a; border-radius: 20px; background: #fff; color: #0b4f8a; font-size: .9em; text-align: left; }
.starters button:hover { background: #e6eef8; }
.msg { max-width: 100%; overflow-wrap: anywhere; }
.msg p { margin: 0; }
.user { align-self: flex-end; max-width: 88%; padding: .5em .9em; border-radius: 16px 16px 4px 16px; background: #0b4f8a; color: #fff; white-space: pre-wrap; }
.bot { padding: .75em .9em; border-radius: 16px 16px 16px 4px; background: #eef2f7; }
.text p { margin: 0 0 .35em; }
.text ul { margin: 0; padding-left: 1.2em; }
.text li { margin: .3em 0; }
.ref { display: inline-block; min-width: 1.5em; padding: 0 .25em; border-radius: 4px; background: #0b4f8a; color: #fff; font-size: .75em; font-weight: 700; line-height: 1.5; text-align: center; }
.wait { color: #4a5361; font-style: italic; }
.refusal { border-left: 5px solid #a34e00; background: #fff5e3; }
.uncertain { border-left: 5px solid #6b5b00; background: #fffbe0; }
.flag { display: flex; align-items: center; gap: .4em; margin-bottom: .35em !important; color: #7a3a00; font-weight: 700; }
.flag svg { width: 1.25em; height: 1.25em; }
.error { border-left: 5px solid #b3261e; background: #fdeeee; color: #7d1a15; }
.sources { margin-top: .75em; padding-top: .6em; border-top: 1px solid #c9d1dc; }
h3 { margin: 0 0 .4em; color: #4a5361; font-size: .8em; letter-spacing: .04em; text-transform: uppercase; }
ol { display: grid; gap: .4em; margin: 0; padding: 0; list-style: none; }
details { border: 1px solid #c9d1dc; border-radius: 8px; background: #fff; }
summary { padding: .45em .6em; font-size: .9em; cursor: pointer; }
summary:hover .doc { text-decoration: underline; }
.n { display: inline-block; min-width: 1.6em; margin-right: .25em; border-radius: 4px; background: #0b4f8a; color: #fff; font-size: .85em; font-weight: 700; text-align: center; }
.doc { font-weight: 600; }
.sec { display: block; color: #4a5361; font-size: .92em; }
.passage { padding: 0 .75em .6em; }
.label { margin: .5em 0 .2em !important; color: #4a5361; font-size: .8em; font-weight: 700; }
blockquote { margin: .35em 0; padding: .35em .7em; border-left: 3px solid #0b4f8a; background: #f5f7fa; font-size: .92em; white-space: pre-line; }
a { color: #0b4f8a; font-weight: 600; }
a:hover { text-decoration-thickness: 2px; }
.passage a { display: inline-block; margin: .15em 0 .25em; font-size: .9em; }
.rate { margin-top: .7em; font-size: .9em; }
.thumbs { display: flex; flex-wrap: wrap; align-items: center; gap: .45em; color: #4a5361; }
.thumb { display: grid; place-items: center; width: 40px; height: 40px; border: 1px solid #6b7787; border-radius: 8px; background: #fff; color: #0b4f8a; }
.thumb svg { width: 20px; height: 20px; }
.down svg { transform: rotate(180deg); }
.thumb:hover { background: #e6eef8; }
.thumb[aria-pressed="true"] { border-color: #0b4f8a; background: #0b4f8a; color: #fff; }
.comment { display: grid; gap: .35em; margin-top: .6em; }
.comment label { font-weight: 600; }
input, textarea { width: 100%; min-width: 0; padding: .5em .65em; border: 1px solid #6b7787; border-radius: 8px; background: #fff; color: #1b1f24; }
input::placeholder { color: #5c6674; opacity: 1; }
.primary { justify-self: start; min-height: 40px; padding: .4em 1em; border: 0; border-radius: 8px; background: #0b4f8a; color: #fff; font-weight: 600; }
.primary:hover, .send:hover { background: #083b68; }
.fail { color: #b3261e; }
.thanks { color: #1c6331; font-weight: 600; }
.ask { display: flex; gap: .5em; padding: .7em; border-top: 1px solid #c9d1dc; background: #fff; }
.ask input { flex: 1; min-height: 44px; }
.send { display: grid; place-items: center; flex: none; width: 44px; height: 44px; border: 0; border-radius: 8px; background: #0b4f8a; color: #fff; }
.send svg { width: 22px; height: 22px; }
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; } }
@media (forced-colors: active) { .thumb[aria-pressed="true"] { outline: 3px solid CanvasText; } .n { border: 1px solid; } }
`;

  // An element with attributes (on… = listeners, text = its text) and children (strings become text nodes).
  function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    el.append(...children);
    return el;
  }
  function icon(path) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const shape = document.createElementNS(svg.namespaceURI, "path");
    shape.setAttribute("d", path);
    svg.append(shape);
    return svg;
  }
  const CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2h-9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z";
  const CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z";
  const SEND = "M3 20.5 21.5 12 3 3.5V10l13 2-13 2z";
  const THUMB = "M2 10h4v11H2zm6 0 4.2-8c1.5 0 2.8 1.3 2.8 2.8V8h5.2a2 2 0 0 1 2 2.4l-1.7 8.8A2 2 0 0 1 18.5 21H8z";
  const INFO = "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 5h2v2h-2zm0 4h2v6h-2z";

  // The frame: a launcher button and the panel it opens.
  const host = document.createElement("pusd-plan-assistant");
  host.style.cssText = "all: initial"; // no font, colour or spacing inherited from the page
  const root = host.attachShadow({ mode: "open" }); // open: tests and accessibility checkers can look in
  const launcherLabel = h("span");
  const launcher = h("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "panel", onclick: () => (panel.hidden ? open() : close()) }, icon(CHAT), launcherLabel);
  const title = h("h2", { id: "title" });
  const subtitle = h("p", { class: "sub" });
  const switcher = h("button", { class: "switch", type: "button", onclick: () => relabel(lang === "en" ? "es" : "en") });
  const closer = h("button", { class: "close", type: "button", onclick: () => close() }, icon(CLOSE));
  const intro = h("div", { class: "intro" });
  const log = h("div", { class: "log", role: "region", tabindex: "0" }, intro);
  // Screen readers hear each answer once, whole, from here; the bubble that streams is not live.
  const announcer = h("div", { class: "sr announce", role: "status" });
  const inputLabel = h("label", { for: "question", class: "sr" });
  const input = h("input", { id: "question", type: "text", maxlength: "2000", autocomplete: "off", enterkeyhint: "send" });
  const sendLabel = h("span", { class: "sr" });
  const send = h("button", { class: "send", type: "submit" }, icon(SEND), sendLabel);
  const form = h("form", { class: "ask", onsubmit: (e) => { e.preventDefault(); ask(input.value); } }, inputLabel, input, send);
  const panel = h("section", { class: "panel", id: "panel", role: "dialog", "aria-labelledby": "title", hidden: true },
    h("div", { class: "head" }, h("div", { class: "heading" }, title, subtitle), switcher, closer), log, announcer, form);
  root.append(h("style", { text: CSS }), launcher, panel);
  root.addEventListener("keydown", (e) => { if (e.key === "Escape" && !panel.hidden) { e.preventDefault(); close(); } });
  // Where the panel covers the page, Tab goes round inside it: focus must not vanish behind it.
  const covering = matchMedia(COVERS);
  panel.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || !covering.matches) return;
    const [from, to] = e.shiftKey ? [switcher, send] : [send, switcher];
    if (root.activeElement === from) {
      e.preventDefault();
      to.focus();
    }
  });

  function open() {
    panel.hidden = false;
    panel.setAttribute("aria-modal", String(covering.matches));
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  // The frame's labels and the starter questions in the chosen language; messages keep their own.
  function relabel(to) {
    lang = to;
    panel.lang = launcher.lang = intro.lang = lang;
    launcherLabel.textContent = t("launcher");
    title.textContent = t("title");
    subtitle.textContent = t("subtitle");
    switcher.textContent = t("switch");
    switcher.lang = lang === "en" ? "es" : "en"; // the button names the other language, in it
    closer.setAttribute("aria-label", t("close"));
    log.setAttribute("aria-label", t("conversation"));
    inputLabel.textContent = t("input_label");
    input.placeholder = t("placeholder");
    sendLabel.textContent = t("send");
    intro.replaceChildren(h("p", { text: t("intro") }), h("p", { class: "try", text: t("starters_heading") }),
      h("ul", { class: "starters" }, ...TEXT[lang].starters.map((q) => h("li", {}, h("button", { type: "button", onclick: () => ask(q) }, q)))));
  }

  let announcing;
  function announce(text) {
    announcer.textContent = ""; // a repeated text is still a change, so it is read again
    clearTimeout(announcing); // a quick answer replaces "Looking in the plans…" before it is said
    announcing = setTimeout(() => (announcer.textContent = text), 50);
  }
  // Keep the newest question at the top of the view while its answer grows beneath it.
  const follow = (el) => (log.scrollTop = el.offsetTop - 8);

  // Server-Sent Events read from a fetch() body (EventSource cannot POST). The server ends lines with "\n".
  async function* events(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value, { stream: !done });
      const blocks = buffer.split("\n\n");
      buffer = done ? "" : blocks.pop();
      for (const block of blocks) {
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          const [, field, text] = /^([^:]*):? ?(.*)$/.exec(line);
          if (field === "event") event = text;
          else if (field === "data") data.push(text);
        }
        if (data.length) yield [event, JSON.parse(data.join("\n"))];
      }
      if (done) return;
    }
  }

  const history = []; // earlier turns, so "and what about facilities?" is read in their light
  let busy = false;
  let ids = 0;

  async function ask(raw) {
    const question = raw.trim();
    if (!question || busy) return;
    busy = true;
    input.value = "";
    const asked = h("div", { class: "msg user", lang }, h("span", { class: "sr", lang, text: t("you") + " " }), question);
    const text = h("div", { class: "text" }, h("p", { class: "wait", text: t("answering") }));
    const bubble = h("article", { class: "msg bot", lang, "aria-busy": "true" }, h("span", { class: "sr", text: t("assistant") }), text);
    log.append(asked, bubble);
    follow(asked);
    announce(t("answering"));
    try {
      const response = await fetch(at("api/ask/stream"), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ question, history: history.slice(-20) }) });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      let reply = null;
      let streamed = "";
      for await (const [event, data] of events(response.body)) {
        if (event === "delta") {
          paint(text, (streamed += data)); // words appear as they arrive
          follow(asked);
        } else if (event === "done") reply = data;
        else if (event === "error") throw new Error(`${data.error}: ${data.message}`);
      }
      if (!reply) throw new Error("the stream ended before its answer");
      show(bubble, text, reply, question);
      asked.lang = reply.lang; // the reply is in the question's language
      history.push({ role: "user", content: question }, { role: "assistant", content: reply.answer.slice(0, 8000) });
    } catch (error) {
      // A site missing from PLAN_ASSISTANT_ALLOWED_ORIGINS shows up here as a failed fetch (CORS).
      console.warn("plan assistant: no answer from", at("api/ask/stream"), error);
      bubble.classList.add("error");
      text.textContent = t("error");
      bubble.setAttribute("aria-busy", "false");
      announce(t("error"));
    } finally {
      busy = false;
    }
  }

  // The finished reply: its whole text, a refusal marked as such, the sources, the rating.
  function show(bubble, text, reply, question) {
    const l = reply.lang;
    bubble.lang = l;
    bubble.firstChild.textContent = t("assistant", l);
    paint(text, reply.answer); // the reply itself, not the pieces that streamed
    // A refusal, or passages that may not answer, is marked as such before the text.
    const flag = reply.status === "not_found" || !reply.grounded ? "not_found" : reply.status === "uncertain" ? "uncertain" : "";
    if (flag) {
      bubble.classList.add(flag === "not_found" ? "refusal" : "uncertain");
      text.before(h("p", { class: "flag" }, icon(INFO), t(flag, l)));
    }
    if (reply.citations.length) {
      bubble.append(h("div", { class: "sources" }, h("h3", { text: t("sources", l) }), h("ol", {}, ...reply.citations.map((c) => source(c, l)))));
    }
    bubble.append(rating(reply, question));
    bubble.setAttribute("aria-busy", "false");
    announce((flag ? t(flag, l) + ". " : "") + reply.answer);
  }

  // The answer's text laid out: "- " lines become a list, their "Heading:" bold, "[n]" a badge like its source's.
  function paint(el, answer) {
    const blocks = [];
    for (const line of answer.split("\n").filter(Boolean)) {
      const item = /^- (?:([^:"]+): )?(.*)$/.exec(line);
      if (!item) {
        blocks.push(h("p", {}, ...refs(line)));
        continue;
      }
      if (blocks.at(-1)?.tagName !== "UL") blocks.push(h("ul"));
      blocks.at(-1).append(h("li", {}, item[1] ? h("strong", { text: item[1] + ": " }) : "", ...refs(item[2])));
    }
    el.replaceChildren(...blocks);
  }
  // "[2]" shows as a badge; screen readers still hear the brackets.
  const refs = (line) => line.split(/\[(\d+)\]/).map((part, i) => (i % 2 ? h("span", { class: "ref" }, h("span", { class: "sr", text: "[" }), part, h("span", { class: "sr", text: "]" })) : part));

  function link(url, label, l) {
    return h("a", { href: at(url), target: "_blank", rel: "noopener" }, label, h("span", { class: "sr", text: " " + t("new_tab", l) }));
  }
  const where = (page, l) => (page ? t("at_page", l, { page }) : t("at_section", l));
  const path = (section) => section.split(" > ").flatMap((part, i) => (i ? [" ", h("span", { "aria-hidden": "true", text: "›" }), " ", part] : [part]));

  // One citation: document, page and section; opens to the verbatim passage and links to the page.
  function source(c, l) {
    const shown = c.translation || c; // a Spanish reader first sees the passage in Spanish
    const page = shown.page ? [" · ", t("page", l, { page: shown.page })] : [];
    const passage = h("div", { class: "passage" });
    if (c.translation) {
      passage.append(h("p", { class: "label", text: c.translation.label }), h("blockquote", { lang: "es", text: c.translation.text }),
        link(c.translation.url, t("open_translation", l, { where: where(c.translation.page, l) }), l),
        h("p", { class: "label", text: t("original", l) }));
    }
    passage.append(h("blockquote", { lang: "en", text: c.text }),
      link(c.url, t(c.translation ? "open_original" : "open_document", l, { where: where(c.page, l) }), l));
    return h("li", {}, h("details", {},
      h("summary", {}, h("span", { class: "n", text: c.n }), h("span", { class: "doc", lang: c.translation ? "es" : "en", text: shown.title }), ...page,
        h("span", { class: "sec", lang: c.translation ? "es" : "en" }, ...path(shown.section))),
      passage));
  }

  // Thumbs up or down, then an optional comment; both go to POST /api/feedback together.
  function rating(reply, question) {
    const l = reply.lang;
    const id = ++ids;
    let chosen = null;
    const comment = h("textarea", { id: `comment-${id}`, maxlength: "1000", rows: "2" });
    const failed = h("p", { class: "fail", role: "alert" });
    const form = h("form", { class: "comment", hidden: true, onsubmit: send },
      h("label", { for: `comment-${id}`, text: t("comment_label", l) }), comment, h("button", { class: "primary", type: "submit", text: t("send_feedback", l) }), failed);
    const thumb = (value, label) => h("button", { class: `thumb ${value}`, type: "button", "aria-pressed": "false", onclick: () => choose(value) },
      icon(THUMB), h("span", { class: "sr", text: label }));
    const thumbs = [thumb("up", t("helpful", l)), thumb("down", t("not_helpful", l))];
    const box = h("div", { class: "rate" }, h("div", { class: "thumbs", role: "group", "aria-labelledby": `rate-${id}` },
      h("span", { id: `rate-${id}`, text: t("helpful_prompt", l) }), ...thumbs), form);
    function choose(value) {
      chosen = value;
      thumbs.forEach((b) => b.setAttribute("aria-pressed", String(b.classList.contains(value))));
      form.hidden = false;
      comment.focus();
    }
    async function send(e) {
      e.preventDefault();
      const body = { question, answer: reply.answer, lang: l, rating: chosen, comment: comment.value, grounded: reply.grounded,
        citations: reply.citations.map((c) => ({ doc_id: c.doc_id, page: c.page })) };
      try {
        const response = await fetch(at("api/feedback"), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
        const thanks = h("p", { class: "thanks", tabindex: "-1", text: t("thanks", l) });
        box.replaceChildren(thanks);
        thanks.focus(); // the button that had focus is gone
      } catch (error) {
        console.warn("plan assistant: feedback not stored", error);
        failed.textContent = t("feedback_failed", l);
      }
    }
    return box;
  }

  function mount() {
    relabel(lang);
    document.body.append(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
