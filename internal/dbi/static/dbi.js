// Live recompute for the DBI assessment form (progressive enhancement: the
// form works without it, saving re-renders the same figures on the server).
// On every change it asks /api/v1/dbi/score for the points and levels of the
// levels on the form and updates the summary and pillar headings.
(function () {
  "use strict";
  var form = document.querySelector("form[data-score-url]");
  if (!form) { return; }
  var names = JSON.parse(form.getAttribute("data-level-names") || "[]");
  var csrf = form.querySelector("input[name=_csrf]");
  var pending = null;

  function levels() {
    var out = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (el) {
      if (el.name.indexOf("L.") === 0 && el.value !== "") { out[el.name.slice(2)] = parseInt(el.value, 10); }
    });
    return out;
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }

  function setLevel(id, level) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = String(level);
    el.className = "lvl lvl-" + level;
    el.title = names[level] || "";
  }

  function progress(lv) {
    var answered = Object.keys(lv).length;
    setText("answered", String(answered));
    var bar = document.getElementById("progress");
    if (bar) { bar.value = answered; }
    form.querySelectorAll("section.pillar").forEach(function (sec) {
      var n = 0;
      sec.querySelectorAll("fieldset.crit").forEach(function (fs) {
        var c = fs.querySelector("input[type=radio]:checked");
        if (c && c.value !== "") { n++; fs.classList.remove("missing"); }
      });
      setText(sec.id + "-answered", String(n));
    });
  }

  function recompute() {
    var lv = levels();
    progress(lv);
    var body = JSON.stringify({ index: form.getAttribute("data-index"), levels: lv });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.getAttribute("data-score-url"), {
      method: "POST", credentials: "same-origin", signal: pending.signal,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
      body: body
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (res) {
      if (!res) { return; }
      setText("total", String(res.total));
      setLevel("level", res.level);
      setText("level-name", names[res.level] || "");
      (res.pillars || []).forEach(function (p) {
        setText("pillar-" + p.pillar + "-points", String(p.points));
        setLevel("pillar-" + p.pillar + "-level", p.level);
        setText("sum-" + p.pillar + "-points", String(p.points));
        setLevel("sum-" + p.pillar + "-level", p.level);
      });
    }).catch(function () { /* offline or aborted: the figures refresh on save */ });
  }

  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name && ev.target.name.indexOf("L.") === 0) { recompute(); }
  });

  // Keyboard: Alt+N jumps to the next criterion without a level.
  document.addEventListener("keydown", function (ev) {
    if (!ev.altKey || (ev.key !== "n" && ev.key !== "N")) { return; }
    var sets = form.querySelectorAll("fieldset.crit");
    for (var i = 0; i < sets.length; i++) {
      var c = sets[i].querySelector("input[type=radio]:checked");
      if (!c || c.value === "") {
        var first = sets[i].querySelector("input[type=radio]");
        if (first) { first.focus(); sets[i].scrollIntoView({ block: "center" }); }
        ev.preventDefault();
        return;
      }
    }
  });
})();
