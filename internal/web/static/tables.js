// A table wider than its box scrolls inside it (.table-wrap). Keyboard
// users can only scroll what takes focus, so such a box becomes focusable,
// as a region named after its table's caption when it has one. Boxes that
// fit stay out of the tab order; boxes a template marked itself are left
// alone. Without scripts the page still scrolls with a pointer.
(function () {
  function mark() {
    document.querySelectorAll('.table-wrap').forEach(function (box) {
      var ours = box.hasAttribute('data-scroll-focus');
      if (!ours && box.hasAttribute('tabindex')) return;
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('data-scroll-focus', '');
        var cap = box.querySelector('caption');
        if (!box.hasAttribute('role') && cap && cap.textContent.trim()) {
          box.setAttribute('role', 'region');
          box.setAttribute('aria-label', cap.textContent.trim());
        }
      } else if (ours) {
        box.removeAttribute('tabindex');
      }
    });
  }
  mark();
  var timer;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(mark, 150);
  });
})();
