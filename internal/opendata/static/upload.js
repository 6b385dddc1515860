// Upload with a progress bar. Without JavaScript the same form posts
// normally; with it, the file goes by XMLHttpRequest so the upload's
// progress can be shown, and the server answers JSON.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-upload]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function (ev) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      var input = form.querySelector('input[type=file]');
      if (!input || !input.files || !input.files.length) { return; }
      var bar = form.querySelector('progress');
      var text = form.querySelector('[data-progress-text]');
      var button = form.querySelector('button[type=submit]');
      var max = parseInt(form.getAttribute('data-max') || '0', 10);
      ev.preventDefault();
      text.classList.remove('error');
      if (max && input.files[0].size > max) {
        text.textContent = form.getAttribute('data-too-large');
        text.classList.add('error');
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      var csrf = form.querySelector('input[name=_csrf]');
      if (csrf) { xhr.setRequestHeader('X-CSRF-Token', csrf.value); }
      var fail = function (msg) {
        button.disabled = false;
        bar.hidden = true;
        text.textContent = msg || form.getAttribute('data-failed');
        text.classList.add('error');
      };
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) { return; }
        bar.max = e.total;
        bar.value = e.loaded;
        text.textContent = Math.floor(100 * e.loaded / e.total) + '%';
      };
      xhr.upload.onload = function () { text.textContent = form.getAttribute('data-checking'); };
      xhr.onload = function () {
        var res = null;
        try { res = JSON.parse(xhr.responseText); } catch (e) { res = null; }
        if (res && res.ok) { window.location.assign(res.redirect); return; }
        fail(res && res.error);
      };
      xhr.onerror = function () { fail(); };
      button.disabled = true;
      bar.hidden = false;
      bar.removeAttribute('value');
      xhr.send(new FormData(form));
    });
  });
})();
