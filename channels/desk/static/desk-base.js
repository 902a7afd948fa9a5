// Agent desk, shared pieces: page state, the JSON API, small DOM and time helpers.
// Loaded first; desk-queue.js and desk.js use them through window.Desk.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    me: null,
    csrf: "",
    pollMs: 3000,
    selected: null,       // handoff id
    lastMessageId: 0,
    loaded: false,        // the selected conversation's first (full) load is done
    detail: null,         // latest handoff summary of the selected conversation
    queue: [],
    timer: null,
    busy: false,
    filter: "open",
    search: {},
    knownWaiting: null,   // ids of waiting conversations already announced
    seenCitizenAt: {},    // id -> the citizen's latest message time the agent has seen
    live: false,
    refreshing: null,
    typingSentAt: 0,
    typingTimer: null,
  };
  const BASE_TITLE = document.title;

  // ------------------------------------------------------------------ http
  async function api(method, path, body) {
    const init = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = state.csrf;
      init.body = JSON.stringify(body || {});
    }
    const res = await fetch("/desk/api" + path, init);
    if (res.status === 401) {
      window.location.href = "/desk/login";
      throw new Error("signed out");
    }
    let data = {};
    try { data = await res.json(); } catch (e) { /* empty body */ }
    if (!res.ok) {
      const err = new Error(data.message || data.error || ("HTTP " + res.status));
      err.status = res.status;
      err.data = data;
      throw err;
    }
    return data;
  }

  function toast(text, kind) {
    const t = $("toast");
    t.textContent = text;
    t.className = "toast " + (kind || "");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.className = "toast hidden"; }, 5000);
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // The citizen's language (the server reads it from their messages): a small badge with
  // its name in its own script, so the agent knows which language to answer in.
  function langBadge(item) {
    const b = el("span", "lang lang-" + item.language, item.language_label);
    b.lang = item.language;
    b.title = "لغة المواطن";
    return b;
  }

  // ------------------------------------------------------------------ formatting
  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }
  function clock(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleTimeString("ar-SA-u-nu-latn", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Riyadh" });
  }
  function dayClock(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString("ar-SA-u-nu-latn-ca-gregory", {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Riyadh" });
  }


  window.Desk = { $, state, BASE_TITLE, api, toast, el, langBadge, duration, clock, dayClock };
})();
