/* The console's new questions: an editor writes a new FAQ (titles, answers in both
   languages, ten phrasings or more) or adds the review queue's examples; another person
   approves; a retrain runs in the background (progress polled); an approver who did not
   start it rolls the candidate out to every worker, or rolls back. The server decides
   every right and check (channels/console/training_routes.py). Text is set as text. */
(function () {
  "use strict";
  const API = "/desk/console/api/training";
  const $ = (id) => document.getElementById(id);
  const me = { csrf: "", editor: false, approver: false, username: "" };
  let poll = null;
  let loaded = false;
  const LANGS = { ar: "العربي", en: "الإنجليزي" };
  const CHANGE_STATES = { pending: "ينتظر الاعتماد", approved: "معتمد، يدخل التدريب القادم" };
  const JOB_STATES = { queued: "في الانتظار", training: "يتدرب", scoring: "يُقاس",
    ready: "جاهز، ينتظر اعتماد النشر", refused: "مرفوض", failed: "فشل", interrupted: "انقطع",
    rolled_out: "منشور", discarded: "مُستبعد" };
  const SETS = { heldout: "الرسائل المحجوزة", fresh: "الرسائل الجديدة", own: "صيغ السؤال الجديد" };

  function problemText(p) {
    const lang = p.lang ? ` (${LANGS[p.lang] || p.lang})` : "";
    switch (p.code) {
      case "bad_key": return "المفتاح: حروف إنجليزية صغيرة وأرقام و _ (3 إلى 40).";
      case "key_taken": return "فيه سؤال بنفس المفتاح.";
      case "empty": return `النص فاضي${lang}.`;
      case "not_arabic": return "الإجابة العربية لازم تكون بالعربي.";
      case "too_long": return `النص أطول من الحد (${p.limit} حرف)${lang}.`;
      case "unknown_placeholder": return `المتغير ${p.placeholder} غير معروف${lang}.`;
      case "broken_placeholder": return `فيه قوس { أو } بدون متغير صحيح${lang}.`;
      case "typed_number": return `كتبت الرقم ${p.number}${lang}: اكتب ${p.placeholder} بداله.`;
      case "too_few_examples": return `الصيغ المختلفة ${p.given}، والمطلوب ${p.minimum} على الأقل.`;
      case "too_many_examples": return `الصيغ أكثر من ${p.maximum}.`;
      case "bad_example": return `صيغة فاضية أو طويلة: «${p.text}»`;
      case "personal_number": return `«${p.text}» فيها رقم شخصي (هوية أو جوال أو آيبان أو رمز): احذفه.`;
      case "example_in_test_set": return `«${p.text}» من رسائل الاختبار المحجوزة: اكتب غيرها.`;
      case "example_taken": return `«${p.text}» مدرّبة على موضوع ثاني (${p.intent}).`;
      case "no_new_examples": return "ما فيه أمثلة جديدة في قائمة المراجعة.";
      case "set_dropped": return `${SETS[p.set] || p.set}: الدقة نزلت من ${p.before}% إلى ${p.after}% (الحد ${p.limit} نقطة).`;
      case "own_examples_not_understood": return `ما فهم ${p.examples.length} من ${p.n} صيغ السؤال الجديد، مثل «${p.examples[0][0]}».`;
      default: return p.code;
    }
  }

  // kit.js: the shared call and element helpers.
  const { el, button } = window.consoleKit;
  const call = (path, body) => window.consoleKit.call(path, body, me.csrf);

  function status(text) { $("training-status").textContent = text; }

  function refusal(data) {
    if (data.error === "own_change") return "ما تقدر تعتمد شي بديته أنت: يعتمده شخص ثاني.";
    if (data.error === "retrain_running") return "فيه تدريب شغّال: انتظره يخلص.";
    if (data.error === "nothing_approved") return "ما فيه تغيير معتمد للتدريب.";
    if (data.problems) return data.problems.map(problemText).join(" ");
    return "ما تم.";
  }

  async function step(path, body) {
    const { ok, data } = await call(path, body || {});
    status(ok ? "تم." : refusal(data));
    await load();
    return ok;
  }

  // ------------------------------------------------------------------ the new FAQ form
  function faqBody() {
    return {
      key: $("training-key").value.trim(),
      title: { ar: $("training-title-ar").value, en: $("training-title-en").value },
      answer: { ar: $("training-answer-ar").value, en: $("training-answer-en").value },
      examples: $("training-examples").value.split("\n").map((t) => t.trim()).filter(Boolean),
    };
  }

  function showProblems(problems) {
    const box = $("training-problems");
    box.replaceChildren();
    for (const p of problems || []) box.append(el("p", problemText(p), "error"));
    if (problems && !problems.length) box.append(el("p", "ما فيه ملاحظات.", "muted"));
  }

  async function check() {
    const { data } = await call(`${API}/faq/check`, faqBody());
    showProblems(data.problems || []);
  }

  async function save() {
    const { ok, data } = await call(`${API}/faq`, faqBody());
    if (!ok) { showProblems(data.problems || [{ code: data.error }]); return; }
    $("training-dialog").close();
    status(`أُرسل السؤال «${data.key}» للاعتماد.`);
    await load();
  }

  // ------------------------------------------------------------------ lists
  function showChanges(list) {
    const ul = $("training-changes");
    ul.replaceChildren();
    for (const c of list) {
      const li = el("li");
      li.dataset.change = c.id;
      const what = c.kind === "new_faq"
        ? `سؤال جديد «${c.payload.title.ar}» (${c.payload.examples.length} صيغة)`
        : `أمثلة من قائمة المراجعة (${Object.values(c.payload.examples).flat().length})`;
      li.append(el("strong", `${what} · \u2068${c.author}\u2069 · ${CHANGE_STATES[c.state] || c.state}`));
      if (c.kind === "new_faq") li.append(el("p", c.payload.answer.ar, "small"));
      if (c.payload.erased) li.append(el("p", `حُذف منها ${c.payload.erased} مثال بطلب حذف بيانات مواطن أو بانتهاء مدة الحفظ.`, "small"));
      if (c.state === "pending" && me.approver && c.author !== me.username) {
        li.append(button("اعتمد", () => step(`${API}/changes/${c.id}/approve`), "link"));
        li.append(button("ارفض", () => step(`${API}/changes/${c.id}/reject`), "link"));
      }
      if (c.state === "pending" && c.author === me.username) {
        li.append(button("اسحب", () => step(`${API}/changes/${c.id}/withdraw`), "link"));
      }
      ul.append(li);
    }
  }

  function scoreLine(scores) {
    if (!scores) return "";
    return Object.keys(SETS).filter((n) => scores.candidate[n] && scores.candidate[n].n)
      .map((n) => `${SETS[n]}: ${scores.current[n].accuracy ?? "—"}% ← ${scores.candidate[n].accuracy}%`)
      .join(" · ");
  }

  function showJobs(jobs) {
    const ul = $("training-jobs");
    ul.replaceChildren();
    let running = false;
    for (const j of jobs) {
      const li = el("li");
      li.dataset.job = j.id;
      li.append(el("strong", `تدريب ${j.id} · ${JOB_STATES[j.state] || j.state} · \u2068${j.started_by}\u2069`));
      if (["queued", "training", "scoring"].includes(j.state)) {
        running = true;
        const bar = el("progress");
        bar.max = 100; bar.value = j.progress;
        bar.setAttribute("aria-label", `تقدم التدريب ${j.id}`);
        li.append(bar);
      }
      const line = scoreLine(j.scores);
      if (line) li.append(el("p", line, "small"));
      for (const r of j.reasons) li.append(el("p", problemText(r), "error"));
      const log = el("pre", j.log, "small muted");
      log.dir = "ltr";
      li.append(log);
      if (j.state === "ready" && me.approver && j.started_by !== me.username) {
        li.append(button("انشر لكل الخوادم", () => step(`${API}/jobs/${j.id}/approve`), "primary"));
        li.append(button("استبعد", () => step(`${API}/jobs/${j.id}/discard`), "link"));
      }
      ul.append(li);
    }
    clearTimeout(poll);
    if (running) poll = setTimeout(load, 2000);
  }

  function showReleases(releases, served) {
    const ul = $("training-releases");
    ul.replaceChildren();
    releases.forEach((r, i) => {
      const li = el("li");
      const when = new Date(r.at).toLocaleString("ar-SA-u-nu-latn");
      const model = r.sha ? `نموذج ${r.sha}` : "النموذج الأصلي";
      li.append(el("strong", `${r.id} · ${r.kind === "rollback" ? "استرجاع" : "نشر"} · ${model} · \u2068${r.by}\u2069 · \u2068${when}\u2069${i === 0 ? " · المنشور الآن" : ""}`));
      if (i === 0 && r.kind === "rollout" && me.approver) {
        li.append(button("رجّع النموذج السابق", () => step(`${API}/rollback`), "link"));
      }
      ul.append(li);
    });
    if (served) ul.append(el("li", `هذا الخادم يخدم الإصدار ${served.release ?? "…"}`, "small muted"));
  }

  async function load() {
    const { ok, data } = await call(API);
    if (!ok) { status("تعذّر تحميل التدريب."); return; }
    showChanges(data.changes);
    showJobs(data.jobs);
    showReleases(data.releases, data.served);
  }

  async function start() {
    const r = await call("/desk/console/api/me");
    if (!r.ok) return;
    Object.assign(me, { csrf: r.data.csrf, editor: r.data.editor, approver: r.data.approver, username: r.data.username });
    $("training-editor-actions").hidden = !(me.editor || me.approver);
    $("training-new").hidden = !me.editor;
    $("training-reviewed").hidden = !me.editor;
    $("training-start").hidden = !me.editor;
    $("training-new").addEventListener("click", () => { showProblems(null); $("training-dialog").showModal(); });
    $("training-reviewed").addEventListener("click", () => step(`${API}/reviewed`));
    $("training-start").addEventListener("click", () => step(`${API}/jobs`));
    $("training-check").addEventListener("click", check);
    $("training-save").addEventListener("click", save);
    $("training-close").addEventListener("click", () => $("training-dialog").close());
    $("training-details").addEventListener("toggle", loadOnce);
    loadOnce();
  }

  function loadOnce() {
    if (!$("training-details").open || loaded) return;
    loaded = true;
    load();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
