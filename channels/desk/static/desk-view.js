// Agent desk, what is on the screen: the transcript keeps the newest message in full view
// (as the widget does); on narrow screens (a phone, a tablet, a narrow window) the list
// and the open conversation are two views, and the details pane (what the bot collected,
// tickets, labels) takes the transcript's place when asked for.
"use strict";

(function () {
  const { $, el } = window.Desk;

  // ------------------------------------------------------------------ the newest message
  // The transcript follows the newest message unless the agent scrolled up to read. Anything
  // that changes its size after a message is added (the message's buttons, the header's
  // actions wrapping after a claim, the window, a late font) scrolls it again after layout.
  // Only the agent's own scrolling (wheel, touch, keys, the scrollbar) lets go of the
  // bottom: a scroll caused by layout must not.
  let stuck = true;
  let userScrolledAt = 0;
  const sizes = window.ResizeObserver ? new ResizeObserver(() => { if (stuck) scrollDown(); }) : null;

  function atBottom(list) { return list.scrollHeight - list.scrollTop - list.clientHeight < 24; }
  function scrollDown() { const list = $("transcript"); list.scrollTop = list.scrollHeight; }

  // Called after messages are added; `force` for the agent's own message and a newly
  // opened conversation.
  function follow(force) {
    if (force) stuck = true;
    if (!stuck) return;
    scrollDown();
    const last = $("transcript").lastElementChild;
    if (sizes) {
      sizes.disconnect();
      sizes.observe($("transcript"));
      if (last) sizes.observe(last);
    }
    requestAnimationFrame(() => { if (stuck) scrollDown(); });
  }

  function wireFollow() {
    const list = $("transcript");
    for (const name of ["wheel", "touchstart", "touchmove", "keydown", "mousedown"]) {
      list.addEventListener(name, () => { userScrolledAt = Date.now(); }, { passive: true });
    }
    list.addEventListener("scroll", () => {
      if (atBottom(list)) stuck = true;
      else if (Date.now() - userScrolledAt < 1500) stuck = false;
    }, { passive: true });
    window.addEventListener("resize", () => { if (stuck) scrollDown(); });
  }

  // ------------------------------------------------------------------ views
  // body[data-view] is "list" or "conversation"; the CSS shows one of them below 760 px.
  // #conversation[data-pane] is "transcript" or "details" (below 1000 px).
  function showView(name) {
    document.body.dataset.view = name;
    if (name === "list") {
      const current = document.querySelector(".queue-item.selected .queue-open");
      if (current && current.offsetParent) current.focus();
    }
  }

  function showPane(name) {
    $("conversation").dataset.pane = name;
    const details = name === "details";
    $("btn-details").setAttribute("aria-pressed", String(details));
    $("btn-details").textContent = details ? "المحادثة" : "ما جمعه المساعد";
    if (!details) follow(true);
  }

  function wireViews() {
    showView("list");
    showPane("transcript");
    $("btn-back").addEventListener("click", () => showView("list"));
    $("btn-details").addEventListener("click", () => {
      showPane($("conversation").dataset.pane === "details" ? "transcript" : "details");
    });
  }

  // ------------------------------------------------------------------ the details pane
  function renderLabels(labels) {
    const ul = $("labels");
    ul.replaceChildren();
    for (const l of labels || []) {
      const li = el("li", "tag");
      li.append(el("span", null, l));
      const x = el("button", "tag-remove", "×");
      x.type = "button";
      x.setAttribute("aria-label", "إزالة التصنيف " + l);
      x.addEventListener("click", () => window.Desk.act("unlabel", { label: l }));
      li.append(x);
      ul.append(li);
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

  document.addEventListener("DOMContentLoaded", () => { wireFollow(); wireViews(); });
  Object.assign(window.Desk, { follow, showView, showPane, renderLabels, renderCollected });
})();
