/* Supervisors' console: fetches each section's numbers and draws tables and charts.
   No build step; Chart.js is served by the same server (chart.umd.min.js). Column
   headers and the names behind codes come from the server (bot/services/console/labels.py),
   so the page and the CSV say the same. Digits are Latin everywhere (one style). */
(function () {
  "use strict";
  const API = "/desk/console/api";
  const $ = (id) => document.getElementById(id);
  const state = { csrf: "", charts: {}, data: {}, current: null, topics: {}, defaults: {} };
  const LOCALE = "ar-SA-u-nu-latn";
  const SCORES = { 5: "ممتازة", 4: "جيدة", 3: "مقبولة", 2: "ضعيفة", 1: "سيئة" };
  const CHANNELS = { telegram: "تيليجرام", whatsapp: "واتساب", web: "نافذة الموقع", rest: "REST" };
  // The review queue's reasons have their own words: its "fallback" is one message the
  // assistant did not understand, where a handoff's "fallback" is twice in a row.
  const REVIEW_REASONS = { fallback: "ما فهم", low_confidence: "ثقة منخفضة",
    before_handoff: "قبل التحويل", low_rating: "تقييم منخفض", repeated: "كرّر رسالته" };
  const LABELS = { intent: "موضوع معروف", out_of_scope: "خارج نطاق البرنامج", new_topic: "موضوع جديد",
    ignore: "تجاهل" };
  const SIGNED = ["change", "change_pct"];
  const PERIOD_ERRORS = { bad_period: "تاريخ البداية بعد تاريخ النهاية: عدّل الفترة.",
    too_long: "الفترة أطول من سنة: اختر سنة أو أقل." };
  const FIELDS = ["from", "to", "channel", "from_b", "to_b"];
  // A masked number ("05••••••67") inside Arabic text, isolated left to right: otherwise
  // the bidi algorithm draws its ends swapped ("67••••••05").
  const MASKED = /[A-Za-z0-9]*•[A-Za-z0-9•]*/g;
  const readable = (text) => String(text).replace(MASKED, "\u2066$&\u2069");

  // ------------------------------------------------------------------ period and URL
  // The period and channel live in the address (?from=&to=&channel=, and from_b/to_b for
  // the comparison), so a reload or a shared link shows the same numbers.
  function query(withB) {
    const p = new URLSearchParams();
    for (const name of withB ? FIELDS : FIELDS.slice(0, 3)) if ($(name).value) p.set(name, $(name).value);
    return p;
  }

  function periodError(from, to) {
    if (!from || !to) return "";
    if (from > to) return PERIOD_ERRORS.bad_period;
    if ((Date.parse(to) - Date.parse(from)) / 86400000 >= 366) return PERIOD_ERRORS.too_long;
    return "";
  }

  function showError(id, inputs, text) {
    $(id).textContent = text;
    for (const i of inputs) {
      if (text) $(i).setAttribute("aria-invalid", "true"); else $(i).removeAttribute("aria-invalid");
    }
  }

  // What the address says, else the defaults (the last 30 days, all channels, period B
  // the one just before period A).
  function fromAddress() {
    const p = new URLSearchParams(location.search);
    const day = /^\d{4}-\d{2}-\d{2}$/;
    for (const name of FIELDS) {
      const v = p.get(name) || "";
      if (name === "channel") $(name).value = v in CHANNELS ? v : "";
      else $(name).value = day.test(v) ? v : state.defaults[name] || "";
    }
  }

  // A period the supervisor chose is a new entry of the history (Back returns to the one
  // before); the page's first load and Back itself only write down what is shown.
  function toAddress(chosen) {
    const url = `${location.pathname}?${query(true)}`;
    if (url === location.pathname + location.search) return;
    if (chosen) history.pushState(null, "", url); else history.replaceState(null, "", url);
  }

  async function getJSON(path) {
    const r = await fetch(path, { credentials: "same-origin" });
    if (r.status === 401) { location.href = "/desk/login"; throw new Error("signed out"); }
    if (!r.ok) {
      const e = new Error(String(r.status));
      e.code = (await r.json().catch(() => ({}))).error;
      throw e;
    }
    return r.json();
  }

  // ------------------------------------------------------------------ tables
  function shown(table, col, value) {
    if (value === null || value === undefined) return "–";
    const names = (table.labels || {})[col];
    if (names && value in names) return names[value];
    if (typeof value !== "number") return readable(value);
    const text = value.toLocaleString(LOCALE, { maximumFractionDigits: 2 });
    return SIGNED.includes(col) && value > 0 ? "+" + text : text;
  }

  function drawTable(holder, section, table, sub) {
    holder.textContent = "";
    const el = document.createElement("table");
    const caption = document.createElement("caption");
    caption.textContent = holder.dataset.caption || "";
    const csv = document.createElement("a");
    const q = query(section === "compare"); if (sub) q.set("table", sub);
    csv.href = `${API}/csv/${section}?${q}`;
    csv.className = "csv";
    csv.textContent = " تنزيل CSV";
    csv.setAttribute("aria-label", `تنزيل ${holder.dataset.caption || section} بصيغة CSV`);
    caption.appendChild(csv);
    el.appendChild(caption);
    const head = el.createTHead().insertRow();
    table.columns.forEach((c, i) => {
      const th = document.createElement("th"); th.scope = "col";
      th.textContent = (table.headers || [])[i] || c; head.appendChild(th);
    });
    const body = el.createTBody();
    if (!table.rows.length) {
      const tr = body.insertRow(); const td = tr.insertCell();
      td.colSpan = table.columns.length; td.className = "muted"; td.textContent = "لا توجد بيانات في هذه الفترة.";
    }
    table.rows.forEach((row) => {
      const tr = body.insertRow();
      row.forEach((v, i) => {
        const col = table.columns[i];
        const td = document.createElement("td");
        if (col === "turn" && holder.dataset.review) {
          const b = document.createElement("button");
          b.type = "button"; b.className = "link"; b.textContent = "صنّف";
          b.addEventListener("click", () => openReview(v)); td.appendChild(b);
        } else {
          if (typeof v === "number") td.className = "num";
          // A citizen's words keep their own direction (a Latin or "/…" text is not mirrored).
          if (col === "text" || col === "comment") td.dir = "auto";
          td.textContent = shown(table, col, v);
        }
        tr.appendChild(td);
      });
    });
    holder.appendChild(el);
  }

  // ------------------------------------------------------------------ charts
  function chart(id, config) {
    if (typeof Chart === "undefined") return;
    if (state.charts[id]) state.charts[id].destroy();
    // Counts: whole numbers on the axis, in the page's one digit style.
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
      locale: LOCALE, plugins: { legend: { rtl: true, position: "bottom" } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, config.options || {});
    state.charts[id] = new Chart($(id), config);
  }

  function drawVolume(v) {
    const days = [...new Set(v.rows.map((r) => r[0]))];
    const sum = (col) => days.map((d) => v.rows.filter((r) => r[0] === d).reduce((a, r) => a + r[col], 0));
    chart("chart-volume", { type: "bar", data: { labels: days, datasets: [
      { label: "المحادثات", data: sum(2), backgroundColor: "#0b6e4f" },
      { label: "الرسائل", data: sum(3), backgroundColor: "#9cc9b8" },
    ] } });
  }

  function drawCsat(s) {
    chart("chart-csat", { type: "bar", data: {
      labels: s.distribution.rows.map((r) => `${r[0]} ${SCORES[r[0]] || ""}`),
      datasets: [{ label: "عدد التقييمات", data: s.distribution.rows.map((r) => r[1]), backgroundColor: "#0b6e4f" }],
    } });
  }

  const pct = (x) => (x === null || x === undefined ? "–" : `${x.toLocaleString(LOCALE)}٪`);

  // ------------------------------------------------------------------ loading
  let loadSeq = 0, reviewSeq = 0;
  async function load(chosen) {
    showError("compare-error", ["from_b", "to_b"], "");
    const problem = periodError($("from").value, $("to").value);
    showError("period-error", ["from", "to"], problem);
    if (problem) { $("status").textContent = ""; return; }
    toAddress(chosen);
    $("status").textContent = "جارٍ التحميل…";
    // A slower earlier load (the page's first, say) must not overwrite a later one.
    const mine = (loadSeq += 1);
    const q = query();
    const sections = ["volume", "containment", "handoffs", "fallbacks", "forms", "topics", "intents", "satisfaction", "latency"];
    try {
      const results = await Promise.all(sections.map((s) => getJSON(`${API}/stats/${s}?${q}`)));
      if (mine !== loadSeq) return;
      sections.forEach((s, i) => { state.data[s] = results[i]; });
    } catch (e) {
      if (mine !== loadSeq) return;
      if (e.code in PERIOD_ERRORS) showError("period-error", ["from", "to"], PERIOD_ERRORS[e.code]);
      $("status").textContent = e.code ? "" : "تعذّر التحميل، حاول مرة ثانية.";
      return;
    }
    const d = state.data;
    document.querySelectorAll("[data-table]").forEach((holder) => {
      const section = holder.dataset.table, sub = holder.dataset.sub;
      const table = d[section] && (sub ? d[section][sub] : d[section]);
      if (table && section !== "compare") drawTable(holder, section, table, sub);
    });
    $("k-conversations").textContent = d.containment.conversations.toLocaleString(LOCALE);
    $("k-contained").textContent = pct(d.containment.contained_share);
    $("k-handoff").textContent = pct(d.handoffs.rate);
    $("k-fallback").textContent = pct(d.fallbacks.rate);
    $("k-csat").textContent = d.satisfaction.average === null ? "–" : d.satisfaction.average;
    // Isolated left to right, so "p50 / p95" above reads in the same order as its numbers.
    $("k-latency").textContent = d.latency.p50_ms === null ? "–" : `\u2066${d.latency.p50_ms} / ${d.latency.p95_ms}\u2069`;
    const h = d.handoffs;
    $("handoff-summary").textContent = `الانتظار حتى ينضم موظف: p50 ${h.wait_p50 ?? "–"} ث، p95 ${h.wait_p95 ?? "–"} ث · مدة المعالجة: p50 ${h.handling_p50 ?? "–"} ث، p95 ${h.handling_p95 ?? "–"} ث`;
    drawVolume(d.volume); drawCsat(d.satisfaction);
    $("status").textContent = `${d.volume.period.from} ← ${d.volume.period.to}`;
    loadCompare();
    loadReview();
  }

  async function loadCompare(chosen) {
    const problem = periodError($("from_b").value, $("to_b").value);
    showError("compare-error", ["from_b", "to_b"], problem);
    if (problem) return;
    toAddress(chosen);
    let data;
    try {
      data = await getJSON(`${API}/stats/compare?${query(true)}`);
    } catch (e) {
      showError("compare-error", ["from_b", "to_b"], PERIOD_ERRORS[e.code] || "تعذّر التحميل.");
      return;
    }
    const a = data.period, b = data.period_b;
    $("compare-periods").textContent = `أ: ${a.from} ← ${a.to} · ب: ${b.from} ← ${b.to}`;
    drawTable(document.querySelector("[data-table='compare']"), "compare", data);
  }

  async function loadReview() {
    const q = query();
    if ($("review-reason").value) q.set("reason", $("review-reason").value);
    if ($("review-labelled").checked) q.set("labelled", "1");
    const mine = (reviewSeq += 1);
    const data = await getJSON(`${API}/review?${q}`);
    if (mine !== reviewSeq) return;  // a later request's list is, or will be, shown
    const list = $("review-list"); list.textContent = "";
    if (!data.items.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = "ما فيه رسائل للمراجعة في هذه الفترة."; list.appendChild(li); }
    data.items.forEach((item) => {
      const li = document.createElement("li");
      const text = document.createElement("span"); text.className = "text"; text.dir = "auto";
      text.textContent = item.text ? readable(item.text) : "(بلا نص)";
      const meta = document.createElement("span"); meta.className = "small muted";
      const guess = document.createElement("bdi"); guess.textContent = item.intent_label || "–";
      const sure = item.confidence === null ? "" : ` (ثقة ${pct(item.confidence)})`;
      meta.append(`${CHANNELS[item.channel] || item.channel} · توقّع: `, guess, sure);
      const tags = document.createElement("span");
      item.reasons.forEach((r) => { const t = document.createElement("span"); t.className = "tag"; t.textContent = REVIEW_REASONS[r] || r; tags.appendChild(t); });
      if (item.label) {
        const t = document.createElement("span"); t.className = "tag";
        const kind = LABELS[item.label.label] || item.label.label;
        const what = item.label.intent ? `${kind} · ${item.label.intent_label}` : kind;
        t.textContent = `مصنّفة: ${what} · ${item.label.labelled_by_name}`;
        tags.appendChild(t);
      }
      const b = document.createElement("button"); b.type = "button"; b.textContent = item.label ? "غيّر التصنيف" : "صنّف";
      b.addEventListener("click", () => openReview(item.turn_id, item));
      li.append(text, meta, tags, b); list.appendChild(li);
    });
    const topics = await getJSON(`${API}/new-topics`);
    const ul = $("topics"); ul.textContent = "";
    topics.topics.forEach((t) => { const li = document.createElement("li"); li.textContent = `${t.note} — «${readable(t.text)}» (${t.labelled_by_name})`; ul.appendChild(li); });
    if (!topics.topics.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = "لا توجد."; ul.appendChild(li); }
  }

  // ------------------------------------------------------------------ review dialog
  const topicName = (code) => (code && state.topics[code]) || code || "";

  async function openReview(turnId, item) {
    state.current = turnId;
    $("review-error").textContent = "";
    // Only a name the server takes: the prediction may be nlu_fallback, which is no label.
    const guess = item && item.intent in state.topics ? item.intent : "";
    $("review-intent").value = topicName((item && item.label && item.label.intent) || guess);
    const kind = (item && item.label && item.label.label) || "intent";
    document.querySelectorAll('input[name="label"]').forEach((r) => { r.checked = r.value === kind; });
    $("review-note").value = (item && item.label && item.label.note) || "";
    const ctx = $("review-context"); ctx.textContent = "…";
    $("review-dialog").showModal();
    try {
      const data = await getJSON(`${API}/review/${turnId}`);
      ctx.textContent = "";
      data.messages.forEach((m) => {
        const div = document.createElement("div"); div.className = `msg ${m.author}`;
        const words = document.createElement("bdi"); words.textContent = readable(m.text);
        div.append(`${m.author === "citizen" ? "المواطن" : m.author === "agent" ? "الموظف" : "المساعد"}: `, words);
        ctx.appendChild(div);
      });
    } catch (e) { ctx.textContent = "تعذّر تحميل المحادثة."; }
  }

  // The picker shows names; the label is saved with the intent's code.
  function topicCode(typed) {
    if (typed in state.topics) return typed;
    return Object.keys(state.topics).find((code) => state.topics[code] === typed) || typed;
  }

  async function saveReview() {
    const kind = document.querySelector('input[name="label"]:checked').value;
    const body = { label: kind, intent: topicCode($("review-intent").value.trim()), note: $("review-note").value.trim() };
    const r = await fetch(`${API}/review/${state.current}`, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf }, body: JSON.stringify(body) });
    if (!r.ok) {
      const e = await r.json().catch(() => ({}));
      $("review-error").textContent = e.error === "bad_intent" ? "اختر موضوعًا من القائمة." : e.error === "bad_note" ? "اكتب ملاحظة تصف الموضوع الجديد." : "تعذّر الحفظ.";
      return;
    }
    $("review-dialog").close(); loadReview();
  }

  async function start() {
    const me = await getJSON(`${API}/me`);
    state.csrf = me.csrf;
    $("me").textContent = me.display_name;
    const dl = $("intent-list");
    me.topics.forEach((t) => {
      state.topics[t.code] = t.label;
      const o = document.createElement("option"); o.value = t.label; dl.appendChild(o);
    });
    const to = new Date(me.today + "T00:00:00Z"); const from = new Date(to.getTime() - 29 * 86400000);
    state.defaults = { from: from.toISOString().slice(0, 10), to: me.today };
    fromAddress();
    $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(true); });
    $("compare-form").addEventListener("submit", (e) => { e.preventDefault(); loadCompare(true); });
    window.addEventListener("popstate", () => { fromAddress(); load(); });
    $("review-reason").addEventListener("change", loadReview);
    $("review-labelled").addEventListener("change", loadReview);
    $("review-save").addEventListener("click", saveReview);
    $("review-cancel").addEventListener("click", () => $("review-dialog").close());
    load();
  }
  document.addEventListener("DOMContentLoaded", start);
})();
