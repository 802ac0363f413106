// The constituent's side in a real browser, on a phone (390×844, touch) and on a desktop: the
// station page a QR code opens, a refused message that keeps every typed value (with and without
// JavaScript), a message with a sideways phone photo that the page shrinks and the server keeps
// upright, the code copied and tracked, the county directory's search, and what each rating round
// really does. Screenshots go to /tmp/shots-public/. Needs BASE_URL (`liaison serve --demo`) and
// Debian's Chromium at CHROMIUM (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-public';
mkdirSync(SHOTS, { recursive: true });

const WINDOWS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
};

async function api(path, { token, method = 'GET', body } = {}) {
  const res = await fetch(BASE + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const login = async (username) => (await api('/api/v1/session', { method: 'POST', body: { username, password: PASSWORD } })).token;

async function bytes(path, token) {
  const res = await fetch(BASE + path, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, path);
  return { type: res.headers.get('content-type'), data: Buffer.from(await res.arrayBuffer()) };
}

/// A JPEG straight from a phone held upright: the sensor's landscape pixels (2400 × 1200, a red
/// block in the top-left corner) and an EXIF block saying "turn 90° clockwise" (Orientation 6),
/// with a GPS tag's name in it.
async function sidewaysPhoto(page) {
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 2400;
    c.height = 1200;
    const x = c.getContext('2d');
    // Grain, as a camera's sensor gives: a real photo's size, not a flat image's.
    const grain = x.createImageData(2400, 1200);
    for (let i = 0; i < grain.data.length; i += 4) {
      const v = 200 + Math.floor(Math.random() * 55);
      grain.data.set([v, v - 10, v - 20, 255], i);
    }
    x.putImageData(grain, 0, 0);
    x.fillStyle = '#ff0000';
    x.fillRect(0, 0, 300, 150);
    return c.toDataURL('image/jpeg', 0.98);
  });
  const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64');
  const tiff = Buffer.concat([
    Buffer.from('Exif\0\0MM\0*\0\0\0\x08\0\x01', 'latin1'),
    Buffer.from([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]),
    Buffer.from('GPSLatitude=33.68N', 'latin1'),
  ]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(tiff.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, tiff, jpeg.subarray(2)]);
}

