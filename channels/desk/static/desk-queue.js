// Agent desk, the list of conversations: filters and search, rows with a preview and
// labels, the "new" badge, and the alerts for new conversations (title count, optional
// sound, browser notifications).
"use strict";

(function () {
  const { $, state, BASE_TITLE, el, langBadge, dayClock } = window.Desk;
  const select = (id) => window.Desk.select(id);

  // ------------------------------------------------------------------ queue
  function queueQuery() {
    const p = new URLSearchParams({ filter: state.filter });
    for (const [k, v] of Object.entries(state.search)) if (v) p.set(k, v);
    return "/queue?" + p.toString();
  }

  // How long a citizen waits (still, or waited until claimed) in minutes: "ينتظر 23 د",
  // never "23:23", which reads as a time of day.
  function waited(seconds, still) {
    const minutes = Math.floor(Math.max(0, seconds) / 60);
    const h = Math.floor(minutes / 60), m = minutes % 60;
    const span = h ? `${h} س${m ? ` ${m} د` : ""}` : minutes ? `${minutes} د` : "أقل من دقيقة";
    return (still ? "ينتظر " : "انتظر ") + span;
  }

  function holderLabel(item) {
    return item.holder_label || (item.state === "agent"
      ? (item.mine ? "معك" : "مع " + item.claimed_by_name) : item.state_label);
  }

  function isUnread(item) {
    if (!item.unread) return false;
    if (item.id === state.selected) return false;  // the agent is looking at it
    const seen = state.seenCitizenAt[item.id];
    return !(seen && item.last_citizen_at && item.last_citizen_at <= seen);
  }

  function renderQueue(data) {
    state.queue = data.items;
    $("hours").textContent = data.in_working_hours ? "ضمن ساعات العمل" : "خارج ساعات العمل";
    $("hours").className = "pill " + (data.in_working_hours ? "ok" : "warn");
    const waiting = data.waiting || data.items.filter((i) => i.state === "queued").map((i) => i.id);
    $("queue-count").textContent = waiting.length + " بالانتظار";
    alertNew(waiting);
    const list = $("queue");
    const focused = document.activeElement && document.activeElement.closest(".queue-item");
    const focusedId = focused ? Number(focused.dataset.id) : null;
    list.replaceChildren();
    for (const item of data.items) {
      if (item.id === state.selected && item.last_citizen_at) state.seenCitizenAt[item.id] = item.last_citizen_at;
      const li = el("li", "queue-item" + (item.id === state.selected ? " selected" : "") +
        (item.state === "queued" ? " is-queued" : "") + (item.mine ? " is-mine" : "") +
        (item.open ? "" : " is-ended"));
      li.dataset.id = item.id;
      li.dataset.state = item.state;
      const open = el("button", "queue-open");
      open.type = "button";
      if (item.id === state.selected) open.setAttribute("aria-current", "true");
      const top = el("span", "row");
      top.append(el("span", "channel ch-" + item.channel, item.channel_label));
      top.append(el("strong", "label", item.label));
      // Arabic is the default; only another language gets a badge in the list.
      if (item.language && item.language !== "ar") top.append(langBadge(item));
      if (isUnread(item)) top.append(el("span", "dot", "جديد"));
      open.append(top);
      open.append(el("span", "reason", item.reason_label));
      if (item.preview) {
        const pv = el("span", "preview");
        pv.append(el("span", "preview-who", item.preview.author_label + ": "));
        const t = el("bdi", null, item.preview.text);
        t.dir = "auto";
        pv.append(t);
        open.append(pv);
      }
      if (item.labels && item.labels.length) {
        const tags = el("span", "tags");
        for (const l of item.labels) tags.append(el("span", "tag", l));
        open.append(tags);
      }
      const bottom = el("span", "row muted");
      const wait = el("span", "wait");
      if (item.open) {
        wait.dataset.base = item.waiting_seconds;
        wait.dataset.fetched = Date.now();
        wait.dataset.ticking = item.state === "queued" ? "1" : "0";
        wait.textContent = waited(item.waiting_seconds, item.state === "queued");
      } else {
        wait.textContent = "انتهت " + dayClock(item.ended_at) +
          (item.ended_by_name ? " · " + item.ended_by_name : "");
      }
      bottom.append(wait);
      bottom.append(el("span", "state st-" + item.state, holderLabel(item)));
      if (item.channel === "whatsapp" && item.open) {
        bottom.append(el("span", item.whatsapp_window_open ? "wa open" : "wa closed",
          item.whatsapp_window_open ? "نافذة واتساب مفتوحة" : "نافذة واتساب مغلقة"));
      }
      if (item.ticket_ref) bottom.append(el("span", "ticket", "بلاغ " + item.ticket_ref));
      open.append(bottom);
      open.addEventListener("click", () => select(item.id));
      li.append(open);
      list.append(li);
      if (item.id === focusedId) open.focus();
    }
    const empty = $("queue-empty");
    empty.textContent = state.filter === "open" && !Object.values(state.search).some(Boolean)
      ? "لا توجد محادثات بانتظار موظف 🎉" : "لا توجد محادثات تطابق البحث.";
    empty.classList.toggle("hidden", data.items.length > 0);
  }

  // ------------------------------------------------------------------ alerts
  function alertNew(waiting) {
    document.title = waiting.length ? `(${waiting.length}) ${BASE_TITLE}` : BASE_TITLE;
    const fresh = state.knownWaiting === null ? [] : waiting.filter((id) => !state.knownWaiting.has(id));
    state.knownWaiting = new Set(waiting);
    if (!fresh.length) return;
    document.body.dataset.alerts = String(Number(document.body.dataset.alerts || 0) + fresh.length);
    if ($("opt-sound").checked) beep();
    if ("Notification" in window && Notification.permission === "granted") {
      const n = new Notification("محادثة جديدة بانتظار موظف", {
        body: fresh.length === 1 ? "محادثة #" + fresh[0] : fresh.length + " محادثات جديدة",
        icon: "/desk/static/favicon.svg",
        tag: "desk-new",
        lang: "ar",
        dir: "rtl",
      });
      n.onclick = () => { window.focus(); select(fresh[0]); n.close(); };
    }
  }

  function beep() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      const ctx = beep.ctx || (beep.ctx = new Ctx());
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
      document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
    } catch (e) { /* no audio on this machine */ }
  }

  function wireAlerts() {
    const sound = $("opt-sound");
    sound.checked = localStorage.getItem("desk.sound") === "1";
    sound.addEventListener("change", () => {
      localStorage.setItem("desk.sound", sound.checked ? "1" : "0");
      if (sound.checked) beep();
    });
    const btn = $("btn-notify");
    const show = () => {
      const p = "Notification" in window ? Notification.permission : "unsupported";
      btn.classList.toggle("hidden", p !== "default");
    };
    btn.addEventListener("click", async () => {
      if ("Notification" in window) await Notification.requestPermission();
      show();
    });
    show();
  }

  function tickWaits() {
    for (const w of document.querySelectorAll(".wait[data-ticking='1']")) {
      const secs = Number(w.dataset.base) + (Date.now() - Number(w.dataset.fetched)) / 1000;
      w.textContent = waited(secs, true);
    }
  }

  Object.assign(window.Desk, { queueQuery, holderLabel, renderQueue, tickWaits, wireAlerts });
})();
