// Answer without a full page reload: the same form, sent to the JSON API with fetch.
// Without JavaScript the form posts to the page and redirects (post/redirect/get).
const form = document.getElementById("answer-form");
const box = document.getElementById("feedback");
const strings = JSON.parse(document.getElementById("play-strings").textContent);
// The API wants the page's CSRF token with the session cookie (see docs/http-api.md).
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

const lang = document.documentElement.lang || "en";
const plurals = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);

// A message is a text or, for a count `n`, its CLDR plural forms ({one, other}): the page
// and the browser pick the form by the same rules.
const fill = (message, values) => {
  const text = typeof message === "string" ? message : (message[plurals.select(values.n)] ?? message.other);
  return text.replace(/\{(\w+)\}/g, (_, k) => {
    const value = values[k];
    return typeof value === "number" ? numbers.format(value) : String(value ?? "");
  });
};

function show(ok, lines) {
  box.replaceChildren();
  const div = document.createElement("div");
  div.className = `feedback ${ok ? "ok" : "bad"}`;
  div.setAttribute("role", ok ? "status" : "alert");
  for (const [strong, rest] of lines) {
    const p = document.createElement("p");
    if (strong) {
      const b = document.createElement("strong");
      b.textContent = strong;
      p.append(b, " ");
    }
    if (rest) p.append(rest);
    div.append(p);
  }
  box.append(div);
}

function answerOf(data) {
  if (form.dataset.kind === "choice" && form.dataset.multiple === "1") {
    const picked = data.getAll("answer");
    return picked.length ? picked : null;
  }
  const value = String(data.get("answer") ?? "").trim();
  return value ? value : null;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const answer = answerOf(data);
  if (answer === null) {
    show(false, [[strings.empty, ""]]);
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(`/api/challenges/${form.dataset.challenge}/attempts`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": data.get("idem"),
        "X-CSRF-Token": csrfToken,
      },
      body: JSON.stringify({ answer }),
      credentials: "same-origin",
    });
    const body = await response.json();
    form.querySelector("input[name=idem]").value = crypto.randomUUID();
    if (!response.ok) {
      show(false, [[strings[body.code] || strings.error, ""]]);
      if (body.code === "already_solved" || body.code === "attempts_exhausted") form.hidden = true;
      return;
    }
    if (body.correct) {
      const rank = body.rank
        ? fill(strings.new_rank, { rank: body.rank, score: body.score })
        : fill(strings.new_score, { score: body.score });
      show(true, [[strings.correct, fill(strings.earned, { n: body.points_awarded })], ["", rank]]);
      form.hidden = true;
      document.getElementById("next-link")?.focus();
    } else {
      const left = body.attempts_left === null ? "" : fill(strings.attempts_left, { n: body.attempts_left });
      show(false, [[strings.wrong, left]]);
      if (body.attempts_left === 0) form.hidden = true;
    }
  } catch {
    form.submit(); // network trouble: fall back to the plain form post
  } finally {
    button.disabled = false;
  }
});
