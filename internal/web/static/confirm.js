// Asks before sending a form whose action cannot be undone (revoking a key,
// deleting a draft): such a form carries its question in data-confirm.
// Without scripts the form is sent at once, as it always was.
document.addEventListener('submit', function (e) {
  var form = e.target;
  var question = form.getAttribute && form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    e.preventDefault();
  }
});
