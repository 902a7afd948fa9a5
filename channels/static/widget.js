/*
 * Citizen Account assistant — embeddable web chat widget (no build step).
 *
 *   <script src="https://<rasa-host>/chat/widget.js" defer></script>
 *
 * Optional attributes on the <script> tag:
 *   data-open="true"     open the chat when the page loads
 *   data-title="..."     header title (default: مساعد حساب المواطن)
 *
 * Talks to the Rasa server over a WebSocket (/chat/ws). The server issues and signs the
 * session token; it is kept in localStorage so the conversation and its history survive
 * a page reload. Right to left, keyboard and screen-reader friendly, reconnects by itself.
 */
(function () {
  "use strict";
  if (window.__citizenAccountChat) { return; }
  window.__citizenAccountChat = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var BASE = new URL(".", script.src);                     // e.g. https://host/chat/
  var WS_URL = new URL("ws", BASE);
  WS_URL.protocol = BASE.protocol === "https:" ? "wss:" : "ws:";
  var TITLE = script.getAttribute("data-title") || "مساعد حساب المواطن";
  var STORE_KEY = "cza.session.v1";
  var OPEN_KEY = "cza.open.v1";
  var MAX_LEN = 1000;

  var T = {
    open: "افتح محادثة " + TITLE,
    close: "إغلاق المحادثة",
    log: "رسائل المحادثة",
    input: "اكتب رسالتك",
    placeholder: "اكتب سؤالك هنا…",
    send: "إرسال",
    chips: "خيارات مقترحة",
    typing: "المساعد يكتب…",
    you: "أنت",
    bot: "المساعد",
    agent: "موظف خدمة العملاء",
    system: "تنبيه",
    connecting: "جارٍ الاتصال…",
    reconnecting: "انقطع الاتصال، جارٍ إعادة الاتصال…",
    online: "متصل",
    welcome: "أهلاً بك 👋 اكتب سؤالك عن حساب المواطن، مثل: وش شروط الأهلية؟"
  };

  // ---------------------------------------------------------------- storage
  var memory = {};
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return memory[key] || null; }
  }
  function save(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { memory[key] = value; }
  }
  function uid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // ---------------------------------------------------------------- DOM
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("widget.css", BASE).href;
  document.head.appendChild(css);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var root = el("div", { "class": "cza-root", dir: "rtl", lang: "ar" });
  var launcher = el("button", { type: "button", "class": "cza-launcher", "aria-label": T.open,
    "aria-expanded": "false", "aria-controls": "cza-panel" });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var panel = el("section", { id: "cza-panel", "class": "cza-panel", role: "dialog",
    "aria-labelledby": "cza-title", hidden: "" });
  var header = el("header", { "class": "cza-header" });
  var title = el("h2", { id: "cza-title", "class": "cza-title" }, TITLE);
  var status = el("span", { "class": "cza-status", role: "status", "aria-live": "polite" }, T.connecting);
  var closeBtn = el("button", { type: "button", "class": "cza-close", "aria-label": T.close }, "×");
  var headText = el("div", { "class": "cza-headtext" });
  headText.appendChild(title);
  headText.appendChild(status);
  header.appendChild(headText);
  header.appendChild(closeBtn);

  var log = el("div", { "class": "cza-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": T.log, tabindex: "0" });
  var typing = el("div", { "class": "cza-typing", hidden: "" });
  typing.appendChild(el("span", { "class": "cza-sr" }, T.typing));
  for (var i = 0; i < 3; i++) { typing.appendChild(el("span", { "class": "cza-dot", "aria-hidden": "true" })); }
  var chips = el("div", { "class": "cza-chips", role: "group", "aria-label": T.chips });
  var form = el("form", { "class": "cza-form" });
  var label = el("label", { "for": "cza-input", "class": "cza-sr" }, T.input);
  var input = el("textarea", { id: "cza-input", "class": "cza-input", rows: "1", maxlength: String(MAX_LEN),
    placeholder: T.placeholder, dir: "auto", autocomplete: "off" });
  var sendBtn = el("button", { type: "submit", "class": "cza-send", "aria-label": T.send });
  sendBtn.innerHTML = '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M3 12 21 3l-3 9 3 9z"/></svg>';
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendBtn);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(chips);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  function mount() { document.body.appendChild(root); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }

  // ---------------------------------------------------------------- open / close
  function setOpen(open, focus) {
    if (open) { panel.removeAttribute("hidden"); } else { panel.setAttribute("hidden", ""); }
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("cza-is-open", open);
    try { window.sessionStorage.setItem(OPEN_KEY, open ? "1" : "0"); } catch (e) { /* ignore */ }
    if (open && focus !== false) { input.focus(); scrollDown(); }
    if (!open && focus !== false) { launcher.focus(); }
  }
  launcher.addEventListener("click", function () { setOpen(panel.hasAttribute("hidden")); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false); }
  });

  // ---------------------------------------------------------------- rendering
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function who(author) {
    return author === "citizen" ? T.you : author === "agent" ? T.agent : author === "system" ? T.system : T.bot;
  }
  function timeOf(at) {
    try {
      return new Date(at).toLocaleTimeString("ar-SA", { hour: "2-digit", minute: "2-digit" });
    } catch (e) { return ""; }
  }
  function bubble(author, text, at, extraClass) {
    var item = el("div", { "class": "cza-msg cza-" + author + (extraClass ? " " + extraClass : "") });
    item.appendChild(el("span", { "class": "cza-sr" }, who(author) + ": "));
    var body = el("div", { "class": "cza-text", dir: "auto" });
    body.textContent = text;
    item.appendChild(body);
    if (at) {
      var t = el("time", { "class": "cza-time", datetime: at }, timeOf(at));
      item.appendChild(t);
    }
    log.appendChild(item);
    scrollDown();
    return item;
  }
  function welcome() {
    if (!log.querySelector(".cza-msg")) { bubble("bot", T.welcome, null, "cza-welcome"); }
  }
  function showChips(buttons) {
    chips.textContent = "";
    (buttons || []).forEach(function (b) {
      var chip = el("button", { type: "button", "class": "cza-chip" }, b.title);
      chip.addEventListener("click", function () { sendMessage({ payload: b.payload, title: b.title }); });
      chips.appendChild(chip);
    });
    chips.hidden = !buttons || !buttons.length;
  }
  function setTyping(on) {
    if (on) { typing.removeAttribute("hidden"); scrollDown(); } else { typing.setAttribute("hidden", ""); }
  }
  function renderMessage(m) {
    var w = log.querySelector(".cza-welcome");
    if (w) { w.remove(); }
    bubble(m.author, m.text, m.at);
    if (m.author !== "citizen") { showChips(m.buttons); }
  }

  // ---------------------------------------------------------------- connection
  var ws = null;
  var ready = false;
  var attempts = 0;
  var pending = [];          // messages not yet acknowledged by the server
  var pingTimer = null;
  var retryTimer = null;

  function setStatus(text) { status.textContent = text; }

  function connect() {
    clearTimeout(retryTimer);
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) { return; }
    setStatus(attempts ? T.reconnecting : T.connecting);
    try { ws = new WebSocket(WS_URL.href); } catch (e) { scheduleReconnect(); return; }
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", token: load(STORE_KEY) }));
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    ws.onclose = function () {
      ready = false;
      clearInterval(pingTimer);
      root.classList.remove("cza-online");
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    attempts += 1;
    setStatus(T.reconnecting);
    var delay = Math.min(15000, 500 * Math.pow(2, Math.min(attempts, 5))) + Math.random() * 400;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function handle(frame) {
    switch (frame.type) {
      case "session":
        save(STORE_KEY, frame.token);
        break;
      case "history":
        ready = true;
        attempts = 0;
        root.classList.add("cza-online");
        setStatus(T.online);
        log.textContent = "";
        showChips([]);
        (frame.messages || []).forEach(function (m) { bubble(m.author, m.text, m.at); });
        var last = (frame.messages || [])[frame.messages.length - 1];
        if (last && last.author !== "citizen") { showChips(last.buttons); }
        pending.forEach(function (p) {
          bubble("citizen", p.title || p.text, null, "cza-pending").setAttribute("data-cid", p.id);
        });
        welcome();
        pending.forEach(transmit);
        clearInterval(pingTimer);
        pingTimer = setInterval(function () { if (ready) { ws.send('{"type":"ping"}'); } }, 25000);
        break;
      case "message":
        setTyping(false);
        renderMessage(frame.message);
        break;
      case "typing":
        setTyping(!!frame.on);
        break;
      case "ack":
        pending = pending.filter(function (p) { return p.id !== frame.id; });
        var mine = log.querySelector('[data-cid="' + String(frame.id).replace(/"/g, "") + '"]');
        if (mine) { mine.classList.remove("cza-pending"); }
        break;
      case "error":
        if (frame.code === "auth") { save(STORE_KEY, null); attempts = 0; }
        break;
      default:
        break;
    }
  }

  function transmit(message) {
    if (!ready || !ws || ws.readyState !== 1) { return false; }
    var frame = { type: "message", id: message.id };
    if (message.payload) { frame.payload = message.payload; frame.title = message.title; } else { frame.text = message.text; }
    ws.send(JSON.stringify(frame));
    return true;
  }

  function sendMessage(message) {
    message.id = uid();
    pending.push(message);
    showChips([]);
    var w = log.querySelector(".cza-welcome");
    if (w) { w.remove(); }
    bubble("citizen", message.title || message.text, new Date().toISOString(), "cza-pending")
      .setAttribute("data-cid", message.id);
    if (transmit(message)) { setTyping(true); } else { connect(); }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    autosize();
    sendMessage({ text: text.slice(0, MAX_LEN) });
    input.focus();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });
  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }
  input.addEventListener("input", autosize);
  window.addEventListener("online", function () { attempts = 0; connect(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (!ws || ws.readyState > 1)) { attempts = 0; connect(); }
  });

  var wasOpen = null;
  try { wasOpen = window.sessionStorage.getItem(OPEN_KEY); } catch (e) { /* ignore */ }
  setOpen(wasOpen === "1" || (wasOpen === null && script.getAttribute("data-open") === "true"), false);
  welcome();
  connect();
})();