/// Width, height and whether the top-left and top-right corners are red, as the browser sees it.
async function look(page, image) {
  return page.evaluate(async ({ b64, type }) => {
    const img = new Image();
    img.src = `data:${type};base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const x = c.getContext('2d');
    x.drawImage(img, 0, 0);
    const red = (px, py) => { const [r, g, b] = x.getImageData(px, py, 1, 1).data; return r > 200 && g < 80 && b < 80; };
    return { w: c.width, h: c.height, topLeftRed: red(5, 5), topRightRed: red(c.width - 6, 5) };
  }, { b64: image.data.toString('base64'), type: image.type });
}

async function noLoginLinks(page, where) {
  const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(!links.some((h) => h === '/' || h.startsWith('/login')), `${where}: no way to the staff login (${links.join(' ')})`);
  const brand = await page.getAttribute('header .brand', 'href');
  assert.match(brand, /^\/county(\/\d+)?$/, `${where}: the title leads to the county directory`);
}

async function noSidewaysScroll(page, where) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize().width;
  assert.ok(width <= viewport, `${where}: no sideways scrolling (${width}px in ${viewport}px)`);
}

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

for (const [name, window] of Object.entries(WINDOWS)) {
  test(`${name}: a refused message keeps its values; a good one with a sideways photo is shrunk, kept upright, copied and tracked`, async () => {
    const browser = await launch();
    try {
      const context = await browser.newContext({ ...window, locale: 'zh-CN' });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
      const page = await context.newPage();
      const snap = (what) => shot(page, name, what);

      // 1. What a QR code opens: the two main actions are the first thing on the screen.
      await page.goto(`${BASE}/station/qianyou-renhe`);
      assert.match(await page.title(), /仁和社区代表联络点/);
      assert.match(await page.getAttribute('meta[name=description]', 'content'), /留言/);
      assert.ok(await page.getAttribute('meta[property="og:title"]', 'content'));
      for (const label of ['我要留言', '查询办理进度']) {
        const box = await page.locator('.big-actions a', { hasText: label }).boundingBox();
        assert.ok(box && box.y + box.height <= page.viewportSize().height, `${label} is visible without scrolling`);
        assert.ok(box.height >= 44, `${label} is easy to tap (${box.height}px)`);
      }
      const fontSize = await page.$eval('input[name=title]', (el) => parseFloat(getComputedStyle(el).fontSize));
      assert.ok(fontSize >= 16, `form text is at least 16px (${fontSize})`);
      assert.doesNotMatch(await page.textContent('footer'), /[A-Za-z]/, 'no Latin words in the footer');
      await noLoginLinks(page, 'station page');
      await noSidewaysScroll(page, 'station page');
      await snap('1-station');

      // 2. A refused message: a blank title and a wrong phone number. Both messages come back
      // beside their fields, and everything typed is still there.
      await page.click('.big-actions a:has-text("我要留言")');
      await page.fill('input[name=title]', '   ');
      await page.fill('textarea[name=content]', '仁和社区村口路灯坏了一个多月，晚上出行不安全。');
      await page.selectOption('select[name=category]', '城乡建设');
      await page.fill('input[name=location]', '仁和社区北口');
      await page.fill('input[name=contact_name]', '张大爷');
      await page.fill('input[name=contact_phone]', '12345');
      await page.check('input[name=publish_consent]');
      const dir = mkdtempSync(join(tmpdir(), 'liaison-public-'));
      const photoPath = join(dir, 'sideways.jpg');
      const photo = await sidewaysPhoto(page);
      assert.ok(photo.length > 1_000_000, `a phone-sized photo (${photo.length} bytes)`);
      writeFileSync(photoPath, photo);
      await page.setInputFiles('input[name=photos]', photoPath);
      const refused = page.waitForResponse((r) => r.url().endsWith('/contact') && r.request().method() === 'POST');
      await page.click('#liuyan button[type=submit]');
      assert.equal((await refused).status(), 422);
      await page.waitForSelector('#form-errors');
      assert.match(await page.textContent('#title-error'), /标题/);
      assert.match(await page.textContent('#contact_phone-error'), /手机|号码|电话/);
      assert.equal(await page.inputValue('textarea[name=content]'), '仁和社区村口路灯坏了一个多月，晚上出行不安全。');
      assert.equal(await page.inputValue('select[name=category]'), '城乡建设');
      assert.equal(await page.inputValue('input[name=location]'), '仁和社区北口');
      assert.equal(await page.inputValue('input[name=contact_name]'), '张大爷');
      assert.equal(await page.inputValue('input[name=contact_phone]'), '12345');
      assert.ok(await page.isChecked('input[name=publish_consent]'));
      assert.equal(await page.$eval('input[name=photos]', (el) => el.files.length), 1, 'the chosen photo stays chosen');
      assert.equal(await page.$('[data-photos-lost]'), null);
      await noLoginLinks(page, 'refused form');
      await snap('2-refused');
      await page.locator('#contact_phone-error').scrollIntoViewIfNeeded();
      await snap('2-refused-phone');

      // A file over 5 MB that the page cannot shrink is refused before anything is sent.
      const junk = join(dir, 'big.jpg');
      writeFileSync(junk, Buffer.alloc(6 * 1024 * 1024, 7));
      await page.setInputFiles('input[name=photos]', junk);
      let posted = 0;
      const count = (r) => { if (r.url().endsWith('/contact')) posted += 1; };
      page.on('request', count);
      await page.click('#liuyan button[type=submit]');
      await page.waitForSelector('.js-photo-error');
      assert.match(await page.textContent('.js-photo-error'), /第 1 张照片有 6\.0 MB，超过 5 MB，无法上传/);
      assert.equal(posted, 0, 'nothing was sent');
      assert.ok(await page.isEnabled('#liuyan button[type=submit]'), 'the button works again');
      page.off('request', count);
      await snap('2-oversize');
      await page.setInputFiles('input[name=photos]', photoPath);

      // 3. Corrected and sent: the photo is shrunk in the page before it leaves it.
      await page.fill('input[name=title]', '村口路灯不亮');
      await page.fill('input[name=contact_phone]', '13988887777');
      // What the form says while it works (kept in sessionStorage across the page change).
      await page.evaluate(() => {
        const el = document.querySelector('.upload-status');
        new MutationObserver(() => {
          const seen = JSON.parse(sessionStorage.getItem('said') ?? '[]');
          seen.push(el.textContent);
          sessionStorage.setItem('said', JSON.stringify(seen));
        }).observe(el, { childList: true, characterData: true, subtree: true });
      });
      await Promise.all([page.waitForURL(/\/track\/.*\?new=1$/), page.click('#liuyan button[type=submit]')]);
      const said = JSON.parse(await page.evaluate(() => sessionStorage.getItem('said')));
      assert.ok(said.includes('正在压缩照片…') && said.some((t) => /^正在上传… \d+%$/.test(t)), said.join(' | '));
      const code = (await page.textContent('#tracking-code')).trim();
      assert.match(code, /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
      assert.match(await page.textContent('#first-reply'), /\d{4}年\d{1,2}月\d{1,2}日前.*个工作日内/);
      await noLoginLinks(page, 'success page');
      await page.click('button[data-copy]');
      await page.waitForFunction(() => /已复制/.test(document.querySelector('.copy-status').textContent));
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
      await noSidewaysScroll(page, 'success page');
      await snap('3-submitted');

      // 4. The photo arrived upright (portrait, the red corner now top right), at most 1600 px,
      // without its EXIF; the thumbnail is small.
      const sup = await login('supervisor');
      const { items: inbox } = await api(`/api/v1/cases?q=${encodeURIComponent(code)}`, { token: sup });
      const mine = inbox.find((c) => c.tracking_code.replace('-', '') === code.replace('-', ''));
      assert.ok(mine, 'the supervisor sees the new case');
      const detail = await api(`/api/v1/cases/${mine.id}`, { token: sup });
      assert.equal(detail.case?.category ?? detail.category, '城乡建设');
      assert.equal(detail.photos.length, 1);
      const full = await bytes(`/api/v1/cases/${mine.id}/photos/${detail.photos[0]}`, sup);
      // The EXIF segment's header, and GPS tags as XMP writes them: a bare 'GPS' can turn up in
      // compressed pixels by chance.
      assert.ok(!full.data.includes(Buffer.from('Exif\0\0')) && !full.data.includes(Buffer.from('GPSLatitude')), 'EXIF stripped');
      const seen = await look(page, full);
      assert.deepEqual(seen, { w: 800, h: 1600, topLeftRed: false, topRightRed: true }, 'upright and shrunk');
      const thumb = await bytes(`/api/v1/cases/${mine.id}/photos/${detail.photos[0]}?size=thumb`, sup);
      assert.equal(thumb.type, 'image/jpeg');
      const small = await look(page, thumb);
      assert.ok(small.w <= 320 && small.h === 320 && small.topRightRed, JSON.stringify(small));

      // 5. Tracked by typing the code into the box (with a wrong code first, which stays in the box).
      await page.goto(`${BASE}/track`);
      await noLoginLinks(page, 'track page');
      await page.fill('input[name=code]', 'ABC');
      await Promise.all([page.waitForNavigation(), page.click('form[action="/track"] button')]);
      assert.equal(await page.inputValue('input[name=code]'), 'ABC');
      assert.ok(await page.textContent('#code-error'));
      await snap('5-track-refused');
      await page.fill('input[name=code]', code.toLowerCase().replace('-', ''));
      await Promise.all([page.waitForNavigation(), page.click('form[action="/track"] button')]);
      assert.equal((await page.textContent('#status')).trim(), '已接收');
      await noLoginLinks(page, 'tracking page');
      await snap('5-tracked');
    } finally {
      await browser.close();
    }
  });

  test(`${name}: without JavaScript a refused message comes back as a page with its values`, async () => {
    const browser = await launch();
    try {
      const context = await browser.newContext({ ...window, locale: 'zh-CN', javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${BASE}/deputy/wang-fang`);
      await noLoginLinks(page, 'deputy page');
      const box = await page.locator('.big-actions a').first().boundingBox();
      assert.ok(box && box.y + box.height <= page.viewportSize().height, 'the deputy page leads with the message button');
      await shot(page, name, '6-deputy');
      await page.fill('input[name=title]', '希望增设公交站');
      await page.fill('textarea[name=content]', '内容');
      await page.fill('input[name=location]', '长'.repeat(100) + '多');
      await page.fill('input[name=contact_phone]', '1390000');
      const [res] = await Promise.all([page.waitForNavigation(), page.click('#liuyan button[type=submit]')]);
      assert.equal(res.status(), 422);
      assert.match(page.url(), /\/contact#liuyan$/);
      assert.match(await page.textContent('h1'), /王芳/, 'the deputy page again, not an error page');
      assert.doesNotMatch(await page.textContent('main'), /错误代码|请求有误/);
      assert.equal(await page.inputValue('input[name=title]'), '希望增设公交站');
      assert.equal(await page.inputValue('input[name=contact_phone]'), '1390000');
      assert.ok(await page.textContent('#contact_phone-error'));
      await noLoginLinks(page, 'refused page without JavaScript');
      await shot(page, name, '6-refused-nojs');
    } finally {
      await browser.close();
    }
  });
}

