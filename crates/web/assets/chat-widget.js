/* Sanad live chat, embedded as <script src="https://SANAD/o/SLUG/chat/widget.js" defer>.
   Draws in a shadow root (page styles and ours never meet), talks to Sanad only, without
   cookies, and shows what people typed as text, never as markup. */
(() => {
  "use strict";
  const me = document.currentScript || [...document.scripts].find(s => /\/o\/[^/]+\/chat\/widget\.js/.test(s.src));
  const src = me && new URL(me.src);
  const path = src && src.pathname.match(/^(\/o\/[^/]+\/chat)\/widget\.js$/);
  if (!path || document.getElementById("sanad-chat")) return;
  const api = src.origin + path[1];
  const lang = /^en/i.test(document.documentElement.lang) ? "en" : "ar";
  const q = "?lang=" + lang;
  // sessionStorage is the provider origin's and this tab's: a reload continues the chat.
  const key = "sanad-chat " + api;
  const keep = v => { try { return v ? sessionStorage.setItem(key, JSON.stringify(v)) : JSON.parse(sessionStorage.getItem(key)) || {}; } catch (e) { return {}; } };
  // h("@svg", …) makes an SVG element.
  const h = (tag, attrs, ...kids) => {
    const el = tag[0] === "@" ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(1)) : document.createElement(tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    el.append(...kids);
    return el;
  };
  const CSS = `:host{all:initial}
*{box-sizing:border-box;font:15px/1.5 system-ui,"Segoe UI",Tahoma,sans-serif}
[hidden]{display:none!important}
.l,.p{position:fixed;inset-inline-end:20px;z-index:2147483000}
.l{inset-block-end:20px;width:56px;height:56px;border-radius:50%;border:0;background:#0b5f59;color:#fff;cursor:pointer;box-shadow:0 4px 14px #0004}
.p{inset-block-end:88px;width:min(360px,calc(100vw - 40px));max-height:min(560px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;color:#1b1b1b;border-radius:12px;box-shadow:0 8px 30px #0005;overflow:hidden}
header{display:flex;align-items:center;padding:10px 16px;background:#0b5f59;color:#fff}
h2{flex:1;margin:0;font-weight:700}
.x{background:none;border:0;color:inherit;font-size:22px;padding:0 8px;cursor:pointer}
.n{margin:0;padding:8px 16px;background:#e8f3f2;font-size:13px}
.g{flex:1;overflow-y:auto;padding:8px 16px}
.g p{margin-block:6px;padding:6px 10px;border-radius:10px;width:fit-content;max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere;background:#f0f0f0}
.g .v{margin-inline-start:auto;background:#d5ece9}
small{display:block;color:#4a4a4a;font-size:12px}
form{display:flex;flex-direction:column;gap:4px;padding:10px 16px;border-top:1px solid #ddd}
label,.e{font-size:13px}
input,textarea{width:100%;padding:7px;border:1px solid #767676;border-radius:6px;color:inherit;background:#fff}
.s{align-self:end;padding:7px 18px;border:0;border-radius:6px;background:#0b5f59;color:#fff;cursor:pointer}
.e{margin:0;padding:0 16px;color:#a30000}
.r{font-size:13px;color:#333;border-inline-start:3px solid #0b5f59;padding-inline-start:8px}
.r ul{margin:4px 0;padding-inline-start:18px}
:focus-visible{outline:3px solid #c77700;outline-offset:2px}`;

  const start = st => {
    const t = st.texts, online = st.online;
    const launch = h("button", { class: "l", type: "button", "aria-label": t.launcher, "aria-expanded": "false", "aria-controls": "p" },
      h("@svg", { viewBox: "0 0 24 24", width: "28", height: "28", "aria-hidden": "true" },
        h("@path", { fill: "currentColor", d: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z" })));
    const close = h("button", { class: "x", type: "button", "aria-label": t.close }, "×");
    const note = h("p", { class: "n" });
    const log = h("div", { class: "g", role: "log", "aria-label": t.title });
    const err = h("p", { class: "e", role: "alert" });
    // dir="auto": each text runs in its own direction, whatever the widget's language.
    const area = (id, rows) => h("textarea", { id, name: id, rows, dir: "auto", maxlength: "4000", required: "" });
    const field = (id, label, input) => [h("label", { for: id }, label), input];
    const name = h("input", { id: "name", name: "name", dir: "auto", autocomplete: "name", maxlength: "200", required: "" });
    const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "email" });
    email.required = !online;
    const submit = text => h("button", { class: "s", type: "submit" }, text);
    // The provider's conduct rules come before the first message, as on the portal's form.
    const rules = (st.etiquette || []).length
      ? [h("div", { class: "r", role: "note", "aria-label": t.etiquette }, h("strong", {}, t.etiquette),
          h("ul", {}, ...st.etiquette.map(rule => h("li", {}, rule))))]
      : [];
    const opening = h("form", {}, ...field("name", t.name, name),
      ...field("email", online ? t["email-optional"] : t.email, email),
      ...field("message", t.message, area("message", "3")), ...rules, submit(online ? t.start : t.leave));
    const reply = area("reply", "2");
    const more = h("form", {}, ...field("reply", t.message, reply), submit(t.send));
    const panel = h("section", { class: "p", id: "p", role: "dialog", "aria-labelledby": "t", hidden: "" },
      h("header", {}, h("h2", { id: "t" }, t.title), close), note, log, err, opening, more);

    let chat = keep(), stream = null;
    const seen = new Set();
    const add = m => {
      if (!m || seen.has(m.id)) return;
      seen.add(m.id);
      const at = new Date(m.at).toLocaleTimeString(lang === "ar" ? "ar-SA" : "en", { hour: "numeric", minute: "2-digit" });
      log.append(h("p", { class: m.from === "visitor" ? "v" : "a" }, h("small", {}, m.author + " · " + at), h("span", { dir: "auto" }, m.text)));
      log.scrollTop = log.scrollHeight;
    };
    const show = () => {
      const on = !!chat.token;
      note.textContent = (on ? t.ticket.replace("{number}", chat.ticket) : online ? t.online : t.offline) + " " + st.first_response;
      opening.hidden = on;
      more.hidden = log.hidden = !on;
      if (on && !stream) {
        const url = api + "/conversations/" + encodeURIComponent(chat.token) + "/events" + q;
        stream = new EventSource(url);
        stream.onmessage = e => add(JSON.parse(e.data));
        stream.addEventListener("ticket", e => { chat.ticket = JSON.parse(e.data).ticket; keep(chat); show(); });
        // Closed for good, the stream was refused: the conversation is unknown (start anew) or
        // the server was away (try again). Leaving the page closes it too, and then nothing runs.
        stream.onerror = () => {
          if (stream.readyState < 2) return;
          stream = null;
          const later = () => setTimeout(show, 5000);
          fetch(url, { credentials: "omit" }).then(r => { r.body.cancel(); r.status === 404 ? reset() : later(); }, later);
        };
      }
    };
    const reset = () => {
      if (stream) stream.close();
      stream = null;
      seen.clear();
      log.textContent = "";
      chat = { open: chat.open };
      keep(chat);
      show();
      err.textContent = t.ended;
    };
    const post = (to, body, form) => {
      const button = form.querySelector(".s");
      button.disabled = true;
      err.textContent = "";
      return fetch(api + to + q, { method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(r => r.json().catch(() => ({})).then(j => { if (r.ok) return j; j.status = r.status; throw j; }))
        .catch(j => {
          if (j.status === 404 && chat.token) return reset();
          const field = j.errors && j.errors[0] && j.errors[0].field;
          err.textContent = t["error-" + field] || (j.status === 429 ? t["error-busy"] : t.error);
        })
        .finally(() => { button.disabled = false; });
    };
    const toggle = (open, focus) => {
      panel.hidden = !open;
      launch.setAttribute("aria-expanded", open);
      chat.open = open;
      keep(chat);
      if (focus) (open ? (chat.token ? reply : name) : launch).focus();
    };

    opening.addEventListener("submit", e => {
      e.preventDefault();
      const body = Object.fromEntries(new FormData(opening));
      if (!body.email) delete body.email;
      post("/conversations", body, opening).then(j => {
        if (!j) return;
        chat = { token: j.conversation, ticket: j.ticket, open: true };
        keep(chat);
        opening.reset();
        add(j.message);
        show();
        reply.focus();
      });
    });
    more.addEventListener("submit", e => {
      e.preventDefault();
      post("/conversations/" + encodeURIComponent(chat.token) + "/messages", { message: reply.value }, more).then(j => {
        if (j) { reply.value = ""; add(j.message); }
      });
    });
    // Enter sends; Shift+Enter starts a new line.
    reply.addEventListener("keydown", e => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); more.requestSubmit(); }
    });
    launch.addEventListener("click", () => toggle(panel.hidden, true));
    close.addEventListener("click", () => toggle(false, true));
    panel.addEventListener("keydown", e => { if (e.key === "Escape") { e.stopPropagation(); toggle(false, true); } });

    const host = h("div", { id: "sanad-chat" });
    const root = host.attachShadow({ mode: "open" });
    // A constructed style sheet is not an inline style: a page whose Content-Security-Policy
    // forbids those still shows the widget as designed.
    if ("adoptedStyleSheets" in root) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else root.append(h("style", {}, CSS));
    root.append(h("div", { dir: st.direction, lang: st.language }, launch, panel));
    document.body.append(host);
    show();
    if (chat.open) toggle(true, false);
  };

  const begin = () => fetch(api + "/status" + q, { credentials: "omit" })
    .then(r => r.ok && r.json()).then(st => st && start(st), () => {});
  if (document.body) begin();
  else addEventListener("DOMContentLoaded", begin);
})();
