// Sanad's small script. Every page works without it; it only adds live countdowns, keyboard
// shortcuts, canned-reply insertion and the live updates of a ticket page (server-sent events).
(function () {
  "use strict";

  var lang = document.documentElement.lang || "ar";
  var words = {
    ar: { left: "متبقٍ", overdue: "متأخر", d: "ي", h: "س", m: "د" },
    en: { left: "left", overdue: "overdue", d: "d", h: "h", m: "m" }
  }[lang === "en" ? "en" : "ar"];

  // Countdowns: <span class="countdown" data-deadline="2026-11-22T10:00:00Z">.
  function renderCountdowns() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (element) {
      var deadline = Date.parse(element.getAttribute("data-deadline"));
      if (isNaN(deadline)) { return; }
      var seconds = Math.round((deadline - now) / 1000);
      var overdue = seconds < 0;
      var rest = Math.abs(seconds);
      var days = Math.floor(rest / 86400);
      var hours = Math.floor((rest % 86400) / 3600);
      var minutes = Math.floor((rest % 3600) / 60);
      var parts = [];
      if (days > 0) { parts.push(days + words.d); }
      if (days > 0 || hours > 0) { parts.push(hours + words.h); }
      parts.push(minutes + words.m);
      element.textContent = parts.join(" ") + " " + (overdue ? words.overdue : words.left);
      var clock = element.closest(".clock");
      if (clock && clock.getAttribute("data-running") === "true") {
        clock.classList.toggle("clock-breached", overdue);
        clock.classList.toggle("clock-soon", !overdue && seconds < 4 * 3600);
        clock.classList.toggle("clock-ok", !overdue && seconds >= 4 * 3600);
      }
    });
  }

  // Keyboard shortcuts: "g q" queues, "g d" dashboard, "g l" log a contact, "g a" admin;
  // on a ticket "r" reply, "n" internal note, "/" search. Never while typing in a field.
  var pending = null;
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (pending === "g") {
      pending = null;
      var link = document.querySelector('[data-shortcut="g ' + key + '"]');
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    if (key === "g") { pending = "g"; setTimeout(function () { pending = null; }, 1500); return; }
    var target = document.querySelector('[data-key="' + key + '"]');
    if (target) {
      event.preventDefault();
      if (target.tagName === "INPUT" && target.type === "radio") { target.checked = true; }
      var focus = target.getAttribute("data-focus");
      (focus ? document.getElementById(focus) : target).focus();
    }
  }

  // Canned replies: choosing one fills the reply box (the server does the same without script).
  function onCannedChange(event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-canned-target]")) { return; }
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.getAttribute("data-canned-target"));
    if (box && option && option.getAttribute("data-body")) {
      box.value = option.getAttribute("data-body") + (box.value ? "\n\n" + box.value : "");
      box.focus();
    }
  }

  // Live ticket: the server sends "presence" (who else is here) and "changed" (a new message or
  // event); the timeline is then fetched again.
  function connectLive() {
    var root = document.querySelector("[data-live]");
    if (!root || !window.EventSource) { return; }
    var source = new EventSource(root.getAttribute("data-live"));
    source.addEventListener("presence", function (event) {
      var box = document.getElementById("presence");
      if (box) { box.textContent = event.data; box.hidden = event.data === ""; }
    });
    source.addEventListener("changed", function () {
      var timeline = document.getElementById("timeline");
      if (timeline && window.htmx) {
        window.htmx.ajax("GET", timeline.getAttribute("data-src"), { target: "#timeline", swap: "outerHTML" });
      }
      var notice = document.getElementById("changed-notice");
      if (notice) { notice.hidden = false; }
    });
  }

  // Tell others this person is typing a reply, at most every 20 seconds.
  var lastTyping = 0;
  function onReplyInput(event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-presence]")) { return; }
    var now = Date.now();
    if (now - lastTyping < 20000) { return; }
    lastTyping = now;
    var form = new FormData();
    form.append("_csrf", box.getAttribute("data-csrf"));
    fetch(box.getAttribute("data-presence"), { method: "POST", body: new URLSearchParams(form), credentials: "same-origin" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderCountdowns();
    setInterval(renderCountdowns, 15000);
    document.addEventListener("keydown", onKey);
    document.addEventListener("change", onCannedChange);
    document.addEventListener("input", onReplyInput);
    document.querySelectorAll("[data-hide-with-script]").forEach(function (element) { element.hidden = true; });
    connectLive();
    var errors = document.getElementById("form-errors");
    if (errors) { errors.focus(); }
  });
})();

// Knowledge base: a button with data-kb-insert puts its Markdown (an article's link in a reply,
// a file or picture in an article) where the cursor was in the text box named by
// data-kb-target. Without script these buttons stay hidden and the Markdown is shown to copy.
(function () {
  "use strict";

  function insertAtCursor(box, text) {
    var start = typeof box.selectionStart === "number" ? box.selectionStart : box.value.length;
    var end = typeof box.selectionEnd === "number" ? box.selectionEnd : start;
    var before = box.value.slice(0, start);
    var after = box.value.slice(end);
    var spaceBefore = before && !/\s$/.test(before) ? " " : "";
    var spaceAfter = after && !/^\s/.test(after) ? " " : "";
    box.value = before + spaceBefore + text + spaceAfter + after;
    var caret = (before + spaceBefore + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function onInsertClick(event) {
    var button = event.target.closest ? event.target.closest("[data-kb-insert]") : null;
    if (!button) { return; }
    var box = document.getElementById(button.getAttribute("data-kb-target"));
    if (!box) { return; }
    event.preventDefault();
    insertAtCursor(box, button.getAttribute("data-kb-insert"));
  }

  // Suggestions beside the request form need only the first words of the description (the
  // server reads eight at most): a long description is not sent with every keystroke.
  function onConfigRequest(event) {
    var detail = event.detail || {};
    if (!detail.elt || detail.elt.id !== "kb-suggestions" || !detail.parameters) { return; }
    var body = detail.parameters.body;
    if (typeof body === "string" && body.length > 300) { detail.parameters.body = body.slice(0, 300); }
  }

  // "Print / save as PDF" on the policy page: without script the link opens the print layout
  // (?print=1), from which the browser's own print command works; with it, print at once.
  function onPrintClick(event) {
    var link = event.target.closest && event.target.closest("a[data-print]");
    if (!link || typeof window.print !== "function") { return; }
    event.preventDefault();
    window.print();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("click", onPrintClick);
    document.addEventListener("htmx:configRequest", onConfigRequest);
    document.addEventListener("click", onInsertClick);
    document.querySelectorAll("[data-kb-needs-script]").forEach(function (element) { element.hidden = false; });
  });
})();
