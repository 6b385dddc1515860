// On narrow screens the main navigation folds behind a "Menu" button.
// Without scripts the navigation simply stays open.
(function () {
  var btn = document.querySelector('.menu-toggle');
  var nav = document.querySelector('.mainnav');
  if (!btn || !nav) return;
  nav.classList.add('foldable');
  btn.hidden = false;
  btn.addEventListener('click', function () {
    var open = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && nav.classList.contains('open')) {
      btn.setAttribute('aria-expanded', 'false');
      nav.classList.remove('open');
      btn.focus();
    }
  });
})();
