// liaison: the little JavaScript the pages need. Pages work without it.
// A form with data-confirm asks first (no inline handlers: the Content-Security-Policy forbids
// them); then its submit button is disabled once pressed, so a double tap does not post twice.
document.addEventListener('submit', function (ev) {
  var question = ev.target.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { ev.preventDefault(); return; }
  var button = ev.target.querySelector('button[type="submit"]');
  if (button) { setTimeout(function () { button.disabled = true; }, 0); }
});
// A button with data-print prints the page (the 交办单).
document.addEventListener('click', function (ev) {
  if (ev.target.closest && ev.target.closest('[data-print]')) { window.print(); }
});
