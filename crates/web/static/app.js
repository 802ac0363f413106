// liaison: the little JavaScript the pages need. Pages work without it.
(function () {
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };

  // The menu marks the link of the page it is on (the longest path that leads here); on a phone,
  // where the menu scrolls sideways, that link is brought into view.
  var menu = document.querySelector('.top nav');
  if (menu) {
    var here = location.pathname, mine = null;
    each(menu.querySelectorAll('a'), function (a) {
      var path = a.pathname;
      var leads = here === path || (path !== '/' && here.indexOf(path + '/') === 0);
      if (leads && (!mine || path.length > mine.pathname.length)) { mine = a; }
    });
    if (mine) {
      mine.setAttribute('aria-current', 'page');
      if (menu.scrollWidth > menu.clientWidth) { menu.scrollLeft = mine.offsetLeft - menu.offsetLeft - 16; }
    }
  }

  // A form with data-confirm asks first (no inline handlers: the Content-Security-Policy forbids
  // them); then its submit button is disabled once pressed, so a double tap does not post twice.
  document.addEventListener('submit', function (ev) {
    var question = ev.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { ev.preventDefault(); return; }
    var button = ev.target.querySelector('button[type="submit"]');
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }
  });

  // The photos of an upload form (the contact form, staff intake): shrunk in the page (longest side 1600 px, JPEG 0.8, turned
  // upright), refused before sending when still over 5 MB, sent with a progress bar. A refusal
  // replaces only the form, so the chosen photos stay chosen. Without JavaScript, canvas or
  // FormData.delete the form posts the files as they are.
  var MAX_BYTES = 5 * 1024 * 1024, MAX_PHOTOS = 9, SIDE = 1600, QUALITY = 0.8;

  function say(form, text, fraction) {
    var el = form.querySelector('.upload-status');
    if (!el) { return; }
    el.hidden = !text;
    el.textContent = text || '';
    if (fraction !== undefined) {
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = Math.round(fraction * 100);
      el.appendChild(bar);
    }
  }

  function photoError(form, text) {
    var input = form.querySelector('input[data-photos]');
    var el = form.querySelector('.js-photo-error');
    if (!text) {
      if (el) { el.parentNode.removeChild(el); }
      return;
    }
    if (!el) {
      el = document.createElement('span');
      el.className = 'field-error js-photo-error';
      el.id = 'photos-js-error';
      el.setAttribute('role', 'alert');
      input.parentNode.insertBefore(el, input);
    }
    el.textContent = text;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', el.id);
    el.scrollIntoView({ block: 'center' });
  }

  function decode(file) {
    var viaImage = function () {
      return new Promise(function (ok, fail) {
        var img = new Image();
        img.onload = function () { URL.revokeObjectURL(img.src); ok(img); };
        img.onerror = fail;
        img.src = URL.createObjectURL(file);
      });
    };
    if (!window.createImageBitmap) { return viaImage(); }
    return createImageBitmap(file, { imageOrientation: 'from-image' }).catch(viaImage);
  }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { return Promise.resolve(file); }
    return decode(file).then(function (img) {
      var scale = Math.min(1, SIDE / Math.max(img.width, img.height));
      if (scale === 1 && file.size <= 1024 * 1024) { return file; }
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(img.width * scale);
      canvas.height = Math.round(img.height * scale);
      var ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) { img.close(); }
      return new Promise(function (ok) {
        canvas.toBlob(function (blob) { ok(blob && (scale < 1 || blob.size < file.size) ? blob : file); }, 'image/jpeg', QUALITY);
      });
    }).catch(function () { return file; });
  }

  function replaceForm(form, html) {
    var section = form.parentNode;
    var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(section.id);
    if (!fresh) { return false; }
    var input = form.querySelector('input[data-photos]');
    var slot = fresh.querySelector('input[data-photos]');
    if (input && slot) { slot.parentNode.replaceChild(input, slot); }
    each(fresh.querySelectorAll('[data-photos-lost]'), function (el) { el.parentNode.removeChild(el); });
    section.parentNode.replaceChild(document.importNode(fresh, true), section);
    var summary = document.getElementById('form-errors');
    if (summary) { summary.scrollIntoView(); summary.focus(); }
    return true;
  }

  function send(form, data, button) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action').split('#')[0]);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { say(form, '正在上传… ' + Math.round(e.loaded * 100 / e.total) + '%', e.loaded / e.total); }
    };
    xhr.upload.onload = function () { say(form, '已上传，正在保存…'); };
    xhr.onload = function () {
      if (xhr.status === 422 && replaceForm(form, xhr.responseText)) { return; }
      // Saved: the answer redirected (to the page that shows the code, or the new case); go
      // there for real.
      var target = new URL(form.getAttribute('action').split('#')[0], window.location.href).href;
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL !== target) {
        window.location.href = xhr.responseURL;
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
      window.scrollTo(0, 0);
    };
    xhr.onerror = function () {
      say(form, '网络中断，没有提交成功。请检查网络后再点“提交”。');
      button.disabled = false;
    };
    xhr.send(data);
  }

  document.addEventListener('change', function (ev) {
    var input = ev.target;
    if (!input.hasAttribute || !input.hasAttribute('data-photos')) { return; }
    var n = input.files ? input.files.length : 0;
    photoError(input.form, n > MAX_PHOTOS ? '最多上传 ' + MAX_PHOTOS + ' 张照片，您选了 ' + n + ' 张，请重新选择' : '');
    if (n <= MAX_PHOTOS) { input.removeAttribute('aria-invalid'); }
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !form.hasAttribute('data-upload') || !window.FormData || !FormData.prototype.delete ||
        !window.Promise || !window.DOMParser) { return; }
    ev.preventDefault();
    var input = form.querySelector('input[data-photos]');
    var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
    var button = form.querySelector('button[type="submit"]');
    var fail = function (text) {
      photoError(form, text);
      say(form, '');
      setTimeout(function () { button.disabled = false; }, 0);
    };
    if (files.length > MAX_PHOTOS) { fail('最多上传 ' + MAX_PHOTOS + ' 张照片，您选了 ' + files.length + ' 张，请重新选择'); return; }
    photoError(form, '');
    say(form, files.length ? '正在压缩照片…' : '正在提交…');
    Promise.all(files.map(shrink)).then(function (photos) {
      for (var i = 0; i < photos.length; i++) {
        if (photos[i].size > MAX_BYTES) {
          var mb = (photos[i].size / 1024 / 1024).toFixed(1);
          fail('第 ' + (i + 1) + ' 张照片有 ' + mb + ' MB，超过 5 MB，无法上传。请换一张，或截图后再选。');
          return;
        }
      }
      var data = new FormData(form);
      data.delete('photos');
      photos.forEach(function (p, i) { data.append('photos', p, p.name || 'photo-' + (i + 1) + '.jpg'); });
      send(form, data, button);
    });
  });

  // The tracking code's copy button (hidden without JavaScript).
  each(document.querySelectorAll('[data-copy]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var text = button.getAttribute('data-copy');
      var status = document.querySelector('.copy-status');
      var done = function (ok) {
        if (status) { status.textContent = ok ? '已复制查询码 ' + text : '复制失败，请长按查询码手动复制'; }
      };
      var fallback = function () {
        var t = document.createElement('textarea');
        t.value = text;
        t.setAttribute('readonly', '');
        t.style.position = 'fixed';
        t.style.opacity = '0';
        document.body.appendChild(t);
        t.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        document.body.removeChild(t);
        done(ok);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
      } else {
        fallback();
      }
    });
  });

  // The directory's search box filters as one types; without JavaScript it is a plain GET form.
  each(document.querySelectorAll('input[data-filter]'), function (input) {
    var root = document.getElementById(input.getAttribute('data-filter'));
    var empty = document.getElementById(input.getAttribute('data-filter') + '-empty');
    if (!root) { return; }
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      var any = false;
      each(root.querySelectorAll('[data-group]'), function (group) {
        var groupShown = false;
        each(group.querySelectorAll('[data-part]'), function (part) {
          var partShown = false;
          each(part.querySelectorAll('[data-search]'), function (item) {
            var hit = !q || item.getAttribute('data-search').toLowerCase().indexOf(q) >= 0;
            item.hidden = !hit;
            partShown = partShown || hit;
          });
          part.hidden = !partShown;
          if (part.tagName === 'DETAILS') { part.open = !!q; }
          groupShown = groupShown || partShown;
        });
        group.hidden = !groupShown;
        any = any || groupShown;
      });
      if (empty) { empty.hidden = any; }
      each(document.querySelectorAll('[data-filter-summary]'), function (s) { s.hidden = true; });
    });
  });
})();
// A filter bar starts open on a wide screen; on a phone it stays folded under its summary.
document.addEventListener('DOMContentLoaded', function () {
  if (window.matchMedia('(min-width: 48rem)').matches) {
    document.querySelectorAll('details[data-wide-open]').forEach(function (d) { d.open = true; });
  }
});
// A button with data-print prints the page (the 交办单).
document.addEventListener('click', function (ev) {
  if (ev.target.closest && ev.target.closest('[data-print]')) { window.print(); }
});

