// Agent desk, colleagues: the transfer list (each by name and username, online now or when
// last seen), the search by agent, unlocking a colleague's sign-in, and for supervisors
// the way to the console.
"use strict";

(function () {
  const { $, api, toast, el, clock, dayClock } = window.Desk;

  // Two colleagues may share a display name, never a username (isolated: it is Latin).
  const named = (a) => `${a.display_name} (\u2066${a.username}\u2069)`;
  const riyadhDay = (d) => d.toLocaleDateString("en-CA", { timeZone: "Asia/Riyadh" });

  function seen(a) {
    if (a.online) return "متصل الآن";
    if (!a.last_seen_at) return "ما دخل بعد";
    const today = riyadhDay(new Date(a.last_seen_at)) === riyadhDay(new Date());
    return "آخر ظهور " + (today ? clock(a.last_seen_at) : dayClock(a.last_seen_at));
  }

  async function openTransfer() {
    const { agents } = await api("GET", "/agents");
    if (!agents.length) { toast("لا يوجد زميل متاح للتحويل.", "error"); return; }
    const sel = $("transfer-to");
    sel.replaceChildren();
    // Online colleagues first, each group by name (the server's order).
    agents.sort((a, b) => Number(b.online) - Number(a.online));
    for (const a of agents) {
      const o = el("option", null, named(a) + " · " + seen(a));
      o.value = a.username;
      o.dataset.online = a.online ? "1" : "0";
      sel.append(o);
    }
    $("transfer-dialog").showModal();
  }

  function wireTeam() {
    $("btn-transfer").addEventListener("click", openTransfer);
    $("transfer-cancel").addEventListener("click", () => $("transfer-dialog").close());
    $("transfer-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await window.Desk.act("transfer", { to: $("transfer-to").value });
      if (res) {
        $("transfer-dialog").close();
        toast("حُوّلت المحادثة إلى " + res.to_name + ".", "ok");
      }
    });
    $("btn-unlock").addEventListener("click", () => $("unlock-dialog").showModal());
    $("unlock-cancel").addEventListener("click", () => $("unlock-dialog").close());
    $("unlock-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const who = $("unlock-who").value;
      try {
        await api("POST", `/agents/${encodeURIComponent(who)}/unlock`, {});
        $("unlock-dialog").close();
        toast("فُك قفل دخول الزميل.", "ok");
      } catch (err) {
        toast(err.message, "error");
      }
    });
  }

  function renderTeam(me) {
    $("btn-unlock").classList.toggle("hidden", !me.supervisor);
    $("console-link").classList.toggle("hidden", !me.supervisor);
    for (const a of me.agents || []) {
      if (a.username !== me.username) {
        const o = el("option", null, named(a));
        o.value = a.username;
        $("unlock-who").append(o);
      }
      const o = el("option", null, named(a));
      o.value = a.username;
      $("search-agent").append(o);
    }
  }

  Object.assign(window.Desk, { wireTeam, renderTeam });
})();
