// The quest editor: edits the quest DOCUMENT in the browser and saves the whole of it
// through the quest import (POST /api/admin/quests), which validates it exactly as an
// uploaded file. Errors come back with their field path (`challenges[3].answer`) and are
// shown at the input carrying that path; nothing changes until the whole quest is valid.
const root = document.getElementById("editor");
const S = JSON.parse(document.getElementById("editor-strings").textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const body = document.getElementById("editor-body");
const summary = document.getElementById("editor-summary");
const statusLine = document.getElementById("editor-status");
const confirmBox = document.getElementById("editor-confirm");
const previewBox = document.getElementById("editor-preview");
const previewWhich = document.getElementById("preview-which");
const KINDS = ["choice", "text", "numeric", "checkin"];
const STATUSES = ["draft", "open", "paused", "closed"];

let slug = root.dataset.slug;
let model = null;
let previewIndex = -1;
let previewLang = root.dataset.lang;
let previewTimer = 0;

const fill = (text, values = {}) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

// --- the document <-> the editor's model --------------------------------------------------

const str = (v) => (v === null || v === undefined ? "" : String(v));
const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);
// A number as typed; anything else is sent as typed, so the validator names it at its field.
const num = (text) => {
  const t = text.trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
};
const isRegex = (a) => a !== null && typeof a === "object" && !Array.isArray(a);
const listOf = (a) => (Array.isArray(a) ? a : a === null || a === undefined ? [] : [a]);