// The reception-day form shows only the fields of the chosen rule; without JavaScript all stay
// visible. The record form reloads the station's deputies when another station is chosen.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('form[data-rule-form]').forEach(function (form) {
    var pick = form.querySelector('[data-rule-kind]');
    if (!pick) return;
    var show = function () {
      form.querySelectorAll('[data-rule]').forEach(function (el) {
        el.classList.toggle('on', el.getAttribute('data-rule') === pick.value);
      });
    };
    form.classList.add('js');
    pick.addEventListener('change', show);
    show();
  });
  document.querySelectorAll('select[data-reload-deputies]').forEach(function (sel) {
    sel.addEventListener('change', function () {
      window.location.search = '?station=' + encodeURIComponent(sel.value);
    });
  });
});

// The ballot: a credential slip's QR code opens the vote page with the code after `#`, which
// never reaches the server; it fills the field and leaves the address bar. The count of
// projects ticked is shown against the places.
(function () {
  var field = document.getElementById('credential');
  if (field && location.hash.length > 1) {
    field.value = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, '', location.pathname + location.search);
  }
  var form = document.querySelector('form.vote[data-max]');
  if (!form || !form.dataset.max) { return; }
  var max = parseInt(form.dataset.max, 10);
  var note = form.querySelector('[data-count]');
  function count() {
    var n = form.querySelectorAll('input[type=checkbox]:checked').length;
    if (note) {
      note.textContent = '已选 ' + n + ' 项，最多 ' + max + ' 项' + (n > max ? '：请取消 ' + (n - max) + ' 项' : '');
      note.className = n > max ? 'small status-overdue' : 'small muted';
    }
  }
  form.addEventListener('change', count);
  count();
})();
