/*
 * Citizen Account assistant — embeddable web chat widget (no build step).
 *
 *   <script src="https://<rasa-host>/chat/widget.js" defer></script>
 *
 * Optional attributes on the <script> tag:
 *   data-open="true"     open the chat when the page loads
 *   data-title="..."     header title (default: مساعد حساب المواطن / Citizen Account assistant)
 *   data-lang="en"       the widget's own labels before the conversation says a language
 *
 * Talks to the Rasa server over a WebSocket (/chat/ws). The server issues and signs the
 * session token; it is kept in localStorage so the conversation and its history survive
 * a page reload. Right to left, keyboard and screen-reader friendly, reconnects by itself.
 *
 * A message the server did not take (the per-citizen rate limit) stays in the list, marked
 * "not sent" with a countdown and a button to send it again; such messages are kept in
 * localStorage too, so a reload does not lose them. Until the countdown ends, what the
 * citizen writes waits in the same way instead of being sent to be refused.
 *
 * While an agent holds the conversation the server says so ("handoff" frames): the header
 * and the agent's messages show the agent's name, and the typing indicator shows the
 * agent's real typing; the bot's dots show only while the bot is answering. Times use
 * Western digits, like the bot's texts.
 *
 * The widget's own labels (placeholder, send, typing, connection notices...) follow the
 * conversation's language: Arabic right to left, or English left to right. The server
 * says which with the history ("lang": the citizen's language so far) and with each bot
 * message (the language it is written in); the last one is remembered for the next visit.
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
  var CUSTOM_TITLE = script.getAttribute("data-title");
  var STORE_KEY = "cza.session.v1";
  var OPEN_KEY = "cza.open.v1";
  var LANG_KEY = "cza.lang.v1";
  var UNSENT_KEY = "cza.unsent.v1";
  var MAX_LEN = 1000;

  // The widget's own words in each language, the same keys (tests/unit/test_widget_labels.py
  // reads this table as JSON between the two markers: keep it JSON).
  // labels:begin
  var LABELS = {
    "ar": {
      "dir": "rtl",
      "locale": "ar-SA-u-nu-latn",
      "title": "مساعد حساب المواطن",
      "open": "افتح محادثة {title}",
      "close": "إغلاق المحادثة",
      "log": "رسائل المحادثة",
      "input": "اكتب رسالتك",
      "placeholder": "اكتب سؤالك هنا…",
      "send": "إرسال",
      "chips": "خيارات مقترحة",
      "typing": "المساعد يكتب…",
      "agentTyping": "جارٍ الكتابة…",
      "you": "أنت",
      "bot": "المساعد",
      "agent": "موظف خدمة العملاء",
      "agentRole": "خدمة العملاء",
      "system": "تنبيه",
      "connecting": "جارٍ الاتصال…",
      "reconnecting": "انقطع الاتصال، جارٍ إعادة الاتصال…",
      "online": "متصل",
      "welcome": "أهلاً بك 👋 اكتب سؤالك عن حساب المواطن، مثل: وش شروط الأهلية؟",
      "notSentWait": "ما انرسلت · أرسلها بعد {s} ث",
      "notSent": "ما انرسلت",
      "retry": "أعد الإرسال"
    },
    "en": {
      "dir": "ltr",
      "locale": "en-GB",
      "title": "Citizen Account assistant",
      "open": "Open a chat with {title}",
      "close": "Close the chat",
      "log": "Chat messages",
      "input": "Type your message",
      "placeholder": "Type your question here…",
      "send": "Send",
      "chips": "Suggested options",
      "typing": "The assistant is typing…",
      "agentTyping": "typing…",
      "you": "You",
      "bot": "Assistant",
      "agent": "Customer service agent",
      "agentRole": "Customer service",
      "system": "Notice",
      "connecting": "Connecting…",
      "reconnecting": "Connection lost, reconnecting…",
      "online": "Online",
      "welcome": "Welcome 👋 Type your question about Citizen Account, like: What are the eligibility rules?",
      "notSentWait": "Not sent · send it again in {s} s",
      "notSent": "Not sent",
      "retry": "Send again"
    }
  };
  // labels:end

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
  function known(code) { return Object.prototype.hasOwnProperty.call(LABELS, code) ? code : null; }
  var lang = known(load(LANG_KEY)) || known(script.getAttribute("data-lang")) || "ar";
  var T = LABELS[lang];
  function titleText() { return CUSTOM_TITLE || T.title; }
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

  var root = el("div", { "class": "cza-root", dir: T.dir, lang: lang });
  var launcher = el("button", { type: "button", "class": "cza-launcher", "aria-label": T.open.replace("{title}", titleText()),
    "aria-expanded": "false", "aria-controls": "cza-panel" });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var panel = el("section", { id: "cza-panel", "class": "cza-panel", role: "dialog",
    "aria-labelledby": "cza-title", hidden: "" });
  var header = el("header", { "class": "cza-header" });
  var title = el("h2", { id: "cza-title", "class": "cza-title" }, titleText());
  var role = el("span", { id: "cza-role", "class": "cza-role", hidden: "" }, T.agentRole);
  var status = el("span", { "class": "cza-status", role: "status", "aria-live": "polite" }, T.connecting);
  var closeBtn = el("button", { type: "button", "class": "cza-close", "aria-label": T.close }, "×");
  var headText = el("div", { "class": "cza-headtext" });
  var subline = el("div", { "class": "cza-subline" });
  subline.appendChild(role);
  subline.appendChild(status);
  headText.appendChild(title);
  headText.appendChild(subline);
  header.appendChild(headText);
  header.appendChild(closeBtn);

  var log = el("div", { "class": "cza-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": T.log, tabindex: "0" });
  var typing = el("div", { "class": "cza-typing", hidden: "" });
  var typingLabel = el("span", { "class": "cza-sr" }, T.typing);
  typing.appendChild(typingLabel);
  for (var i = 0; i < 3; i++) { typing.appendChild(el("span", { "class": "cza-dot", "aria-hidden": "true" })); }
  var chips = el("div", { "class": "cza-chips", role: "group", "aria-label": T.chips });
  var form = el("form", { "class": "cza-form" });
  var label = el("label", { "for": "cza-input", "class": "cza-sr" }, T.input);
  var input = el("textarea", { id: "cza-input", "class": "cza-input", rows: "1", maxlength: String(MAX_LEN),
    placeholder: T.placeholder, dir: "auto", autocomplete: "off", enterkeyhint: "send" });
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
    fitViewport();
    if (open) { follow(); }
    if (open && focus !== false) { input.focus(); }
    if (!open && focus !== false) { launcher.focus(); }
  }
  launcher.addEventListener("click", function () { setOpen(panel.hasAttribute("hidden")); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false); }
  });

  // ---------------------------------------------------------------- keeping the newest message in view
  // The list follows the newest message unless the citizen scrolled up to read. Anything
  // that changes the list's size after a message is added (the suggestion buttons or the
  // typing row appearing below it, late fonts, a resize, the on-screen keyboard) scrolls
  // it again, after layout, so the last message is never left under the buttons.
  // Only the citizen's own scrolling (wheel, touch, keys) lets go of the bottom: a scroll
  // event caused by layout (the list shrinking as the buttons appear) must not.
  var stuck = true;
  var userScrolledAt = 0;
  function atBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 24; }
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function settle() {         // after the next layout (also where ResizeObserver is missing)
    requestAnimationFrame(function () { if (stuck) { scrollDown(); } });
  }
  function follow() {
    stuck = true;
    scrollDown();
    settle();
  }
  ["wheel", "touchstart", "touchmove", "keydown", "mousedown"].forEach(function (name) {
    log.addEventListener(name, function () { userScrolledAt = Date.now(); }, { passive: true });
  });
  log.addEventListener("scroll", function () {
    if (atBottom()) { stuck = true; } else if (Date.now() - userScrolledAt < 1500) { stuck = false; }
  }, { passive: true });
  var sizes = window.ResizeObserver ? new ResizeObserver(function () { if (stuck) { scrollDown(); } }) : null;
  function watchSizes() {
    if (sizes) { sizes.disconnect(); sizes.observe(log); }
  }
  watchSizes();
  window.addEventListener("resize", function () { if (stuck) { scrollDown(); } });

  // Phones: the on-screen keyboard shrinks only the visual viewport, so the full-screen
  // panel is sized to it and the input and the newest message stay above the keyboard.
  var small = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };
  function fitViewport() {
    var vv = window.visualViewport;
    if (!vv || !small.matches || panel.hasAttribute("hidden")) {
      root.style.removeProperty("--cza-vh");
      root.style.removeProperty("--cza-vtop");
      return;
    }
    root.style.setProperty("--cza-vh", vv.height + "px");
    root.style.setProperty("--cza-vtop", vv.offsetTop + "px");
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }

  // ---------------------------------------------------------------- rendering
  var holder = { state: "bot", name: null };    // who answers the citizen now
  function agentLabel(name) { return name ? name + " · " + T.agentRole : T.agent; }
  function who(author) {
    return author === "citizen" ? T.you : author === "agent" ? T.agent : author === "system" ? T.system : T.bot;
  }
  function timeOf(at) {
    try {
      return new Date(at).toLocaleTimeString(T.locale, { hour: "2-digit", minute: "2-digit" });
    } catch (e) { return ""; }
  }
  function bubble(author, text, at, extraClass, name) {
    var item = el("div", { "class": "cza-msg cza-" + author + (extraClass ? " " + extraClass : "") });
    if (author === "agent") {
      // A person wrote this: say who, visibly (screen readers read the same line).
      item.appendChild(el("span", { "class": "cza-from" }, agentLabel(name)));
    } else {
      item.appendChild(el("span", { "class": "cza-sr" }, who(author) + ": "));
    }
    var body = el("div", { "class": "cza-text", dir: "auto" });
    body.textContent = text;
    item.appendChild(body);
    if (at) {
      var t = el("time", { "class": "cza-time", datetime: at }, timeOf(at));
      item.appendChild(t);
    }
    log.appendChild(item);
    if (sizes) { sizes.observe(item); }
    follow();
    return item;
  }
  function welcome() {
    if (!log.querySelector(".cza-msg")) { bubble("bot", T.welcome, null, "cza-welcome"); }
  }
  function showChips(buttons) {
    var hadFocus = chips.contains(document.activeElement);
    chips.textContent = "";
    (buttons || []).forEach(function (b) {
      var chip = el("button", { type: "button", "class": "cza-chip" }, b.title);
      chip.addEventListener("click", function () { sendMessage({ payload: b.payload, title: b.title }); });
      chips.appendChild(chip);
    });
    chips.hidden = !buttons || !buttons.length;
    settle();
    // A keyboard user whose chip just went away continues in the input, not at the page top.
    if (hadFocus && chips.hidden) { input.focus(); }
  }

  var typingBy = null;
  var typingTimer = null;
  // Stop showing an indicator nobody switches off (a dropped socket, a closed desk tab).
  var TYPING_MAX_MS = { bot: 75000, agent: 8000 };
  function setTyping(on, by, name) {
    clearTimeout(typingTimer);
    if (!on) {
      typingBy = null;
      typing.setAttribute("hidden", "");
      return;
    }
    typingBy = by;
    typing.classList.toggle("cza-typing-agent", by === "agent");
    if (by === "agent") {
      typingLabel.className = "cza-typing-who";
      typingLabel.textContent = (name || holder.name || T.agent) + " · " + T.agentTyping;
    } else {
      typingLabel.className = "cza-sr";
      typingLabel.textContent = T.typing;
    }
    typing.removeAttribute("hidden");
    settle();
    typingTimer = setTimeout(function () { setTyping(false); }, TYPING_MAX_MS[by] || 10000);
  }
  function onTypingFrame(frame) {
    var by = frame.by === "agent" ? "agent" : "bot";
    if (!frame.on) {
      if (typingBy === by) { setTyping(false); }
      return;
    }
    // The bot's dots never show while a person holds the conversation.
    if (by === "bot" && holder.state === "agent") { return; }
    setTyping(true, by, frame.name);
  }
  function setHolder(state, name) {
    var withAgent = state === "agent";
    holder = { state: state || "bot", name: withAgent ? (name || null) : null };
    root.classList.toggle("cza-with-agent", withAgent);
    title.textContent = withAgent ? (holder.name || T.agent) : titleText();
    if (withAgent && holder.name) {
      role.removeAttribute("hidden");
      panel.setAttribute("aria-labelledby", "cza-title cza-role");
    } else {
      role.setAttribute("hidden", "");
      panel.setAttribute("aria-labelledby", "cza-title");
    }
    if (withAgent && typingBy === "bot") { setTyping(false); }
    if (!withAgent && typingBy === "agent") { setTyping(false); }
  }
  function renderMessage(m) {
    var w = log.querySelector(".cza-welcome");
    if (w) { w.remove(); }
    if (m.author !== "citizen") { showChips(m.buttons); }
    bubble(m.author, m.text, m.at, null, m.name);
  }

  // ---------------------------------------------------------------- messages not taken
  // The server refused them (too many messages in a short time) and said when it takes
  // messages again; they stay here, marked, until the citizen sends them again.
  var blockedUntil = 0;
  var unsent = [];
  try { unsent = JSON.parse(load(UNSENT_KEY) || "[]") || []; } catch (e) { unsent = []; }
  unsent.forEach(function (u) { blockedUntil = Math.max(blockedUntil, u.until || 0); });
  function keepUnsent() { save(UNSENT_KEY, unsent.length ? JSON.stringify(unsent) : null); }
  var countdown = null;
  function tick() {
    var left = Math.ceil((blockedUntil - Date.now()) / 1000);
    log.querySelectorAll(".cza-unsent").forEach(function (item) {
      var note = item.querySelector(".cza-note");
      var again = item.querySelector(".cza-retry");
      if (note) { note.textContent = left > 0 ? T.notSentWait.replace("{s}", left) : T.notSent; }
      if (again) { again.disabled = left > 0; }
    });
    if (left <= 0) { clearInterval(countdown); countdown = null; }
  }
  function markUnsent(item, message) {
    item.classList.remove("cza-pending");
    item.classList.add("cza-unsent");
    if (!item.querySelector(".cza-note")) {
      var note = el("span", { "class": "cza-note" });
      var again = el("button", { type: "button", "class": "cza-retry" }, T.retry);
      again.addEventListener("click", function () { resend(item, message); });
      item.appendChild(note);
      item.appendChild(again);
    }
    tick();
    if (!countdown && blockedUntil > Date.now()) { countdown = setInterval(tick, 1000); }
  }
  function refuse(message, seconds) {
    blockedUntil = Math.max(blockedUntil, Date.now() + Math.max(1, seconds || 1) * 1000);
    pending = pending.filter(function (p) { return p.id !== message.id; });
    message.until = blockedUntil;
    unsent = unsent.filter(function (u) { return u.id !== message.id; }).concat([message]);
    keepUnsent();
    var item = log.querySelector('[data-cid="' + String(message.id).replace(/"/g, "") + '"]');
    if (item) { markUnsent(item, message); }
  }
  function resend(item, message) {
    if (Date.now() < blockedUntil) { tick(); return; }
    unsent = unsent.filter(function (u) { return u.id !== message.id; });
    keepUnsent();
    item.remove();
    // A new id: the server has seen the old one (a retry must not look like a duplicate).
    sendMessage({ text: message.text, payload: message.payload, title: message.title });
  }
  function showUnsent() {
    unsent.forEach(function (u) {
      var item = bubble("citizen", u.title || u.text, u.at || null, "cza-unsent");
      item.setAttribute("data-cid", u.id);
      markUnsent(item, u);
    });
  }

  // ---------------------------------------------------------------- connection
  var ws = null;
  var ready = false;
  var attempts = 0;
  var pending = [];          // messages not yet acknowledged by the server
  var pingTimer = null;
  var retryTimer = null;

  var statusKey = "connecting";
  function setStatus(key) { statusKey = key; status.textContent = T[key]; }

  // ---------------------------------------------------------------- language
  // The conversation's language, as the server says it: the widget's own words follow,
  // with the reading direction. Messages keep their own direction (dir="auto").
  function setLanguage(code) {
    if (!known(code) || code === lang) { return; }
    lang = code;
    T = LABELS[code];
    save(LANG_KEY, code);
    root.setAttribute("dir", T.dir);
    root.setAttribute("lang", code);
    launcher.setAttribute("aria-label", T.open.replace("{title}", titleText()));
    closeBtn.setAttribute("aria-label", T.close);
    log.setAttribute("aria-label", T.log);
    chips.setAttribute("aria-label", T.chips);
    label.textContent = T.input;
    input.setAttribute("placeholder", T.placeholder);
    sendBtn.setAttribute("aria-label", T.send);
    role.textContent = T.agentRole;
    status.textContent = T[statusKey];
    setHolder(holder.state, holder.name);
    if (typingBy) { setTyping(true, typingBy); }
    var w = log.querySelector(".cza-welcome .cza-text");
    if (w) { w.textContent = T.welcome; }
  }

  function connect() {
    clearTimeout(retryTimer);
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) { return; }
    setStatus(attempts ? "reconnecting" : "connecting");
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
    setStatus("reconnecting");
    var delay = Math.min(15000, 500 * Math.pow(2, Math.min(attempts, 5))) + Math.random() * 400;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function handle(frame) {
    switch (frame.type) {
      case "session":
        save(STORE_KEY, frame.token);
        if (frame["new"]) {                              // a fresh conversation starts with the bot
          setHolder("bot", null);
          unsent = []; keepUnsent();                     // what was not sent belonged to the old one
        }
        break;
      case "history":
        ready = true;
        attempts = 0;
        root.classList.add("cza-online");
        setStatus("online");
        if (frame.lang) { setLanguage(frame.lang); }
        log.textContent = "";
        watchSizes();
        setTyping(false);
        showChips([]);
        (frame.messages || []).forEach(function (m) { bubble(m.author, m.text, m.at, null, m.name); });
        var last = (frame.messages || [])[frame.messages.length - 1];
        if (last && last.author !== "citizen") { showChips(last.buttons); }
        pending.forEach(function (p) {
          bubble("citizen", p.title || p.text, null, "cza-pending").setAttribute("data-cid", p.id);
        });
        showUnsent();
        welcome();
        pending.forEach(transmit);
        clearInterval(pingTimer);
        pingTimer = setInterval(function () { if (ready) { ws.send('{"type":"ping"}'); } }, 25000);
        break;
      case "message":
        setTyping(false);
        if (frame.lang) { setLanguage(frame.lang); }
        renderMessage(frame.message);
        break;
      case "typing":
        onTypingFrame(frame);
        break;
      case "handoff":
        setHolder(frame.state, frame.name);
        break;
      case "ack":
        if (frame.refused) {
          var refused = pending.filter(function (p) { return p.id === frame.id; })[0];
          if (refused) { refuse(refused, frame.retry_after); }
          break;
        }
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
    message.at = new Date().toISOString();
    pending.push(message);
    showChips([]);
    var w = log.querySelector(".cza-welcome");
    if (w) { w.remove(); }
    bubble("citizen", message.title || message.text, message.at, "cza-pending")
      .setAttribute("data-cid", message.id);
    // The server said when it takes messages again: until then this one waits here.
    if (Date.now() < blockedUntil) { refuse(message, 0); return; }
    // No dots here: the server shows them only if the bot, not a person, is answering.
    if (!transmit(message)) { connect(); }
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