function day(offset) {
  const d = new Date(Date.now() + offset * 86400000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00:00+08:00`;
}

function blankChallenge(track) {
  return challengeFromDoc({ slug: "", track, title: "", prompt: "", kind: "choice", points: 10 });
}

function blankQuest() {
  return {
    slug: "", title: "", timezone: "Asia/Hong_Kong", starts_at: day(0), ends_at: day(7),
    description: "", status: "draft", tracks: [], challenges: [],
  };
}

function challengeFromDoc(c) {
  const a = c.answer;
  const sc = c.scoring || {};
  return {
    slug: str(c.slug), track: str(c.track), title: str(c.title), prompt: str(c.prompt),
    kind: KINDS.includes(c.kind) ? c.kind : "text", points: str(c.points),
    options: (c.options || []).join("\n"),
    multiple: c.kind === "choice" && Array.isArray(a),
    answers: (c.kind === "choice" || c.kind === "text") && !isRegex(a) ? listOf(a).join("\n") : "",
    textMode: c.kind === "text" && isRegex(a) ? "regex" : "list",
    regex: isRegex(a) ? str(a.regex) : "",
    number: c.kind === "numeric" ? str(a) : "",
    tolerance: str(c.tolerance),
    booth: str(c.booth), secret: str(c.secret),
    max_attempts: str(c.max_attempts),
    requires: (c.requires || []).join(", "),
    hints: (c.hints || []).map((h) => ({ text: str(h.text), cost: str(h.cost) })),
    opens_at: str(c.opens_at), closes_at: str(c.closes_at),
    speed_max: str(sc.speed_bonus?.max), speed_window: str(sc.speed_bonus?.window_s),
    first_count: str(sc.first_solves?.count), first_bonus: str(sc.first_solves?.bonus),
  };
}

function fromDoc(doc) {
  return {
    slug: str(doc.slug), title: str(doc.title), timezone: str(doc.timezone || "Asia/Hong_Kong"),
    starts_at: str(doc.starts_at), ends_at: str(doc.ends_at), description: str(doc.description),
    status: "", // saving never changes the status unless staff pick one
    tracks: (doc.tracks || []).map((t) => ({ slug: str(t.slug), title: str(t.title) })),
    challenges: (doc.challenges || []).map(challengeFromDoc),
  };
}

function challengeToDoc(c) {
  const out = {
    slug: c.slug.trim(), track: c.track, title: c.title.trim(), prompt: c.prompt,
    kind: c.kind, points: num(c.points),
  };
  if (c.kind === "choice") {
    out.options = lines(c.options);
    const picks = lines(c.answers);
    if (c.multiple) out.answer = picks;
    else if (picks.length) out.answer = picks[0];
  } else if (c.kind === "text") {
    const picks = lines(c.answers);
    if (c.textMode === "regex") out.answer = { regex: c.regex };
    else if (picks.length) out.answer = picks.length === 1 ? picks[0] : picks;
  } else if (c.kind === "numeric") {
    out.answer = num(c.number);
    out.tolerance = num(c.tolerance);
  } else {
    if (c.booth.trim()) out.booth = c.booth.trim();
    if (c.secret.trim()) out.secret = c.secret.trim();
  }
  out.max_attempts = num(c.max_attempts);
  out.requires = c.requires.split(/[\s,]+/).filter(Boolean);
  out.hints = c.hints.map((h) => ({ text: h.text, cost: num(h.cost) }));
  if (c.opens_at.trim()) out.opens_at = c.opens_at.trim();
  if (c.closes_at.trim()) out.closes_at = c.closes_at.trim();
  const scoring = {};
  if (c.speed_max.trim() || c.speed_window.trim()) {
    scoring.speed_bonus = { max: num(c.speed_max), window_s: num(c.speed_window) };
  }
  if (c.first_count.trim() || c.first_bonus.trim()) {
    scoring.first_solves = { count: num(c.first_count), bonus: num(c.first_bonus) };
  }
  out.scoring = scoring;
  return out;
}

function toDoc(m) {
  const doc = {
    slug: m.slug.trim(), title: m.title.trim(), timezone: m.timezone.trim(),
    starts_at: m.starts_at.trim(), ends_at: m.ends_at.trim(),
    tracks: m.tracks.map((t) => ({ slug: t.slug.trim(), title: t.title.trim() })),
    challenges: m.challenges.map(challengeToDoc),
  };
  if (m.description.trim()) doc.description = m.description;
  if (m.status) doc.status = m.status;
  return doc;
}

// --- building the form --------------------------------------------------------------------

const idOf = (path) => "ed-" + path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "text") node.textContent = v;
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// One labelled control bound to `obj[key]`; `path` is its place in the document, where the
// validator's errors point. `opts.paths` lists other paths shown at the same control.
function field(label, path, obj, key, opts = {}) {
  const id = idOf(path);
  const attrs = { id, name: id, dataset: { path: [path, ...(opts.paths || [])].join(" ") } };
  let control;
  const onInput = (e) => {
    obj[key] = e.target.type === "checkbox" ? e.target.checked : e.target.value;
    if (opts.onInput) opts.onInput(e);
    schedulePreview();
  };
  if (opts.choices) {
    control = el("select", { ...attrs, on: { change: onInput } },
      ...opts.choices.map(([value, text]) =>
        el("option", { value, text, selected: value === obj[key] })));
  } else if (opts.textarea) {
    control = el("textarea", { ...attrs, rows: opts.rows || 3, on: { input: onInput } });
    control.value = obj[key];
  } else if (opts.checkbox) {
    control = el("input", { ...attrs, type: "checkbox", checked: obj[key], on: { change: onInput } });
    return el("div", { class: "ed-field ed-check" }, control, el("label", { for: id, text: label }));
  } else {
    control = el("input", {
      ...attrs, type: "text", autocomplete: "off", inputmode: opts.inputmode,
      readonly: opts.readonly, placeholder: opts.placeholder, on: { input: onInput },
    });
    control.value = obj[key];
  }
  const help = opts.help ? el("p", { class: "help", id: id + "-help", text: opts.help }) : null;
  if (help) control.setAttribute("aria-describedby", help.id);
  return el("div", { class: "ed-field" + (opts.wide ? " wide" : "") },
    el("label", { for: id, text: label }), control, help);
}

function moveButtons(list, i, what, name, prefix) {
  const move = (delta, dir) => () => {
    const j = i + delta;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    if (previewIndex === i && list === model.challenges) previewIndex = j;
    render(`${idOf(`${prefix}[${j}]`)}-${dir}`);
  };
  const remove = () => {
    list.splice(i, 1);
    if (list === model.challenges) previewIndex = -1;
    render(idOf(prefix) + "-add");
  };
  return el("div", { class: "actions ed-move" },
    el("button", { type: "button", class: "secondary", id: `${idOf(`${prefix}[${i}]`)}-up`,
      "aria-label": fill(S.move_up, { what: name }), text: "↑ " + S.up, on: { click: move(-1, "up") } }),
    el("button", { type: "button", class: "secondary", id: `${idOf(`${prefix}[${i}]`)}-down`,
      "aria-label": fill(S.move_down, { what: name }), text: "↓ " + S.down, on: { click: move(1, "down") } }),
    el("button", { type: "button", class: "secondary", id: `${idOf(`${prefix}[${i}]`)}-remove`,
      "aria-label": fill(S.remove_named, { what: name }), text: S.remove, on: { click: remove } }),
  );
}

function detailsSection() {
  const m = model;
  const statusChoices = [["", slug ? S.status_keep : S.status_default],
    ...STATUSES.map((s) => [s, S["status." + s]])];
  return el("fieldset", { class: "card ed-details" }, el("legend", { text: S.details }),
    el("div", { class: "ed-grid" },
      field(S.slug, "slug", m, "slug", { readonly: !!slug, help: slug ? S.slug_fixed : S.slug_help }),
      field(S.title, "title", m, "title"),
      field(S.timezone, "timezone", m, "timezone", { help: S.timezone_help }),
      field(S.status, "status", m, "status", { choices: statusChoices, help: S.status_help }),
      field(S.starts_at, "starts_at", m, "starts_at", { help: S.time_help }),
      field(S.ends_at, "ends_at", m, "ends_at", { help: S.time_help }),
      field(S.description, "description", m, "description", { textarea: true, wide: true })));
}

function tracksSection() {
  const section = el("fieldset", { class: "card ed-tracks", dataset: { path: "tracks" } },
    el("legend", { text: S.tracks }));
  if (!model.tracks.length) section.append(el("p", { class: "help", text: S.no_tracks }));
  model.tracks.forEach((t, i) => {
    const name = t.title || t.slug || fill(S.track_n, { n: i + 1 });
    section.append(el("div", { class: "ed-row", dataset: { path: `tracks[${i}]` } },
      field(S.track_slug, `tracks[${i}].slug`, t, "slug", { onInput: refreshTrackChoices }),
      field(S.track_title, `tracks[${i}].title`, t, "title"),
      moveButtons(model.tracks, i, "track", name, "tracks")));
  });
  section.append(el("button", { type: "button", class: "secondary", id: idOf("tracks") + "-add",
    text: S.add_track, on: { click: () => {
      model.tracks.push({ slug: "", title: "" });
      render(idOf(`tracks[${model.tracks.length - 1}].slug`));
    } } }));
  return section;
}

function trackChoices(current) {
  const slugs = model.tracks.map((t) => t.slug).filter(Boolean);
  if (current && !slugs.includes(current)) slugs.push(current);
  return [["", S.pick_track], ...slugs.map((s) => [s, s])];
}

function refreshTrackChoices() {
  model.challenges.forEach((c, i) => {
    const select = document.getElementById(idOf(`challenges[${i}].track`));
    if (!select) return;
    select.replaceChildren(...trackChoices(c.track).map(([value, text]) =>
      el("option", { value, text, selected: value === c.track })));
  });
}

function kindFields(c, p) {
  const rerender = (focus) => () => render(idOf(focus));
  if (c.kind === "choice") {
    return [
      field(S.options, `${p}.options`, c, "options", { textarea: true, rows: 4, help: S.options_help }),
      field(S.multiple, `${p}.multiple`, c, "multiple", { checkbox: true }),
      field(S.choice_answer, `${p}.answer`, c, "answers", { textarea: true, rows: 2, help: S.choice_answer_help }),
    ];
  }
  if (c.kind === "text") {
    const mode = field(S.text_mode, `${p}.textMode`, c, "textMode", {
      choices: [["list", S.text_list], ["regex", S.text_regex]],
      onInput: rerender(`${p}.textMode`),
    });
    return c.textMode === "regex"
      ? [mode, field(S.regex, `${p}.answer.regex`, c, "regex", { paths: [`${p}.answer`], help: S.regex_help })]
      : [mode, field(S.text_answers, `${p}.answer`, c, "answers", { textarea: true, rows: 3, help: S.text_answers_help })];
  }
  if (c.kind === "numeric") {
    return [
      field(S.number, `${p}.answer`, c, "number", { inputmode: "decimal" }),
      field(S.tolerance, `${p}.tolerance`, c, "tolerance", { inputmode: "decimal", help: S.tolerance_help }),
    ];
  }
  return [
    field(S.booth, `${p}.booth`, c, "booth", { help: S.booth_help }),
    field(S.secret, `${p}.secret`, c, "secret", { help: S.secret_help }),
  ];
}

function hintsBlock(c, p) {
  const box = el("fieldset", { class: "ed-hints", dataset: { path: `${p}.hints` } },
    el("legend", { text: S.hints }));
  c.hints.forEach((h, j) => {
    box.append(el("div", { class: "ed-row", dataset: { path: `${p}.hints[${j}]` } },
      field(fill(S.hint_text, { n: j + 1 }), `${p}.hints[${j}].text`, h, "text"),
      field(S.hint_cost, `${p}.hints[${j}].cost`, h, "cost", { inputmode: "numeric" }),
      el("button", { type: "button", class: "secondary", id: idOf(`${p}.hints[${j}]`) + "-remove",
        text: fill(S.remove_hint, { n: j + 1 }), on: { click: () => {
          c.hints.splice(j, 1);
          render(idOf(`${p}.hints`) + "-add");
        } } })));
  });
  box.append(el("button", { type: "button", class: "secondary", id: idOf(`${p}.hints`) + "-add",
    text: S.add_hint, on: { click: () => {
      c.hints.push({ text: "", cost: "0" });
      render(idOf(`${p}.hints[${c.hints.length - 1}].text`));
    } } }));
  return box;
}

function challengeCard(c, i) {
  const p = `challenges[${i}]`;
  const title = () => fill(S.challenge_n, { n: i + 1, title: c.title || c.slug || S.untitled });
  const legend = el("legend", { text: title() });
  const titleField = field(S.title, `${p}.title`, c, "title", { onInput: () => { legend.textContent = title(); } });
  return el("fieldset", { class: "card ed-challenge", id: idOf(p), dataset: { path: p } }, legend,
    moveButtons(model.challenges, i, "challenge", c.title || c.slug || String(i + 1), "challenges"),
    el("div", { class: "ed-grid" },
      field(S.slug, `${p}.slug`, c, "slug", { help: S.slug_help }),
      field(S.track, `${p}.track`, c, "track", { choices: trackChoices(c.track) }),
      titleField,
      field(S.kind, `${p}.kind`, c, "kind", {
        choices: KINDS.map((k) => [k, S["kind." + k]]), onInput: () => render(idOf(`${p}.kind`)),
      }),
      field(S.points, `${p}.points`, c, "points", { inputmode: "numeric" }),
      field(S.max_attempts, `${p}.max_attempts`, c, "max_attempts", { inputmode: "numeric", help: S.max_attempts_help }),
      field(S.prompt, `${p}.prompt`, c, "prompt", { textarea: true, rows: 4, wide: true, help: S.prompt_help })),
    el("div", { class: "ed-grid" }, ...kindFields(c, p)),
    el("div", { class: "ed-grid" },
      field(S.requires, `${p}.requires`, c, "requires", { help: S.requires_help }),
      field(S.opens_at, `${p}.opens_at`, c, "opens_at", { help: S.window_help }),
      field(S.closes_at, `${p}.closes_at`, c, "closes_at", { help: S.window_help })),
    hintsBlock(c, p),
    el("fieldset", { class: "ed-scoring", dataset: { path: `${p}.scoring` } }, el("legend", { text: S.scoring }),
      el("div", { class: "ed-grid" },
        field(S.speed_max, `${p}.scoring.speed_bonus.max`, c, "speed_max", { inputmode: "numeric", paths: [`${p}.scoring.speed_bonus`] }),
        field(S.speed_window, `${p}.scoring.speed_bonus.window_s`, c, "speed_window", { inputmode: "numeric", help: S.speed_help }),
        field(S.first_count, `${p}.scoring.first_solves.count`, c, "first_count", { inputmode: "numeric", paths: [`${p}.scoring.first_solves`] }),
        field(S.first_bonus, `${p}.scoring.first_solves.bonus`, c, "first_bonus", { inputmode: "numeric", help: S.first_help }))),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", id: idOf(p) + "-preview",
        text: S.show_preview, on: { click: () => { previewIndex = i; showPreview(true); } } })));
}

function challengesSection() {
  const section = el("section", { class: "ed-challenges", "aria-labelledby": "ed-challenges-h",
    dataset: { path: "challenges" } }, el("h2", { id: "ed-challenges-h", text: S.challenges }));
  if (!model.challenges.length) section.append(el("p", { class: "help", text: S.no_challenges }));
  model.challenges.forEach((c, i) => section.append(challengeCard(c, i)));
  section.append(el("button", { type: "button", class: "secondary", id: idOf("challenges") + "-add",
    text: S.add_challenge, on: { click: () => {
      model.challenges.push(blankChallenge(model.tracks[0]?.slug || ""));
      render(idOf(`challenges[${model.challenges.length - 1}].slug`));
    } } }));
  return section;
}

function render(focusId) {
  body.replaceChildren(detailsSection(), tracksSection(), challengesSection());
  if (focusId) document.getElementById(focusId)?.focus();
}

// --- errors at their fields ---------------------------------------------------------------

function controls() {
  const byPath = new Map();
  for (const node of root.querySelectorAll("[data-path]")) {
    for (const path of node.dataset.path.split(" ")) if (!byPath.has(path)) byPath.set(path, node);
  }
  return byPath;
}

// The control for a path, or the nearest enclosing one (`challenges[2].requires[0]` is shown
// at `challenges[2].requires`; `challenges[2]` at the challenge's box).
function controlFor(byPath, path) {
  let here = path;
  while (here) {
    if (byPath.has(here)) return byPath.get(here);
    const cut = Math.max(here.lastIndexOf("."), here.lastIndexOf("["));
    if (cut <= 0) break;
    here = here.slice(0, cut);
  }
  return null;
}

function clearErrors() {
  summary.replaceChildren();
  summary.className = "";
  for (const p of root.querySelectorAll(".field-error.ed-error")) p.remove();
  for (const node of root.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    const kept = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("ed-err-"));
    if (kept.length) node.setAttribute("aria-describedby", kept.join(" "));
    else node.removeAttribute("aria-describedby");
  }
}

function showErrors(errors) {
  clearErrors();
  const byPath = controls();
  const items = [];
  errors.forEach((e, n) => {
    const target = controlFor(byPath, e.path);
    const id = `ed-err-${n}`;
    const message = el("p", { class: "field-error ed-error", id, text: e.message });
    let link = null;
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute("aria-invalid", "true");
      const ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      target.setAttribute("aria-describedby", [...ids, id].join(" "));
      target.closest(".ed-field").append(message);
      link = target.id;
    } else if (target) {
      const legend = target.querySelector(":scope > legend, :scope > h2");
      (legend || target.firstChild)?.after(message);
      link = target.id || null;
    }
    const where = el("code", { text: e.path });
    items.push(el("li", {}, link ? el("a", { href: "#" + link }, where) : where, ": " + e.message));
  });
  summary.className = "alert";
  summary.append(el("p", {}, el("strong", { text: fill(errors.length === 1 ? S.errors_one : S.errors_other, { n: errors.length }) })),
    el("p", { text: S.nothing_changed }), el("ul", { class: "errors" }, ...items));
  summary.setAttribute("role", "alert");
  summary.focus();
}

// --- saving -------------------------------------------------------------------------------

function say(text, ...links) {
  statusLine.replaceChildren(text, ...links.flatMap(([href, label]) => [" ", el("a", { href, text: label })]));
}

async function save(confirmed = false) {
  clearErrors();
  confirmBox.replaceChildren();
  say(S.saving);
  const doc = toDoc(model);
  let r;
  try {
    r = await fetch("/api/admin/quests" + (confirmed ? "?confirm=true" : ""), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify(doc),
    });
  } catch {
    say("");
    showErrors([{ path: "(document)", message: S.network }]);
    return;
  }
  const answer = await r.json().catch(() => ({}));
  if (r.ok) {
    const created = !slug;
    slug = doc.slug;
    model.status = "";
    if (created) {
      history.replaceState(null, "", `/staff/quests/${encodeURIComponent(slug)}/edit`);
      render();
    }
    say(fill(created ? S.created : S.saved, { slug }),
      [`/staff/quests/${encodeURIComponent(slug)}/revisions`, S.revisions],
      [`/play/${encodeURIComponent(slug)}`, S.play], ["/staff", S.console]);
    return;
  }
  say("");
  if (r.status === 422 && Array.isArray(answer.errors) && answer.errors.length) {
    showErrors(answer.errors);
  } else if (r.status === 409 && answer.code === "confirmation_required") {
    askToConfirm(answer);
  } else {
    showErrors([{ path: "(document)", message: answer.detail || fill(S.failed, { status: r.status }) }]);
  }
}

// One affected challenge of a 409: `{challenge, solves, change, effect}`.
const describe = (a) => `${a.challenge} (${fill(a.solves === 1 ? S.solves_one : S.solves_other, { n: a.solves })}): ${a.effect}`;

function askToConfirm(answer) {
  const changes = Array.isArray(answer.affected) ? answer.affected : [];
  const box = el("div", { class: "alert", role: "alert", id: "ed-confirm-box" },
    el("p", {}, el("strong", { text: S.confirm_title })),
    changes.length ? null : el("p", { text: answer.detail || "" }),
    changes.length ? el("ul", { id: "ed-affected" }, ...changes.map((c) => el("li", { text: describe(c) }))) : null,
    el("p", { text: S.confirm_help }),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "ed-confirm", text: S.confirm, on: { click: () => save(true) } }),
      el("button", { type: "button", class: "secondary", text: S.cancel,
        on: { click: () => { confirmBox.replaceChildren(); document.getElementById("editor-save").focus(); } } })));
  confirmBox.replaceChildren(box);
  document.getElementById("ed-confirm").focus();
}

// --- the preview: the player's page for one challenge, rendered by the server ---------------

function schedulePreview() {
  if (previewIndex < 0) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => showPreview(false), 400);
}

async function showPreview(scroll) {
  const c = model.challenges[previewIndex];
  if (!c) return;
  for (const b of root.querySelectorAll("[data-preview-lang]")) {
    b.setAttribute("aria-pressed", String(b.dataset.previewLang === previewLang));
  }
  previewWhich.textContent = fill(S.previewing, { n: previewIndex + 1, title: c.title || c.slug || S.untitled });
  const r = await fetch("/staff/quests/preview", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify({
      quest: { slug: model.slug || "draft", title: model.title, timezone: model.timezone },
      challenge: challengeToDoc(c),
      titles: model.challenges.map((x) => ({ slug: x.slug, title: x.title })),
      lang: previewLang,
    }),
  });
  if (!r.ok) {
    previewBox.replaceChildren(el("p", { class: "alert", text: S.preview_failed }));
    return;
  }
  const page = new DOMParser().parseFromString(await r.text(), "text/html");
  previewBox.replaceChildren(...page.body.childNodes);
  if (scroll) document.getElementById("editor-preview-section").scrollIntoView();
}

for (const b of root.querySelectorAll("[data-preview-lang]")) {
  b.addEventListener("click", () => {
    previewLang = b.dataset.previewLang;
    if (previewIndex < 0 && model.challenges.length) previewIndex = 0;
    showPreview(false);
  });
}

// --- start --------------------------------------------------------------------------------

document.getElementById("editor-form").addEventListener("submit", (e) => {
  e.preventDefault();
  save(false);
});

async function start() {
  root.hidden = false;
  if (!slug) {
    model = blankQuest();
    render();
    return;
  }
  const r = await fetch(`/api/admin/quests/${encodeURIComponent(slug)}/document`, {
    headers: { Accept: "application/json" },
  });
  if (!r.ok) {
    summary.className = "alert";
    summary.replaceChildren(el("p", { text: S.load_failed }));
    return;
  }
  model = fromDoc(await r.json());
  render();
}

start();
