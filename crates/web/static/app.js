// liaison: the little JavaScript the pages need. Pages work without it.
// Disable a form's submit button once pressed, so a double tap does not post twice.
document.addEventListener('submit', function (ev) {
  var button = ev.target.querySelector('button[type="submit"]');
  if (button) { setTimeout(function () { button.disabled = true; }, 0); }
});
