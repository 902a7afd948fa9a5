/* The console's content section: search every citizen-facing text and program fact,
   edit Arabic and English side by side with a preview per channel, send for approval;
   approvers approve others' changes, publish, and roll back an item or a release.
   The server decides every right and check (channels/console/content_routes.py); this
   page only shows the buttons a person may use. Text is always set as text, never HTML. */
(function () {
  "use strict";
  const API = "/desk/console/api/content";
  const $ = (id) => document.getElementById(id);
  const me = { csrf: "", editor: false, approver: false, username: "" };
  let current = null;
  let searchTimer = null;
  let loaded = false;
  const SHOWN = 60;
  const KINDS = { program: "حقيقة", faq: "إجابة", faq_title: "عنوان إجابة", button: "زر",
    message: "رسالة نظام", case: "بلاغ وإشعار", form: "سؤال نموذج", response: "رد محادثة",
    followup: "جواب سؤال متابعة" };
  const CHANNELS = { web: "نافذة الموقع", telegram: "تيليجرام", whatsapp: "واتساب" };
  const STYLES = { text: "نص", buttons: "أزرار", inline_keyboard: "أزرار تحت الرسالة",
    reply_buttons: "أزرار رد (3 بحد أقصى)", list: "قائمة خيارات", numbered_menu: "قائمة مرقمة (الأزرار ما تنفع)" };
  const LANGS = { ar: "العربي", en: "الإنجليزي" };
  const STATES = { pending: "ينتظر الاعتماد", approved: "معتمد، ينتظر النشر" };

  function problemText(p) {
    const lang = p.lang ? ` (${LANGS[p.lang] || p.lang})` : "";
    switch (p.code) {
      case "empty": return `النص فاضي${lang}.`;
      case "unknown_placeholder": return `المتغير ${p.placeholder} غير معروف${lang}.`;
      case "missing_placeholder": return `المتغير ${p.placeholder} ناقص${lang}: النظام يعبّيه وقت الإرسال، لازم يبقى.`;
      case "typed_number": return `كتبت الرقم ${p.number}${lang}، وهو من حقائق البرنامج: اكتب ${p.placeholder} بداله عشان يتغير مع الحقيقة.`;
      case "broken_placeholder": return `فيه قوس { أو } بدون متغير صحيح${lang}.`;
      case "too_long": return `النص أطول من حد ${CHANNELS[p.channel] || p.channel} (${p.limit} حرف)${lang}.`;
      case "not_a_number": return "هذي الحقيقة رقم: اكتب أرقام فقط.";
      case "not_yes_no": return "هذي الحقيقة true أو false.";
      case "unchanged": return "ما تغيّر شي.";
      case "other_language_unchanged": return `غيّرت لغة وحدة، و${LANGS[p.lang] || p.lang} باقي مثل ما هو: راجعه قبل الاعتماد.`;
      case "placeholder_removed": return `شلت المتغير ${p.placeholder}${lang}: تأكد إن الإجابة ما زالت كاملة.`;
      default: return p.code;
    }
  }

  // kit.js: the shared call and element helpers.
  const { el, button } = window.consoleKit;
  const call = (path, body) => window.consoleKit.call(path, body, me.csrf);

  // ------------------------------------------------------------------ the list
  async function search() {
    const q = $("content-q").value.trim();
    const { ok, data } = await call(`${API}?q=${encodeURIComponent(q)}`);
    if (!ok) { $("content-status").textContent = "تعذّر تحميل المحتوى."; return; }
    const kind = $("content-kind").value;
    const items = data.items.filter((i) => !kind || i.kind === kind);
    const body = $("content-list");
    body.replaceChildren();
    for (const item of items.slice(0, SHOWN)) {
      const tr = el("tr");
      tr.dataset.key = item.key;
      const name = el("td", `${KINDS[item.kind] || item.kind}${item.name ? `: ${item.name}` : ""}${item.edited ? " · معدّل" : ""}${item.waiting ? " · بانتظار الاعتماد" : ""}`);
      name.title = item.key;
      tr.append(name, el("td", item.texts.ar ?? ""));
      const en = el("td", item.texts.en ?? "—");
      en.dir = "ltr"; en.lang = "en";
      tr.append(en);
      const td = el("td");
      td.append(button(me.editor ? "عدّل" : "اعرض", () => openItem(item.key), "link"));
      tr.append(td);
      body.append(tr);
    }
    $("content-status").textContent = `${items.length} عنصر${items.length > SHOWN ? ` (أول ${SHOWN})` : ""} · الإصدار المنشور: ${data.release || "الأصل"}`;
  }

  // ------------------------------------------------------------------ the editor
  function showProblems(errors, warnings) {
    const box = $("content-problems");
    box.replaceChildren();
    for (const p of errors || []) box.append(el("p", problemText(p), "error"));
    for (const p of warnings || []) box.append(el("p", problemText(p), "warning"));
  }

  function showPreview(preview) {
    const box = $("content-preview");
    box.replaceChildren();
    for (const [lang, channels] of Object.entries(preview || {})) {
      for (const c of channels) {
        const phone = el("div", null, "phone");
        phone.dir = lang === "en" ? "ltr" : "rtl";
        phone.append(el("strong", `${CHANNELS[c.channel]} · ${LANGS[lang]}`));
        phone.append(el("div", `${STYLES[c.style] || c.style} · حد ${c.limit} حرف`, "small muted"));
        for (const part of c.parts) phone.append(el("div", part, "bubble"));
        if (c.buttons.length) {
          const btns = el("div", null, "btns");
          for (const t of c.buttons) btns.append(el("span", t));
          phone.append(btns);
        }
        if (!c.fits) phone.append(el("div", "ما يناسب حدود هذي القناة", "over"));
        box.append(phone);
      }
    }
  }

  function diffLine(parts) {
    const line = el("div", null, "diff");
    for (const d of parts) {
      const tag = d.op === "added" ? "ins" : d.op === "removed" ? "del" : "span";
      line.append(el(tag, d.text), document.createTextNode(" "));
    }
    return line;
  }

  function showHistory(history) {
    const list = $("content-history");
    list.replaceChildren();
    history.forEach((v, i) => {
      const li = el("li");
      const when = v.at ? new Date(v.at).toLocaleString("ar-SA-u-nu-latn") : "";
      const title = v.release ? `الإصدار ${v.release} · ${v.kind === "rollback" ? "استرجاع" : "نشر"} · \u2068${v.by}\u2069 · \u2068${when}\u2069` : "النص الأصلي (ملفات المحتوى)";
      li.append(el("strong", `${title}${i === 0 ? " · المنشور الآن" : ""}`));
      for (const [lang, parts] of Object.entries(v.diff || {})) {
        const d = diffLine(parts);
        d.dir = lang === "en" ? "ltr" : "rtl";
        li.append(d);
      }
      if (i > 0 && me.approver) {
        li.append(button("رجّع هذا العنصر لهذي النسخة", () => rollback({ release: v.release, key: current }), "link"));
      }
      list.append(li);
    });
  }

  function edited() {
    const texts = {};
    if (!$("content-ar").disabled) texts.ar = $("content-ar").value;
    if (!$("content-en").disabled) texts.en = $("content-en").value;
    return texts;
  }

  async function openItem(key) {
    const { ok, data } = await call(`${API}/item?key=${encodeURIComponent(key)}`);
    if (!ok) return;
    current = key;
    $("content-title").textContent = KINDS[key.split(".")[0]] || "عنصر";
    $("content-key").textContent = key;
    for (const lang of ["ar", "en"]) {
      const box = $(`content-${lang}`);
      const has = lang in data.texts;
      box.value = has ? data.texts[lang] : "";
      box.disabled = !has || !me.editor;
      box.closest("label").hidden = !has;
    }
    $("content-note").value = "";
    $("content-save").hidden = !me.editor;
    showProblems([], []);
    showPreview(data.preview);
    showHistory(data.history);
    $("content-dialog").showModal();
  }

  async function check() {
    const { ok, data } = await call(`${API}/check`, { key: current, texts: edited() });
    if (!ok) return null;
    showProblems(data.errors.filter((e) => e.code !== "unchanged"), data.warnings);
    showPreview(data.preview);
    return data;
  }

  async function save() {
    const { ok, data } = await call(`${API}/changes`, { key: current, texts: edited(), note: $("content-note").value });
    if (!ok) {
      showProblems(data.problems || [{ code: data.error || "error" }], []);
      return;
    }
    showProblems([], data.warnings);
    $("content-dialog").close();
    $("content-publish-status").textContent = "أُرسل التعديل للاعتماد.";
    await Promise.all([search(), loadChanges()]);
  }

  // ------------------------------------------------------------------ approval and releases
  async function loadChanges() {
    const { ok, data } = await call(`${API}/changes`);
    if (!ok) return;
    const list = $("content-changes");
    list.replaceChildren();
    let approved = 0;
    for (const c of data.changes) {
      const li = el("li");
      li.dataset.change = c.id;
      li.append(el("strong", `${c.key} · ${STATES[c.state] || c.state}`));
      li.append(el("span", `اقترحه ${c.author}${c.decided_by ? ` · اعتمده ${c.decided_by}` : ""}${c.note ? ` · ${c.note}` : ""}`, "small muted"));
      for (const [lang, parts] of Object.entries(c.diff)) {
        const d = diffLine(parts);
        d.dir = lang === "en" ? "ltr" : "rtl";
        li.append(d);
      }
      for (const w of c.warnings) li.append(el("span", problemText(w), "small warning"));
      if (c.state === "approved") approved += 1;
      if (c.state === "pending" && c.author === me.username && me.editor) {
        const row = el("div", null, "actions");
        row.append(button("اسحب تعديلي", () => decide(c.id, "withdraw")));
        li.append(row);
      }
      if (c.state === "pending" && me.approver) {
        if (c.author === me.username) li.append(el("span", "ما تقدر تعتمد تعديلك: يعتمده شخص ثاني.", "small muted"));
        else {
          const row = el("div", null, "actions");
          row.append(button("اعتمد", () => decide(c.id, "approve"), "primary"), button("ارفض", () => decide(c.id, "reject")));
          li.append(row);
        }
      }
      list.append(li);
    }
    if (!data.changes.length) list.append(el("li", "ما فيه تغييرات معلقة.", "muted"));
    $("content-publish").hidden = !(me.approver && approved);
  }

  async function decide(id, how) {
    const { ok, data } = await call(`${API}/changes/${id}/${how}`, {});
    $("content-publish-status").textContent = ok ? "" : data.error === "own_change" ? "ما تقدر تعتمد تعديلك." : "تعذّر.";
    await loadChanges();
  }

  async function publish() {
    const { ok, data } = await call(`${API}/publish`, {});
    $("content-publish-status").textContent = ok
      ? `نُشر الإصدار ${data.release}: يوصل لكل المحادثات خلال ثواني.` : "ما فيه تغييرات معتمدة للنشر.";
    await Promise.all([search(), loadChanges(), loadReleases()]);
  }

  async function rollback(body) {
    const what = body.key ? `رجوع ${body.key} لنسخة الإصدار ${body.release || "الأصلي"}` : `رجوع كل المحتوى للإصدار ${body.release || "الأصلي"}`;
    if (!window.confirm(`${what}؟ ينشر فورًا.`)) return;
    const { ok, data } = await call(`${API}/rollback`, body);
    $("content-publish-status").textContent = ok ? `نُشر الإصدار ${data.release} (استرجاع).` : "تعذّر الاسترجاع.";
    if ($("content-dialog").open) $("content-dialog").close();
    await Promise.all([search(), loadReleases()]);
  }

  async function loadReleases() {
    const { ok, data } = await call(`${API}/releases`);
    if (!ok) return;
    const list = $("content-releases");
    list.replaceChildren();
    data.releases.forEach((r, i) => {
      const li = el("li");
      const when = r.at ? new Date(r.at).toLocaleString("ar-SA-u-nu-latn") : "";
      li.append(el("strong", `الإصدار ${r.id} · ${r.kind === "rollback" ? "استرجاع" : "نشر"} · \u2068${r.by}\u2069 · \u2068${when}\u2069${i === 0 ? " · المنشور الآن" : ""}`));
      li.append(el("span", r.note || "", "small muted"));
      if (i > 0 && me.approver) li.append(button("رجّع كل المحتوى لهذا الإصدار", () => rollback({ release: r.id }), "link"));
      list.append(li);
    });
    if (data.releases.length && me.approver) {
      const li = el("li");
      li.append(button("رجّع كل المحتوى للنص الأصلي", () => rollback({ release: 0 }), "link"));
      list.append(li);
    }
  }

  async function start() {
    const r = await call("/desk/console/api/me");
    if (!r.ok) return;
    Object.assign(me, { csrf: r.data.csrf, editor: r.data.editor, approver: r.data.approver, username: r.data.username });
    $("content-q").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 250); });
    $("content-kind").addEventListener("change", search);
    $("content-check").addEventListener("click", check);
    $("content-save").addEventListener("click", save);
    $("content-close").addEventListener("click", () => $("content-dialog").close());
    $("content-publish").addEventListener("click", publish);
    // Loaded when opened (also if opened before this ran): most visits are for the numbers above.
    $("content-details").addEventListener("toggle", loadOnce);
    loadOnce();
  }

  function loadOnce() {
    if (!$("content-details").open || loaded) return;
    loaded = true;
    Promise.all([search(), loadChanges(), loadReleases()]);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
