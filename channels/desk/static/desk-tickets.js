// Agent desk, the conversation's "صوتك مسموع" tickets: their status and history, a
// look-up by number, and the status dialog. The server decides who may change which
// ticket (a supervisor any; an agent only those of conversations they hold or held); the
// staff note stays on the desk, the citizen hears of the new status only.
"use strict";

(function () {
  const { $, state, api, toast, el, dayClock } = window.Desk;
  let shown = "";       // what the list shows, to redraw only on a change
  let current = null;   // the ticket in the dialog
  let listed = [];      // the conversation's tickets as last shown

  function historyItems(history) {
    const items = [];
    for (const h of history || []) {
      const li = el("li");
      const when = el("time", null, dayClock(h.at));
      when.dateTime = h.at;
      li.append(when, " · ", el("span", null, h.actor_name), ": ");
      li.append(h.created ? "فتح البلاغ"
        : (h.from_label && h.from_label !== h.to_label
          ? h.from_label + " ← " + h.to_label : (h.to_label || "")));
      if (h.note) li.append(el("div", null, "ملاحظة للمواطن: " + h.note));
      if (h.staff_note) li.append(el("div", "staff-note", "ملاحظة داخلية: " + h.staff_note));
      items.push(li);
    }
    return items;
  }

  function renderTickets(tickets) {
    const key = JSON.stringify(tickets || []);
    if (key === shown) return;
    shown = key;
    listed = tickets || [];
    const ul = $("tickets");
    ul.replaceChildren();
    for (const t of tickets || []) {
      const li = el("li", "ticket");
      li.dataset.number = t.number;
      const head = el("div", "ticket-head");
      const number = el("bdi", null, t.number);
      number.dir = "ltr";
      head.append(number, el("span", "muted small", t.category_label));
      head.append(el("span", "pill status", t.status_label), el("span", "spacer"));
      if (t.can_change) {
        const b = el("button", "link change-status", "تغيير الحالة");
        b.type = "button";
        b.setAttribute("aria-label", "تغيير حالة البلاغ " + t.number);
        b.addEventListener("click", () => openDialog(t));
        head.append(b);
      }
      li.append(head);
      if (t.history && t.history.length) {
        const d = el("details");
        d.append(el("summary", "small", "السجل (" + t.history.length + ")"));
        const ol = el("ol", "history");
        ol.append(...historyItems(t.history));
        d.append(ol);
        li.append(d);
      }
      ul.append(li);
    }
    $("tickets-empty").classList.toggle("hidden", (tickets || []).length > 0);
  }

  function openDialog(t) {
    current = t;
    $("status-form").reset();
    $("status-number").textContent = t.number;
    $("status-current").textContent = "الحالة الآن: " + t.status_label + " · " + t.category_label;
    const sel = $("status-select");
    sel.replaceChildren();
    for (const s of (state.me && state.me.ticket_statuses) || []) {
      const o = el("option", null, s.label);
      o.value = s.key;
      o.selected = s.key === t.status;
      sel.append(o);
    }
    $("status-history").replaceChildren(...historyItems(t.history));
    $("status-dialog").showModal();
  }

  async function submit(e) {
    e.preventDefault();
    if (!current || state.busy) return;
    state.busy = true;
    try {
      const res = await api("POST", `/tickets/${encodeURIComponent(current.number)}/status`, {
        status: $("status-select").value,
        note: $("status-note").value,
      });
      $("status-dialog").close();
      toast(res.citizen_notified
        ? "صارت حالة البلاغ " + res.ticket.status_label + "، وبيوصل المواطن إشعار."
        : "حُفظت الملاحظة على البلاغ.", "ok");
      renderTickets(listed.map((t) => (t.number === res.ticket.number ? res.ticket : t)));
    } catch (err) {
      toast(err.message, "error");
    } finally {
      state.busy = false;
    }
  }

  async function lookup(e) {
    e.preventDefault();
    const number = $("ticket-lookup-number").value.trim();
    if (!number) return;
    try {
      const { ticket } = await api("GET", `/tickets/${encodeURIComponent(number)}`);
      $("ticket-lookup-number").value = "";
      openDialog(ticket);
    } catch (err) {
      toast(err.message, "error");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("status-form").addEventListener("submit", submit);
    $("status-cancel").addEventListener("click", () => $("status-dialog").close());
    $("ticket-lookup").addEventListener("submit", lookup);
  });

  window.Desk.renderTickets = renderTickets;
})();
