// Agent desk: polls the queue and the open conversation every few seconds.
// Everything from the server is put in the page with textContent, never as HTML.
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
  };

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

  // ------------------------------------------------------------------ queue
  function renderQueue(data) {
    state.queue = data.items;
    $("hours").textContent = data.in_working_hours ? "ضمن ساعات العمل" : "خارج ساعات العمل";
    $("hours").className = "pill " + (data.in_working_hours ? "ok" : "warn");
    const waiting = data.items.filter((i) => i.state === "queued").length;
    $("queue-count").textContent = waiting + " بالانتظار";
    const list = $("queue");
    list.replaceChildren();
    for (const item of data.items) {
      const li = el("li", "queue-item" + (item.id === state.selected ? " selected" : "") +
        (item.state === "queued" ? " is-queued" : "") + (item.mine ? " is-mine" : ""));
      li.dataset.id = item.id;
      li.dataset.state = item.state;
      li.tabIndex = 0;
      const top = el("div", "row");
      top.append(el("span", "channel ch-" + item.channel, item.channel_label));
      top.append(el("strong", "label", item.label));
      if (item.unread) top.append(el("span", "dot", "جديد"));
      li.append(top);
      li.append(el("div", "reason", item.reason_label));
      const bottom = el("div", "row muted");
      const wait = el("span", "wait");
      wait.dataset.queuedAt = item.queued_at;
      wait.dataset.base = item.waiting_seconds;
      wait.dataset.fetched = Date.now();
      wait.dataset.ticking = item.state === "queued" ? "1" : "0";
      wait.textContent = "انتظار " + duration(item.waiting_seconds);
      bottom.append(wait);
      bottom.append(el("span", "state st-" + item.state,
        item.state === "agent" ? "مع " + (item.mine ? "أنت" : item.claimed_by_name) : item.state_label));
      if (item.channel === "whatsapp") {
        bottom.append(el("span", item.whatsapp_window_open ? "wa open" : "wa closed",
          item.whatsapp_window_open ? "نافذة واتساب مفتوحة" : "نافذة واتساب مغلقة"));
      }
      li.append(bottom);
      li.addEventListener("click", () => select(item.id));
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") select(item.id); });
      list.append(li);
    }
    $("queue-empty").classList.toggle("hidden", data.items.length > 0);
  }

  function tickWaits() {
    for (const w of document.querySelectorAll(".wait[data-ticking='1']")) {
      const secs = Number(w.dataset.base) + (Date.now() - Number(w.dataset.fetched)) / 1000;
      w.textContent = "انتظار " + duration(secs);
    }
  }

  // ------------------------------------------------------------------ conversation
  function select(id) {
    if (state.selected === id) return;
    state.selected = id;
    state.loaded = false;
    state.lastMessageId = 0;
    state.detail = null;
    $("transcript").replaceChildren();
    $("collected").replaceChildren();
    $("reply").value = "";
    for (const li of document.querySelectorAll(".queue-item")) {
      li.classList.toggle("selected", Number(li.dataset.id) === id);
    }
    $("placeholder").classList.add("hidden");
    $("conversation").classList.remove("hidden");
    refreshConversation();
  }

  function renderMessages(messages) {
    const list = $("transcript");
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    for (const m of messages) {
      if (m.id <= state.lastMessageId) continue;
      const li = el("li", "msg from-" + m.author);
      li.dataset.id = m.id;
      li.dataset.author = m.author;
      const head = el("div", "msg-head");
      head.append(el("span", "who", m.author_label));
      head.append(el("time", "when", clock(m.at)));
      li.append(head);
      li.append(el("div", "text", m.text));
      if (m.buttons && m.buttons.length) {
        const b = el("div", "buttons");
        for (const title of m.buttons) b.append(el("span", "chip", title));
        li.append(b);
      }
      list.append(li);
      state.lastMessageId = Math.max(state.lastMessageId, m.id);
    }
    if (messages.length && (nearBottom || messages.length === list.children.length)) {
      list.scrollTop = list.scrollHeight;
    }
  }

  function showValue(v) {
    if (v === true) return "نعم";
    if (v === false) return "لا";
    if (Array.isArray(v)) return v.map(showValue).join("، ");
    if (v && typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  function renderCollected(collected, known) {
    const dl = $("collected");
    dl.replaceChildren();
    for (const item of collected || []) {
      const dt = el("dt", null, item.label);
      dt.title = item.name;
      dl.append(dt);
      dl.append(el("dd", null, showValue(item.value)));
    }
    $("collected-empty").classList.toggle("hidden", (collected || []).length > 0);
    $("ticket-national-id").placeholder = (known && known.national_id) || "";
    $("ticket-mobile").placeholder = (known && known.mobile) || "";
  }

  function renderHeader(d) {
    const h = d.handoff;
    state.detail = d;
    $("conv-title").textContent = "محادثة " + h.label;
    const parts = [h.channel_label, h.reason_label, h.state === "agent" ? "مع " + h.claimed_by_name : h.state_label];
    if (d.reason_detail) parts.push(d.reason_detail);
    $("conv-meta").textContent = parts.join(" · ");
    $("conversation").dataset.state = h.state;
    const open = h.state === "queued" || h.state === "agent";
    const mine = h.state === "agent" && h.mine;
    $("btn-claim").classList.toggle("hidden", h.state !== "queued");
    $("btn-release").classList.toggle("hidden", !mine);
    $("btn-ticket").classList.toggle("hidden", !mine);
    $("btn-return").classList.toggle("hidden", !(mine || h.state === "queued"));
    $("btn-close").classList.toggle("hidden", !(mine || h.state === "queued"));
    const canReply = !!d.can_reply && !(d.whatsapp_window && !d.whatsapp_window.open);
    $("composer").classList.toggle("disabled", !canReply);
    $("reply").disabled = !canReply;
    $("btn-send").disabled = !canReply;
    $("reply").placeholder = canReply ? "اكتب ردك للمواطن… (Ctrl+Enter للإرسال)"
      : (open && !mine ? "استلم المحادثة لتتمكن من الرد." : "المحادثة ليست معك.");
    const wa = $("wa-window");
    if (d.whatsapp_window) {
      wa.classList.remove("hidden");
      wa.classList.toggle("warn", !d.whatsapp_window.open);
      wa.textContent = d.whatsapp_window.open
        ? "نافذة واتساب (24 ساعة) مفتوحة: تبقّى " + duration(d.whatsapp_window.remaining_seconds)
        : "نافذة واتساب (24 ساعة) مغلقة: لا يمكن إرسال رد حر حتى يكتب المواطن من جديد.";
    } else {
      wa.classList.add("hidden");
    }
    $("ticket-ref").textContent = d.ticket_ref ? "بلاغ صوتك مسموع: " + d.ticket_ref : "";
  }

  async function refreshConversation() {
    const id = state.selected;
    if (!id) return;
    const first = !state.loaded;
    try {
      const d = await api("GET", `/handoffs/${id}` + (first ? "" : `?since=${state.lastMessageId}`));
      if (state.selected !== id) return;
      state.loaded = true;
      renderHeader(d);
      renderMessages(d.messages);
      if (first) renderCollected(d.collected, d.known_ids);
    } catch (e) {
      if (e.status === 404) toast("المحادثة غير موجودة.", "error");
    }
  }

  async function act(action, body) {
    if (state.busy || !state.selected) return;
    state.busy = true;
    try {
      return await api("POST", `/handoffs/${state.selected}/${action}`, body);
    } catch (e) {
      toast(e.message, "error");
      return null;
    } finally {
      state.busy = false;
      poll();
    }
  }

  // ------------------------------------------------------------------ wiring
  function wire() {
    $("btn-claim").addEventListener("click", async () => {
      if (await act("claim")) toast("استلمت المحادثة.", "ok");
    });
    $("btn-release").addEventListener("click", () => act("release"));
    $("btn-return").addEventListener("click", async () => {
      if (!confirm("إرجاع المحادثة للمساعد الآلي؟")) return;
      if (await act("return")) toast("رجعت المحادثة للمساعد.", "ok");
    });
    $("btn-close").addEventListener("click", async () => {
      if (!confirm("إغلاق المحادثة؟")) return;
      if (await act("close")) toast("أُغلقت المحادثة.", "ok");
    });
    $("composer").addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = $("reply").value.trim();
      if (!text) return;
      const canned = $("reply").dataset.canned || "";
      const res = await act("reply", { text, canned });
      if (res) {
        $("reply").value = "";
        delete $("reply").dataset.canned;
        if (res.note) toast(res.note);
      }
    });
    $("reply").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("composer").requestSubmit();
    });
    $("reply").addEventListener("input", () => { delete $("reply").dataset.canned; });
    $("btn-ticket").addEventListener("click", () => {
      $("ticket-form").reset();
      $("ticket-form").dataset.nonce = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()));
      $("ticket-dialog").showModal();
    });
    $("ticket-cancel").addEventListener("click", () => $("ticket-dialog").close());
    $("ticket-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await act("ticket", {
        category: $("ticket-category").value,
        description: $("ticket-description").value,
        national_id: $("ticket-national-id").value,
        mobile: $("ticket-mobile").value,
        nonce: $("ticket-form").dataset.nonce,
      });
      if (res) {
        $("ticket-dialog").close();
        toast(res.ticket ? "فُتح البلاغ رقم " + res.ticket : res.message, "ok");
        if (res.suggested_reply) $("reply").value = res.suggested_reply;
      }
    });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  }

  function renderMe(me) {
    state.me = me;
    state.csrf = me.csrf;
    state.pollMs = Math.max(1, me.poll_seconds || 3) * 1000;
    $("me").textContent = me.display_name;
    $("logout-csrf").value = me.csrf;
    const canned = $("canned");
    canned.replaceChildren();
    for (const c of me.canned) {
      const b = el("button", "chip", c.title);
      b.type = "button";
      b.title = c.text;
      b.dataset.key = c.key;
      b.addEventListener("click", () => {
        $("reply").value = c.text;
        $("reply").dataset.canned = c.key;
        $("reply").focus();
      });
      canned.append(b);
    }
    const sel = $("ticket-category");
    sel.replaceChildren();
    for (const c of me.ticket_categories) {
      const o = el("option", null, c.label);
      o.value = c.key;
      sel.append(o);
    }
  }

  async function poll() {
    try {
      renderQueue(await api("GET", "/queue"));
      await refreshConversation();
    } catch (e) {
      /* offline for a moment: the next poll retries */
    }
  }

  async function start() {
    wire();
    renderMe(await api("GET", "/me"));
    await poll();
    state.timer = setInterval(() => { if (!document.hidden) poll(); }, state.pollMs);
    setInterval(tickWaits, 1000);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
