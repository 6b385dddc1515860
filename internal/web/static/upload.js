// Uploads show their progress. A form marked data-progress that carries a
// chosen file is sent by XMLHttpRequest, so the bytes sent can be shown in
// a progress bar; the server answers as it does to the plain form, and that
// answer becomes the page: a redirect is followed, a page with errors is
// shown in place of this one. Without scripts the form is sent as it
// always was.
// Texts come from the <body>'s data-upload-* attributes (translated).
(function () {
  'use strict';
  if (!window.FormData || !window.XMLHttpRequest) return;
  var texts = document.body.dataset;

  // show puts the server's page in place of this one: its <main> (errors
  // beside their fields), focused on the first field in error.
  function show(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var next = doc.querySelector('main');
    var main = document.querySelector('main');
    if (!next || !main) {
      document.open();
      document.write(html);
      document.close();
      return;
    }
    main.replaceWith(document.importNode(next, true));
    document.title = doc.title;
    var bad = document.querySelector('main [aria-invalid="true"]') || document.querySelector('main');
    bad.focus();
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute('data-progress') || ev.defaultPrevented) return;
    var input = form.querySelector('input[type=file]');
    if (!input || !input.files || !input.files.length) return;
    ev.preventDefault();
    var bar = form.querySelector('progress.upload-progress');
    if (!bar) {
      bar = document.createElement('progress');
      bar.className = 'upload-progress';
      bar.max = 100;
      bar.setAttribute('aria-label', texts.uploadLabel || '');
      form.appendChild(bar);
    }
    var note = form.querySelector('.upload-note');
    if (!note) {
      note = document.createElement('p');
      note.className = 'upload-note';
      note.setAttribute('aria-live', 'polite');
      form.appendChild(note);
    }
    var buttons = form.querySelectorAll('button[type=submit], input[type=submit]');
    var busy = function (on) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = on; });
    };
    var xhr = new XMLHttpRequest();
    xhr.open((form.getAttribute('method') || 'post').toUpperCase(), form.action);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      note.textContent = Math.floor(100 * e.loaded / e.total) + ' %';
    };
    xhr.upload.onload = function () {
      bar.removeAttribute('value'); // the server is working: no measure of it
      note.textContent = texts.uploadProcessing || '';
    };
    xhr.onload = function () {
      var url = xhr.responseURL || form.action;
      if (xhr.status < 400 && url.split('#')[0] !== form.action.split('#')[0]) {
        window.location.assign(url); // redirected after success
        return;
      }
      show(xhr.responseText);
    };
    xhr.onerror = function () {
      busy(false);
      bar.remove();
      note.textContent = texts.uploadFailed || '';
      note.classList.add('error');
    };
    busy(true);
    bar.value = 0;
    xhr.send(new FormData(form, ev.submitter));
  });
})();
