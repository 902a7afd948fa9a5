/* Supervisors' console: fetches each section's numbers and draws tables and charts.
   No build step; Chart.js is served by the same server (chart.umd.min.js). */
(function () {
  "use strict";
  const API = "/desk/console/api";
  const $ = (id) => document.getElementById(id);
  const state = { csrf: "", charts: {}, data: {}, current: null, intents: new Set() };

  const HEADERS = {
    day: "اليوم", channel: "القناة", conversations: "المحادثات", messages: "الرسائل",
    outcome: "النتيجة", share: "النسبة ٪", reason: "السبب", handoffs: "التحويلات",
    agent: "الموظف", wait_p50_s: "الانتظار p50 (ث)", wait_p95_s: "الانتظار p95 (ث)",
    handling_p50_s: "المعالجة p50 (ث)", handling_p95_s: "المعالجة p95 (ث)",
    turn: "مراجعة", text: "الرسالة", intent: "الموضوع", confidence: "الثقة",
    form: "النموذج", started: "بدأ", completed: "اكتمل", cancelled: "أُلغي", abandoned: "تُرك",
    last_question: "آخر سؤال", runs: "مرات", avg_confidence: "متوسط الثقة", fallbacks: "ما فهم",
    avg_rating: "متوسط التقييم", ratings: "تقييمات", finished: "ما انتهى", asked: "سُئل",
    rated: "قيّم", score: "التقييم", comment: "الملاحظة", p50_ms: "p50", p95_ms: "p95",
  };
  const VALUES = {
    contained: "انحلّت مع المساعد", handed_off: "تحولت لموظف", ended_on_fallback: "انتهت بـ\"ما فهمت\"",
    came_back_within_24h: "رجع خلال ٢٤ ساعة", telegram: "تيليجرام", whatsapp: "واتساب",
    web: "نافذة الموقع", rest: "REST", requested: "طلب المواطن", fallback: "ما فهم مرتين",
    form_failed: "تعثّر في نموذج", support_stopped: "شكوى توقف الدعم",
    case_for_person: "حالة تحتاج موظف", ticket: "بلاغ فُتح", precheck: "نتيجة التحقق",
    objection: "حالة اعتراض", ticket_status: "حالة بلاغ", agent_closed: "أغلقها موظف",
    agent_returned: "رجّعها موظف للمساعد", eligibility_form: "التحقق من الأهلية",
    ticket_form: "بلاغ صوتك مسموع", objection_form: "الاستعلام عن اعتراض",
    ticket_status_form: "حالة بلاغ",
  };
  // The review queue's reasons have their own words: its "fallback" is one message the
  // assistant did not understand, where a handoff's "fallback" (above) is twice in a row.
  const REVIEW_REASONS = {
    fallback: "ما فهم", low_confidence: "ثقة منخفضة", before_handoff: "قبل التحويل",
    low_rating: "تقييم منخفض", repeated: "كرّر رسالته",
  };
  const LABELS = {
    intent: "موضوع معروف", out_of_scope: "خارج نطاق البرنامج", new_topic: "موضوع جديد",
    ignore: "تجاهل",
  };
  const label = (v) => (v in VALUES ? VALUES[v] : v);

  function query() {
    const p = new URLSearchParams();
    if ($("from").value) p.set("from", $("from").value);
    if ($("to").value) p.set("to", $("to").value);
    if ($("channel").value) p.set("channel", $("channel").value);
    return p;
  }

  async function getJSON(path) {
    const r = await fetch(path, { credentials: "same-origin" });
    if (r.status === 401) { location.href = "/desk/login"; throw new Error("signed out"); }
    if (!r.ok) throw new Error(String(r.status));
    return r.json();
  }

  function cell(col, value) {
    const td = document.createElement("td");
    if (value === null || value === undefined) { td.textContent = "–"; return td; }
    if (typeof value === "number") td.className = "num";
    // A citizen's words keep their own direction (a Latin or "/…" text is not mirrored).
    if (col === "text" || col === "comment") td.dir = "auto";
    td.textContent = typeof value === "string" ? label(value) : String(value);
    return td;
  }

  function drawTable(holder, section, table, sub) {
    holder.textContent = "";
    const el = document.createElement("table");
    const caption = document.createElement("caption");
    caption.textContent = holder.dataset.caption || "";
    const csv = document.createElement("a");
    const q = query(); if (sub) q.set("table", sub);
    csv.href = `${API}/csv/${section}?${q}`;
    csv.className = "csv";
    csv.textContent = " تنزيل CSV";
    csv.setAttribute("aria-label", `تنزيل ${holder.dataset.caption || section} بصيغة CSV`);
    caption.appendChild(csv);
    el.appendChild(caption);
    const head = el.createTHead().insertRow();
    table.columns.forEach((c) => {
      const th = document.createElement("th"); th.scope = "col";
      th.textContent = HEADERS[c] || c; head.appendChild(th);
    });
    const body = el.createTBody();
    if (!table.rows.length) {
      const tr = body.insertRow(); const td = tr.insertCell();
      td.colSpan = table.columns.length; td.className = "muted"; td.textContent = "لا توجد بيانات في هذه الفترة.";
    }
    table.rows.forEach((row) => {
      const tr = body.insertRow();
      row.forEach((v, i) => {
        if (table.columns[i] === "turn" && holder.dataset.review) {
          const td = document.createElement("td"); const b = document.createElement("button");
          b.type = "button"; b.className = "link"; b.textContent = "صنّف";
          b.addEventListener("click", () => openReview(v)); td.appendChild(b); tr.appendChild(td);
        } else tr.appendChild(cell(table.columns[i], v));
      });
    });
    holder.appendChild(el);
  }

  function chart(id, config) {
    if (typeof Chart === "undefined") return;
    if (state.charts[id]) state.charts[id].destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { rtl: true, position: "bottom" } } }, config.options || {});
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
      labels: s.distribution.rows.map((r) => `${r[0]} من ٥`),
      datasets: [{ label: "عدد التقييمات", data: s.distribution.rows.map((r) => r[1]), backgroundColor: "#0b6e4f" }],
    } });
  }

  const pct = (x) => (x === null || x === undefined ? "–" : `${x}٪`);

  async function load() {
    $("status").textContent = "جارٍ التحميل…";
    const q = query();
    const sections = ["volume", "containment", "handoffs", "fallbacks", "forms", "intents", "satisfaction", "latency"];
    try {
      const results = await Promise.all(sections.map((s) => getJSON(`${API}/stats/${s}?${q}`)));
      sections.forEach((s, i) => { state.data[s] = results[i]; });
    } catch (e) { $("status").textContent = "تعذّر التحميل، حاول مرة ثانية."; return; }
    const d = state.data;
    document.querySelectorAll("[data-table]").forEach((holder) => {
      const section = holder.dataset.table, sub = holder.dataset.sub;
      const table = sub ? d[section][sub] : d[section];
      if (table) drawTable(holder, section, table, sub);
    });
    $("k-conversations").textContent = d.containment.conversations;
    $("k-contained").textContent = pct(d.containment.contained_share);
    $("k-handoff").textContent = pct(d.handoffs.rate);
    $("k-fallback").textContent = pct(d.fallbacks.rate);
    $("k-csat").textContent = d.satisfaction.average === null ? "–" : d.satisfaction.average;
    $("k-latency").textContent = d.latency.p50_ms === null ? "–" : `${d.latency.p50_ms} / ${d.latency.p95_ms}`;
    const h = d.handoffs;
    $("handoff-summary").textContent = `الانتظار حتى ينضم موظف: p50 ${h.wait_p50 ?? "–"} ث، p95 ${h.wait_p95 ?? "–"} ث · مدة المعالجة: p50 ${h.handling_p50 ?? "–"} ث، p95 ${h.handling_p95 ?? "–"} ث`;
    drawVolume(d.volume); drawCsat(d.satisfaction);
    $("status").textContent = `${d.volume.period.from} ← ${d.volume.period.to}`;
    loadReview();
  }

  async function loadReview() {
    const q = query();
    if ($("review-reason").value) q.set("reason", $("review-reason").value);
    if ($("review-labelled").checked) q.set("labelled", "1");
    const data = await getJSON(`${API}/review?${q}`);
    const list = $("review-list"); list.textContent = "";
    if (!data.items.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = "ما فيه رسائل للمراجعة في هذه الفترة."; list.appendChild(li); }
    data.items.forEach((item) => {
      const li = document.createElement("li");
      const text = document.createElement("span"); text.className = "text"; text.dir = "auto"; text.textContent = item.text || "(بلا نص)";
      const meta = document.createElement("span"); meta.className = "small muted";
      const guess = document.createElement("bdi"); guess.textContent = item.intent || "–";
      meta.append(`${label(item.channel)} · توقّع: `, guess, ` (${item.confidence ?? "–"})`);
      const tags = document.createElement("span");
      item.reasons.forEach((r) => { const t = document.createElement("span"); t.className = "tag"; t.textContent = REVIEW_REASONS[r] || r; tags.appendChild(t); });
      if (item.label) {
        const t = document.createElement("span"); t.className = "tag";
        const kind = LABELS[item.label.label] || item.label.label;
        t.textContent = `مصنّفة: ${item.label.intent ? `${kind} · ${item.label.intent}` : kind}`;
        tags.appendChild(t);
      }
      const b = document.createElement("button"); b.type = "button"; b.textContent = item.label ? "غيّر التصنيف" : "صنّف";
      b.addEventListener("click", () => openReview(item.turn_id, item));
      li.append(text, meta, tags, b); list.appendChild(li);
    });
    const topics = await getJSON(`${API}/new-topics`);
    const ul = $("topics"); ul.textContent = "";
    topics.topics.forEach((t) => { const li = document.createElement("li"); li.textContent = `${t.note} — «${t.text}» (${t.labelled_by})`; ul.appendChild(li); });
    if (!topics.topics.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = "لا توجد."; ul.appendChild(li); }
  }

  async function openReview(turnId, item) {
    state.current = turnId;
    $("review-error").textContent = "";
    // Only a name the server takes: the prediction may be nlu_fallback, which is no label.
    const guess = item && state.intents.has(item.intent) ? item.intent : "";
    $("review-intent").value = (item && item.label && item.label.intent) || guess;
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
        const words = document.createElement("bdi"); words.textContent = m.text;
        div.append(`${m.author === "citizen" ? "المواطن" : m.author === "agent" ? "الموظف" : "المساعد"}: `, words);
        ctx.appendChild(div);
      });
    } catch (e) { ctx.textContent = "تعذّر تحميل المحادثة."; }
  }

  async function saveReview() {
    const kind = document.querySelector('input[name="label"]:checked').value;
    const body = { label: kind, intent: $("review-intent").value.trim(), note: $("review-note").value.trim() };
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
    state.intents = new Set(me.intents);
    const dl = $("intent-list"); me.intents.forEach((i) => { const o = document.createElement("option"); o.value = i; dl.appendChild(o); });
    const to = new Date(me.today + "T00:00:00Z"); const from = new Date(to.getTime() - 29 * 86400000);
    $("to").value = me.today; $("from").value = from.toISOString().slice(0, 10);
    $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
    $("review-reason").addEventListener("change", loadReview);
    $("review-labelled").addEventListener("change", loadReview);
    $("review-save").addEventListener("click", saveReview);
    $("review-cancel").addEventListener("click", () => $("review-dialog").close());
    load();
  }
  document.addEventListener("DOMContentLoaded", start);
})();
