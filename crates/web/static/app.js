// liaison: the little JavaScript the pages need. Pages work without it.
// A form with data-confirm asks first (no inline handlers: the Content-Security-Policy forbids
// them); then its submit button is disabled once pressed, so a double tap does not post twice.
document.addEventListener('submit', function (ev) {
  var question = ev.target.getAttribute('data-confirm');
  if (question && !window.confirm(question)) { ev.preventDefault(); return; }
  var button = ev.target.querySelector('button[type="submit"]');
  if (button) { setTimeout(function () { button.disabled = true; }, 0); }
});
// A filter bar starts open on a wide screen; on a phone it stays folded under its summary.
document.addEventListener('DOMContentLoaded', function () {
  if (window.matchMedia('(min-width: 48rem)').matches) {
    document.querySelectorAll('details[data-wide-open]').forEach(function (d) { d.open = true; });
  }
});
