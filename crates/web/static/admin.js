// liaison, staff administration pages: small helpers; every form works without them.
// - A <select data-searchable> or a <fieldset data-searchable> of checkboxes gets a search box
//   above it that hides the options whose text does not contain what is typed.
// - A role <select data-role-for="ID"> shows, in the scope select #ID, only the groups of
//   scopes that fit the chosen role (each <optgroup data-roles="…">).
// - A form with data-download gets its button back after a moment (the page stays).
(function () {
  'use strict';
  function textOf(el) { return (el.textContent || '').toLowerCase(); }

  function searchBox(target) {
    var input = document.createElement('input');
    input.type = 'search';
    input.className = 'picker-search';
    input.placeholder = '输入文字查找';
    input.setAttribute('aria-label', '查找');
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      if (target.tagName === 'SELECT') {
        var first = null;
        Array.prototype.forEach.call(target.options, function (o) {
          var show = !q || o.value === '' || textOf(o).indexOf(q) >= 0;
          o.hidden = !show;
          if (show && o.value !== '' && !first && !o.parentNode.hidden) { first = o; }
        });
        // Typing narrows the list to one: pick it, so that a phone user need not open the list.
        if (q && first && !target.multiple) {
          var visible = Array.prototype.filter.call(target.options, function (o) { return !o.hidden && o.value !== '' && !o.parentNode.hidden; });
          if (visible.length === 1) { target.value = first.value; }
        }
      } else {
        Array.prototype.forEach.call(target.querySelectorAll('label.check'), function (l) {
          var box = l.querySelector('input');
          l.hidden = !!q && textOf(l).indexOf(q) < 0 && !(box && box.checked);
        });
      }
    });
    // Enter in the search box must not submit the form.
    input.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); } });
    var holder = target.tagName === 'SELECT' ? target : target.querySelector('.check-list');
    if (holder) { holder.parentNode.insertBefore(input, holder); }
  }

  function fitScopes(roleSelect) {
    var scope = document.getElementById(roleSelect.getAttribute('data-role-for'));
    if (!scope) { return; }
    var role = roleSelect.value;
    Array.prototype.forEach.call(scope.querySelectorAll('optgroup[data-roles]'), function (g) {
      var fits = !role || (' ' + g.getAttribute('data-roles') + ' ').indexOf(' ' + role + ' ') >= 0;
      g.hidden = !fits;
      g.disabled = !fits;
    });
    var chosen = scope.options[scope.selectedIndex];
    if (chosen && chosen.parentNode.disabled) { scope.value = ''; }
  }

  // A short list needs no search box.
  document.querySelectorAll('[data-searchable]').forEach(function (el) {
    var n = el.tagName === 'SELECT' ? el.options.length : el.querySelectorAll('label.check').length;
    if (n > 12) { searchBox(el); }
  });
  document.querySelectorAll('select[data-role-for]').forEach(function (s) {
    fitScopes(s);
    s.addEventListener('change', function () { fitScopes(s); });
  });
  document.addEventListener('submit', function (ev) {
    if (!ev.target.hasAttribute('data-download')) { return; }
    var button = ev.target.querySelector('button[type="submit"]');
    setTimeout(function () { if (button) { button.disabled = false; } }, 1500);
  });
})();
