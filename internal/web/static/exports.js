// An export's page follows its job: the progress bar and the count move as
// rows are written, and when the file is ready its download starts (the
// Download button stays for another copy). Without scripts the page shows
// the state it was rendered in and a link to refresh it.
(function () {
  'use strict';
  var box = document.querySelector('[data-export-status]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-export-status');
  var bar = box.querySelector('.export-progress');
  var count = box.querySelector('.export-count');
  var lang = document.documentElement.lang || 'vi';
  var num = new Intl.NumberFormat(lang);
  var dec = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function size(n) {
    if (n < 1024) return num.format(n) + ' B';
    var units = ['KB', 'MB', 'GB'], f = n / 1024, i = 0;
    while (f >= 1024 && i < units.length - 1) { f /= 1024; i++; }
    return dec.format(f) + ' ' + units[i];
  }
  function fill(format, values) {
    var i = 0;
    return format.replace(/%s/g, function () { return values[i++]; });
  }
  function show(state) {
    ['running', 'done', 'failed', 'cancelled'].forEach(function (s) {
      var p = box.querySelector('.export-' + s);
      if (p) p.hidden = s !== state;
    });
    var cancel = box.querySelector('.export-cancel');
    if (cancel && state !== 'running') cancel.remove();
  }
  function update(s) {
    if (s.total > 0) {
      count.textContent = fill(count.getAttribute('data-rows-of'), [num.format(s.rows), num.format(s.total)]);
    } else {
      count.textContent = fill(count.getAttribute('data-rows'), [num.format(s.rows)]);
    }
    if (s.state === 'done' || s.total > 0) bar.value = s.percent;
    if (s.state === 'running') return true;
    if (s.state !== 'done') {
      window.location.reload(); // the server words the failure in the page's language
      return false;
    }
    show(s.state);
    box.querySelector('.export-size').textContent = size(s.bytes);
    window.location.assign(s.file);
    return false;
  }
  var delay = 500;
  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) { delay = 700; if (update(s)) setTimeout(poll, delay); })
      .catch(function () { delay = Math.min(delay * 2, 10000); setTimeout(poll, delay); });
  }
  if (box.querySelector('.export-running:not([hidden])')) setTimeout(poll, delay);
})();