async function shot(page, name, what) {
  await page.screenshot({ path: join(SHOTS, `${name}-${what}.png`), fullPage: /^(3|5-tracked|7|8)/.test(what) });
}

test('the county directory filters stations and deputies as one types, and without JavaScript', async () => {
  const browser = await launch();
  try {
    for (const [name, window] of Object.entries(WINDOWS)) {
      const context = await browser.newContext({ ...window, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(`${BASE}/county/611026`);
      await noLoginLinks(page, 'county directory');
      const trackLink = page.locator('.hero a[href="/track"]');
      assert.ok(await trackLink.isVisible(), 'a link to tracking');
      const visible = () => page.$$eval('#directory [data-search]', (els) => els.filter((e) => e.offsetParent !== null).length);
      const all = await page.$$eval('#directory .stations [data-search]', (els) => els.length);
      await page.fill('#q', '小岭');
      await page.waitForFunction(() => document.querySelectorAll('#directory .stations [data-search]:not([hidden])').length < 20);
      const stations = await page.$$eval('#directory .stations [data-search]:not([hidden])', (els) => els.map((e) => e.getAttribute('data-search')));
      assert.ok(stations.length > 0 && stations.length < all, `filtered ${stations.length} of ${all}`);
      assert.ok(stations.every((s) => s.includes('小岭')));
      assert.ok(await visible() > 0);
      await shot(page, name, '7-directory-filtered');
      await page.fill('#q', '没有这个地方');
      assert.ok(await page.isVisible('#directory-empty'));
      await context.close();
    }
    // Without JavaScript, the same box is a GET form.
    const context = await browser.newContext({ ...WINDOWS.phone, locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${BASE}/county/611026`);
    await page.fill('#q', '乾佑');
    await Promise.all([page.waitForNavigation(), page.click('form[role=search] button')]);
    assert.match(page.url(), /\?q=/);
    assert.match(await page.textContent('[data-filter-summary]'), /找到 \d+ 个站点/);
    const shown = await page.$$eval('#directory .stations [data-search]', (els) => els.filter((e) => !e.hidden).map((e) => e.getAttribute('data-search')));
    assert.ok(shown.length > 0 && shown.every((s) => s.includes('乾佑')));
    await shot(page, 'phone', '7-directory-nojs');
  } finally {
    await browser.close();
  }
});

test('the rating rounds say what really happens: the first 不满意 reopens once, the second closes', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ ...WINDOWS.phone, locale: 'zh-CN' });
    const page = await context.newPage();
    const sup = await login('supervisor');
    const created = await api('/api/v1/public/cases', {
      method: 'POST',
      body: { station: 'qianyou-renhe', title: '小区门口积水', content: '下雨后小区门口积水很深，出行困难。', contact_phone: '13911112222' },
    });
    const code = created.tracking_code;
    const step = (body) => api(`/api/v1/cases/${created.id}/steps`, { token: sup, method: 'POST', body });
    const handle = async (reply) => {
      await step({ step: 'triage', level: 'township' });
      await step({ step: 'assign', lead: 'zs-transport' });
      const transport = await login('transport');
      await api(`/api/v1/cases/${created.id}/steps`, { token: transport, method: 'POST', body: { step: 'result', result: '已疏通排水管' } });
      await step({ step: 'reply', reply });
    };
    await handle('已疏通小区门口排水管。');
    await page.goto(`${BASE}/track/${code}`);
    assert.match(await page.textContent('#rating-hint'), /转回重新办理一次/);
    assert.match(await page.textContent('#rating-hint'), /15 个工作日/);
    await shot(page, 'phone', '8-rating-round1');
    await page.check('input[value=dissatisfied]');
    await Promise.all([page.waitForNavigation(), page.click('#pingjia button[type=submit]')]);
    assert.equal((await page.textContent('#status')).trim(), '重新办理');
    assert.match(await page.textContent('#after-rating'), /转回重新办理/);
    await shot(page, 'phone', '8-after-round1');

    await handle('已更换更大的排水管并加装雨水篦子。');
    await page.goto(`${BASE}/track/${code}`);
    assert.match(await page.textContent('#rating-hint'), /都将办结，不再转回办理/);
    assert.doesNotMatch(await page.textContent('#rating-hint'), /转回重新办理一次/);
    await shot(page, 'phone', '8-rating-round2');
    await page.check('input[value=dissatisfied]');
    await Promise.all([page.waitForNavigation(), page.click('#pingjia button[type=submit]')]);
    assert.equal((await page.textContent('#status')).trim(), '已办结');
    assert.match(await page.textContent('#after-rating'), /不再转回办理.*已办结/);
    assert.match(await page.textContent('#pingjia'), /再次留言/);
    await noLoginLinks(page, 'closed case');
    await shot(page, 'phone', '8-after-round2');
  } finally {
    await browser.close();
  }
});
