// Agent desk, the open conversation and the page's life: transcript, internal notes,
// labels, replies and typing notices, claim/transfer/hand back/close, and live updates
// over server-sent events (/desk/api/events) with a slow refresh as a safety net.
// (desk-base.js: state and helpers; desk-queue.js: the list and the alerts; desk-view.js:
// the newest message in view and the narrow screens' views; desk-team.js: colleagues.)
// Everything from the server is put in the page with textContent, never as HTML.
"use strict";

(function () {
  const { $, state, api, toast, el, langBadge, duration, clock } = window.Desk;
  const { queueQuery, holderLabel, renderQueue, tickWaits, wireAlerts } = window.Desk;

  // ------------------------------------------------------------------ conversation
  function select(id) {
    if (state.selected === id) return;
    state.selected = id;
    state.loaded = false;
    state.lastMessageId = 0;
    state.detail = null;
    state.notesShown = new Set();
    $("transcript").replaceChildren();
    $("collected").replaceChildren();
    $("reply").value = "";
    for (const li of document.querySelectorAll(".queue-item")) {
      li.classList.toggle("selected", Number(li.dataset.id) === id);
    }
    for (const b of document.querySelectorAll(".queue-open")) {
      if (b.closest(".queue-item").dataset.id == id) {
        b.setAttribute("aria-current", "true");
        const dot = b.querySelector(".dot");
        if (dot) dot.remove();  // opened: no longer new
      } else {
        b.removeAttribute("aria-current");
      }
    }
    const item = state.queue.find((i) => i.id === id);
    if (item && item.last_citizen_at) state.seenCitizenAt[id] = item.last_citizen_at;
    $("placeholder").classList.add("hidden");
    $("conversation").classList.remove("hidden");
    window.Desk.showPane("transcript");
    window.Desk.showView("conversation");
    refreshConversation();
  }

  function renderMessages(messages, first) {
    const list = $("transcript");
    let added = false;
    for (const m of messages) {
      if (m.id <= state.lastMessageId) continue;
      const li = el("li", "msg from-" + m.author);
      li.dataset.id = m.id;
      li.dataset.author = m.author;
      li.dataset.at = m.at;
      const head = el("div", "msg-head");
      head.append(el("span", "who", m.author_label));
      const when = el("time", "when", clock(m.at));
      when.dateTime = m.at;
      head.append(when);
      li.append(head);
      const text = el("div", "text", m.text);
      text.dir = "auto";  // URLs, e-mails, IBANs read the right way round
      li.append(text);
      if (m.buttons && m.buttons.length) {
        const b = el("div", "buttons");
        for (const title of m.buttons) b.append(el("span", "chip", title));
        li.append(b);
      }
      list.append(li);
      added = true;
      state.lastMessageId = Math.max(state.lastMessageId, m.id);
    }
    if (added || first) window.Desk.follow(first);
  }

  function renderNotes(notes) {
    const list = $("transcript");
    for (const n of notes || []) {
      if (state.notesShown.has(n.id)) continue;
      state.notesShown.add(n.id);
      const li = el("li", "msg note");
      li.dataset.note = n.id;
      li.dataset.at = n.at;
      const head = el("div", "msg-head");
      head.append(el("span", "who", "ملاحظة داخلية · " + (n.author_name || n.author)));
      const when = el("time", "when", clock(n.at));
      when.dateTime = n.at;
      head.append(when);
      li.append(head);
      const text = el("div", "text", n.text);
      text.dir = "auto";
      li.append(text);
      li.append(el("div", "note-hint", "لا تصل للمواطن"));
      const after = [...list.children].find((c) => c.dataset.at && c.dataset.at > n.at);
      list.insertBefore(li, after || null);
      window.Desk.follow(!after);  // the agent's own newest note: in view
    }
  }

  function renderHeader(d) {
    const h = d.handoff;
    state.detail = d;
    $("conv-title").textContent = "محادثة \u2066" + h.label + "\u2069";  // "#12 · ••••5678" reads left to right
    $("conv-lang").replaceChildren(...(h.language ? [langBadge(h)] : []));
    const parts = [h.channel_label, h.reason_label, holderLabel(h)];
    if (d.reason_detail) parts.push(d.reason_detail);
    $("conv-meta").textContent = parts.join(" · ");
    $("conversation").dataset.state = h.state;
    const open = h.state === "queued" || h.state === "agent";
    const mine = h.state === "agent" && h.mine;
    $("btn-claim").classList.toggle("hidden", h.state !== "queued");
    $("btn-release").classList.toggle("hidden", !mine);
    $("btn-ticket").classList.toggle("hidden", !mine);
    $("btn-transfer").classList.toggle("hidden", !mine);
    $("btn-return").classList.toggle("hidden", !(mine || h.state === "queued"));
    $("btn-close").classList.toggle("hidden", !(mine || h.state === "queued"));
    const canReply = !!d.can_reply && !(d.whatsapp_window && !d.whatsapp_window.open);
    const noting = noteMode();
    const canWrite = noting || canReply;
    document.querySelector("input[name=mode][value=reply]").disabled = !canReply;
    $("composer").classList.toggle("disabled", !canWrite);
    $("composer").classList.toggle("noting", noting);
    $("reply").disabled = !canWrite;
    $("btn-send").disabled = !canWrite;
    $("btn-send").textContent = noting ? "حفظ الملاحظة" : "إرسال";
    $("reply").setAttribute("aria-label", noting ? "ملاحظة داخلية" : "الرد للمواطن");
    $("reply").placeholder = noting ? "ملاحظة لزملائك، لا تصل للمواطن… (\u2066Ctrl+Enter\u2069 للحفظ)"
      : canReply ? "اكتب ردك للمواطن… (\u2066Ctrl+Enter\u2069 للإرسال)"
      : (open && !mine ? "استلم المحادثة لتتمكن من الرد، أو اكتب ملاحظة داخلية."
        : "المحادثة ليست معك، وتقدر تكتب ملاحظة داخلية.");
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
      renderMessages(d.messages, first);
      renderNotes(d.notes);
      window.Desk.renderLabels(d.labels);
      window.Desk.renderTickets(d.tickets);
      if (first) window.Desk.renderCollected(d.collected, d.known_ids);
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
      refresh();
    }
  }

  function noteMode() {
    const r = document.querySelector("input[name=mode]:checked");
    return !!r && r.value === "note";
  }

  // The citizen sees "<agent> is typing": tell the server at most every 3 seconds, and
  // that it stopped after 4 quiet seconds or when the message goes.
  function typingNotice(on) {
    const d = state.detail;
    if (!d || !d.can_reply || noteMode()) return;
    clearTimeout(state.typingTimer);
    if (on) {
      state.typingTimer = setTimeout(() => typingNotice(false), 4000);
      if (Date.now() - state.typingSentAt < 3000) return;
      state.typingSentAt = Date.now();
    } else {
      if (!state.typingSentAt) return;
      state.typingSentAt = 0;
    }
    api("POST", `/handoffs/${state.selected}/typing`, { on }).catch(() => {});
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
      if (noteMode()) {
        if (await act("note", { text })) {
          $("reply").value = "";
          toast("حُفظت الملاحظة (لا تصل للمواطن).", "ok");
        }
        return;
      }
      clearTimeout(state.typingTimer);
      state.typingSentAt = 0;
      const canned = $("reply").dataset.canned || "";
      const res = await act("reply", { text, canned });
      window.Desk.follow(true);  // the agent's own message comes into view
      if (res) {
        $("reply").value = "";
        delete $("reply").dataset.canned;
        if (res.note) toast(res.note);
      }
    });
    $("reply").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("composer").requestSubmit();
    });
    $("reply").addEventListener("input", () => {
      delete $("reply").dataset.canned;
      typingNotice($("reply").value.trim().length > 0);
    });
    for (const r of document.querySelectorAll("input[name=mode]")) {
      r.addEventListener("change", () => {
        if (noteMode()) typingNotice(false);
        if (state.detail) renderHeader(state.detail);
        $("reply").focus();
      });
    }
    window.Desk.wireTeam();
    $("label-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const label = $("label-input").value.trim();
      if (!label) return;
      if (await act("label", { label })) $("label-input").value = "";
    });
    for (const b of document.querySelectorAll(".filter")) {
      b.addEventListener("click", () => {
        state.filter = b.dataset.filter;
        for (const o of document.querySelectorAll(".filter")) {
          o.setAttribute("aria-pressed", String(o === b));
        }
        refresh();
      });
    }
    $("search").addEventListener("submit", (e) => {
      e.preventDefault();
      state.search = {
        q: $("search-q").value.trim(),
        channel: $("search-channel").value,
        agent: $("search-agent").value,
        from: $("search-from").value,
        to: $("search-to").value,
      };
      refresh();
    });
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
    document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
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
    window.Desk.renderTeam(me);
    const sel = $("ticket-category");
    sel.replaceChildren();
    for (const c of me.ticket_categories) {
      const o = el("option", null, c.label);
      o.value = c.key;
      sel.append(o);
    }
  }

  async function poll() {
    // The open conversation and the list at once: a citizen's message shows without
    // waiting for the list.
    const list = api("GET", queueQuery()).then(renderQueue);
    await Promise.all([list, refreshConversation()]).catch(() => {
      /* offline for a moment: the next refresh retries */
    });
  }

  // Several notices in a burst make one refresh; one running refresh is followed by at
  // most one more.
  function refresh() {
    if (state.refreshing) { state.again = true; return state.refreshing; }
    state.refreshing = poll().finally(() => {
      state.refreshing = null;
      if (state.again) { state.again = false; refresh(); }
    });
    return state.refreshing;
  }

  function setLive(on) {
    state.live = on;
    $("live").textContent = on ? "متصل مباشرة" : "إعادة الاتصال…";
    $("live").className = "pill " + (on ? "ok" : "warn");
  }

  function connect() {
    if (!window.EventSource) return;
    const es = new EventSource("/desk/api/events");
    es.onopen = () => { setLive(true); refresh(); };
    es.addEventListener("handoff", () => refresh());
    es.addEventListener("signed_out", () => { window.location.href = "/desk/login"; });
    es.onerror = () => setLive(false);  // EventSource reconnects by itself
  }

  async function start() {
    wire();
    wireAlerts();
    renderMe(await api("GET", "/me"));
    await refresh();
    connect();
    // The safety net: live notices can be lost (a proxy drops the stream); poll slowly
    // while live, every few seconds while not.
    let last = Date.now();
    state.timer = setInterval(() => {
      const every = state.live ? 30000 : state.pollMs;
      if (!document.hidden && Date.now() - last >= every) { last = Date.now(); refresh(); }
    }, 1000);
    setInterval(tickWaits, 1000);
  }

  window.Desk.select = select;
  window.Desk.act = act;
  document.addEventListener("DOMContentLoaded", start);
})();
