/* Live pages of the event: the big screen, a booth's screen and the staff console. */
(function () {
  "use strict";
  var body = document.body;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* ---- The big screen ---------------------------------------------------------------- */
  function bigScreen() {
    var rows = document.getElementById("rows");
    var banner = document.getElementById("banner");
    var frozen = document.getElementById("frozen");
    var empty = document.getElementById("empty");
    var total = document.getElementById("total");
    var link = document.getElementById("link");
    var linkText = document.getElementById("link-text");
    var lastSeq = -1;
    var delay = 500;
    var bannerTimer = null;

    function setLink(state, text) {
      link.dataset.state = state;
      linkText.textContent = text;
    }

    function render(snapshot) {
      if (snapshot.seq < lastSeq && snapshot.seq !== 0) return;
      lastSeq = snapshot.seq;
      body.dataset.seq = String(snapshot.seq);
      frozen.hidden = !snapshot.frozen;
      body.classList.toggle("is-frozen", !!snapshot.frozen);
      total.textContent = String(snapshot.total);
      empty.hidden = snapshot.entries.length > 0;
      // FLIP: First (old positions), Last (new DOM), Invert (transform), Play (transition).
      var before = {};
      var existing = {};
      Array.prototype.forEach.call(rows.children, function (li) {
        before[li.dataset.id] = li.getBoundingClientRect().top;
        existing[li.dataset.id] = li;
      });
      var seen = {};
      snapshot.entries.forEach(function (entry, i) {
        var id = String(entry.player.id);
        seen[id] = true;
        var li = existing[id];
        if (!li) {
          li = el("li", "row entering");
          li.dataset.id = id;
          li.appendChild(el("span", "rank"));
          li.appendChild(el("span", "handle"));
          li.appendChild(el("span", "score"));
        }
        var score = li.querySelector(".score");
        if (score.textContent && score.textContent !== String(entry.score)) {
          li.classList.remove("bump");
          void li.offsetWidth;
          li.classList.add("bump");
        }
        li.querySelector(".rank").textContent = String(entry.competition_rank);
        li.querySelector(".handle").textContent = entry.player.handle;
        score.textContent = String(entry.score);
        li.classList.toggle("leader", i === 0);
        if (rows.children[i] !== li) rows.insertBefore(li, rows.children[i] || null);
      });
      Object.keys(existing).forEach(function (id) {
        if (!seen[id]) rows.removeChild(existing[id]);
      });
      Array.prototype.forEach.call(rows.children, function (li) {
        var old = before[li.dataset.id];
        if (old === undefined) {
          requestAnimationFrame(function () { li.classList.remove("entering"); });
          return;
        }
        var dy = old - li.getBoundingClientRect().top;
        if (!dy) return;
        li.style.transition = "none";
        li.style.transform = "translateY(" + dy + "px)";
        requestAnimationFrame(function () {
          requestAnimationFrame(function () {
            li.style.transition = "";
            li.style.transform = "";
          });
        });
      });
      if (snapshot.entries.length) body.dataset.leader = snapshot.entries[0].player.handle;
    }

    function announce(text) {
      banner.textContent = text;
      banner.hidden = false;
      if (bannerTimer) clearTimeout(bannerTimer);
      bannerTimer = setTimeout(function () { banner.hidden = true; }, 60000);
    }

    function connect() {
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + body.dataset.ws);
      setLink("connecting", "connecting");
      ws.onopen = function () {
        delay = 500;
        lastSeq = -1;
        setLink("live", "live");
      };
      ws.onmessage = function (event) {
        var msg;
        try { msg = JSON.parse(event.data); } catch (e) { return; }
        if (msg.type === "snapshot") render(msg);
        else if (msg.type === "announcement") announce(msg.text);
      };
      ws.onclose = function (event) {
        var wait = delay + Math.random() * delay * 0.3;
        if (event.code === 4404 || event.code === 4422) {
          setLink("error", event.reason || "unavailable");
          wait = 30000;
        } else {
          setLink("offline", "reconnecting");
        }
        delay = Math.min(delay * 2, 15000);
        setTimeout(connect, wait);
      };
    }
    connect();
  }

  /* ---- A booth's screen -------------------------------------------------------------- */
  function boothScreen() {
    var qr = document.getElementById("qr");
    var code = document.getElementById("code");
    var bar = document.getElementById("timer-bar");
    var expires = document.getElementById("expires");
    var deadline = 0;

    function tick() {
      var left = Math.max(0, (deadline - Date.now()) / 1000);
      bar.style.width = (100 * left / 30) + "%";
      expires.textContent = "New code in " + Math.ceil(left) + " s";
    }

    function load() {
      fetch(body.dataset.codeUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          qr.innerHTML = data.qr_svg;  /* SVG built by the server (segno) */
          code.textContent = data.code;
          body.dataset.code = data.code;
          deadline = Date.now() + data.expires_in * 1000;
          setTimeout(load, data.expires_in * 1000 + 300);
        })
        .catch(function () {
          expires.textContent = "Cannot reach the server, retrying";
          setTimeout(load, 3000);
        });
    }
    load();
    setInterval(tick, 250);
  }

  /* ---- The staff console ------------------------------------------------------------- */
  function staffConsole() {
    var slug = body.dataset.slug;
    var msg = document.getElementById("console-msg");
    function send(method, url, payload) {
      return fetch(url, {
        method: method,
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-Requested-With": "fetch",
          "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content
        },
        body: JSON.stringify(payload)
      }).then(function (r) {
        return r.json().then(function (data) {
          msg.textContent = r.ok ? "Done." : (data.detail || "Failed.");
          refresh();
          return data;
        });
      });
    }
    function patch(payload) { return send("PATCH", "/api/admin/quests/" + slug, payload); }
    document.getElementById("pause").onclick = function () { patch({ status: "paused" }); };
    document.getElementById("resume").onclick = function () { patch({ status: "open" }); };
    document.getElementById("freeze").onclick = function () { patch({ frozen: true }); };
    document.getElementById("unfreeze").onclick = function () { patch({ frozen: false }); };
    document.getElementById("announce").onsubmit = function (event) {
      event.preventDefault();
      var input = document.getElementById("announce-text");
      send("POST", "/api/admin/announcements", { quest: slug, text: input.value })
        .then(function () { input.value = ""; });
    };
    function refresh() {
      fetch("/api/admin/live/" + slug, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          document.getElementById("status").textContent = data.status;
          document.getElementById("frozen").textContent = data.frozen ? "frozen" : "live";
          document.getElementById("viewers").textContent = String(data.viewers);
          var spm = document.getElementById("spm");
          var top = Math.max.apply(null, data.submissions_per_minute.map(function (m) { return m.count; }).concat([1]));
          spm.innerHTML = "";
          data.submissions_per_minute.forEach(function (m) {
            var col = el("div", "spm-col");
            var barEl = el("div", "spm-bar");
            barEl.style.height = (100 * m.count / top) + "%";
            col.title = m.minute.slice(11, 16) + ": " + m.count;
            col.appendChild(el("span", "spm-n", String(m.count)));
            col.appendChild(barEl);
            spm.appendChild(col);
          });
        })
        .catch(function () { msg.textContent = "Cannot reach the server."; });
    }
    refresh();
    setInterval(refresh, 3000);
  }

  if (body.classList.contains("board")) bigScreen();
  else if (body.classList.contains("booth")) boothScreen();
  else if (body.classList.contains("console")) staffConsole();
})();
