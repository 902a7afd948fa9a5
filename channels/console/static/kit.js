/* What the console's editing sections (content.js, training.js) share: a JSON call with
   the session's CSRF token that sends a signed-out user back to the login page, and
   elements built with their text set as text, never as HTML. */
window.consoleKit = (function () {
  "use strict";

  async function call(path, body, csrf) {
    const init = body === undefined ? { credentials: "same-origin" } : {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    };
    const r = await fetch(path, init);
    if (r.status === 401) { location.href = "/desk/login"; throw new Error("signed out"); }
    return { ok: r.ok, status: r.status, data: await r.json().catch(() => ({})) };
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function button(text, onClick, cls) {
    const b = el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  return { call, el, button };
})();
