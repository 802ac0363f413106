// Staff around their work, in a real browser on a phone-sized and a desktop-sized window: each
// demo role signs in and lands on its own work with a menu whose every link opens; an error
// page keeps the menu; a station is created and one field of it edited, the others unchanged;
// an account is created with its scope picked by name, its password reset, and the forced
// change gone through. Needs BASE_URL (a server started with demo data) and Chromium at
// CHROMIUM. Screenshots go to SHOTS (default /tmp/shots-admin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
const SHOTS = process.env.SHOTS ?? '/tmp/shots-admin';
mkdirSync(SHOTS, { recursive: true });
const run = Date.now().toString(36);

const WINDOWS = [
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' }],
  ['desktop', { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' }],
];

const LANDING = {
  admin: '/', security: '/', auditor: '/', supervisor: '/', qianyou: '/', zhenan: '/',
  renhe: '/cases?status=received&sort=deadline',
  'deputy.wang': '/cases?sort=-created',
  transport: '/cases?status=assigned,reopened&sort=deadline',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Signs in through the form (waiting out the per-address login limit if other tests hit it). */
async function signIn(page, username, password = PASSWORD) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.goto(`${BASE}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    if (!new URL(page.url()).pathname.startsWith('/login')) return;
    const text = await page.textContent('main');
    if (/操作过于频繁/.test(text)) { await sleep(4000); continue; }
    throw new Error(`login of ${username} refused: ${text}`);
  }
  throw new Error(`login of ${username}: still rate-limited`);
}

const here = (page) => { const u = new URL(page.url()); return decodeURIComponent(u.pathname + u.search); };

async function noSidewaysScroll(page, label) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width + 1, `${label}: no sideways scrolling (${scroll}px > ${width}px)`);
}

for (const [label, options] of WINDOWS) {
  test(`each role lands on its own work and follows only open links (${label})`, async () => {
    const browser = await launch();
    try {
      for (const [user, landing] of Object.entries(LANDING)) {
        const context = await browser.newContext(options);
        const page = await context.newPage();
        await signIn(page, user);
        assert.equal(here(page), landing, `${user} lands on its work`);
        assert.equal(await page.locator('header .who').textContent() !== '', true);
        const links = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')));
        assert.ok(links.includes('/account/password'), `${user}: ${links}`);
        for (const href of links) {
          const res = await context.request.get(BASE + href, { maxRedirects: 0 });
          assert.equal(res.status(), 200, `${user} follows ${href}`);
        }
        if (['transport', 'renhe', 'deputy.wang'].includes(user)) {
          // A station's staff see their own station's statistics; none of them the roster.
          assert.equal(links.includes('/stats'), user === 'renhe', `${user}: ${links}`);
          assert.ok(!links.includes('/org') && !links.includes('/bulletins'), `${user}: ${links}`);
        }
        await page.screenshot({ path: join(SHOTS, `${label}-landing-${user}.png`), fullPage: false });
        if (user === 'transport') {
          // A page the role may not open (reached from its work): the error keeps the menu and
          // leads back.
          await page.goto(`${BASE}/org?region=611026`, { referer: page.url() });
          assert.match(await page.textContent('main h1'), /没有权限/);
          assert.ok(await page.locator('header nav a[href="/account/password"]').count() === 1);
          await Promise.all([page.waitForNavigation(), page.click('main a:has-text("返回上一页")')]);
          assert.equal(here(page), landing, 'back where it came from');
          await page.goto(`${BASE}/org?region=611026`);
          await page.screenshot({ path: join(SHOTS, `${label}-error-403.png`) });
        }
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });

  test(`a station is edited one field at a time (${label})`, async () => {
    const browser = await launch();
    try {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      await signIn(page, 'supervisor');
      await page.goto(`${BASE}/org?region=611026`);
      await noSidewaysScroll(page, 'the station list');
      await page.screenshot({ path: join(SHOTS, `${label}-org-list.png`), fullPage: true });
      // A new station: picked by name, no identifier typed.
      await page.click('a:has-text("新增联络站")');
      const name = `测试联络点${label}${run}`;
      await page.fill('#f-name', name);
      await page.selectOption('#f-kind', '联络点');
      await page.locator('input.picker-search').first().fill('仁和');
      await page.selectOption('#f-region', { label: '乾佑街道 · 仁和社区' });
      await page.fill('#f-address', '仁和社区党群服务中心二楼');
      await page.fill('#f-opening_hours', '每周一上午');
      await page.fill('#f-phone', '0914-4318888');
      await page.screenshot({ path: join(SHOTS, `${label}-org-new.png`), fullPage: true });
      await Promise.all([page.waitForNavigation(), page.click('main button:has-text("保存")')]);
      assert.match(await page.textContent('main'), /已保存/);
      // Its edit form opens filled in; only the opening hours change.
      const row = page.locator('tr', { hasText: name });
      await Promise.all([page.waitForNavigation(), row.locator('a:has-text("修改")').click()]);
      assert.equal(await page.inputValue('#f-address'), '仁和社区党群服务中心二楼');
      assert.equal(await page.inputValue('#f-kind'), '联络点');
      assert.equal(await page.inputValue('#f-region'), '611026001001');
      await noSidewaysScroll(page, 'the edit form');
      await page.fill('#f-opening_hours', '每周一、周四上午');
      await page.screenshot({ path: join(SHOTS, `${label}-org-edit.png`), fullPage: true });
      await Promise.all([page.waitForNavigation(), page.click('main button:has-text("保存")')]);
      assert.match(await page.textContent('main'), /已保存/);
      const cells = await page.locator('tr', { hasText: name }).locator('td').allTextContents();
      assert.ok(cells.some((c) => c.includes('每周一、周四上午')), cells.join('|'));
      // The public page shows the others unchanged.
      await row.locator('td a').first().click();
      await page.waitForLoadState();
      const text = await page.textContent('main');
      assert.match(text, /仁和社区党群服务中心二楼/);
      assert.match(text, /0914-4318888/);
      assert.match(text, /每周一、周四上午/);
      // The QR sheet is one click from the list; its codes download under the station's name.
      await page.goto(`${BASE}/org?region=611026`);
      const sheet = await page.locator('tr', { hasText: name }).locator('a:has-text("二维码")').getAttribute('href');
      const slug = sheet.split('/')[2];
      const qr = await context.request.get(`${BASE}/qr/station/${slug}.png?download=1`);
      assert.match(qr.headers()['content-disposition'], new RegExp(encodeURIComponent(name)));
      await context.close();
    } finally {
      await browser.close();
    }
  });

  test(`a reset password is changed at the next login (${label})`, async () => {
    const browser = await launch();
    try {
      const admin = await (await browser.newContext(options)).newPage();
      await signIn(admin, 'admin');
      await admin.goto(`${BASE}/admin/users`);
      const username = `e2e.${label}.${run}`;
      await admin.fill('input[name=username]', username);
      await admin.fill('input[name=display_name]', '测试联络员');
      await admin.fill('input[name=password]', 'first-Pass-2026x');
      await admin.selectOption('select[name=role]', 'station_staff');
      await admin.selectOption('#scope-new', { label: '仁和社区代表联络点（乾佑街道 · 仁和社区）' });
      await admin.screenshot({ path: join(SHOTS, `${label}-users-new.png`), fullPage: true });
      await Promise.all([admin.waitForNavigation(), admin.click('main button:has-text("创建")')]);
      assert.match(await admin.textContent('main'), new RegExp(`已创建账号 ${username.replace(/\./g, '\\.')}`));
      const manage = await admin.locator('tr', { hasText: username }).locator('a:has-text("管理")').getAttribute('href');

      // The security admin resets it; the temporary password shows once.
      const sec = await (await browser.newContext(options)).newPage();
      await signIn(sec, 'security');
      await sec.goto(BASE + manage);
      sec.once('dialog', (d) => d.accept());
      await Promise.all([sec.waitForNavigation(), sec.click('main button:has-text("重置密码")')]);
      const temporary = (await sec.textContent('#temporary-password')).trim();
      assert.match(temporary, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      await noSidewaysScroll(sec, 'the reset page');
      await sec.screenshot({ path: join(SHOTS, `${label}-users-reset.png`), fullPage: true });

      // The owner signs in with it and must choose a new one first.
      const owner = await (await browser.newContext(options)).newPage();
      await signIn(owner, username, temporary);
      assert.equal(new URL(owner.url()).pathname, '/account/password');
      assert.match(await owner.textContent('main'), /管理员已重置您的密码/);
      await owner.goto(`${BASE}/cases`);
      assert.equal(new URL(owner.url()).pathname, '/account/password', 'nothing else opens');
      await owner.fill('input[name=current_password]', temporary);
      await owner.fill('input[name=new_password]', 'short1x');
      await owner.fill('input[name=new_password_again]', 'short1x');
      await owner.evaluate(() => document.querySelectorAll('input[minlength]').forEach((i) => i.removeAttribute('minlength')));
      await Promise.all([owner.waitForNavigation(), owner.click('main button:has-text("修改密码")')]);
      assert.match(await owner.textContent('.field-error'), /10 到 128 位/);
      await owner.screenshot({ path: join(SHOTS, `${label}-password-refused.png`), fullPage: true });
      await owner.fill('input[name=current_password]', temporary);
      await owner.fill('input[name=new_password]', `own-Pass-${run}7`);
      await owner.fill('input[name=new_password_again]', `own-Pass-${run}7`);
      await Promise.all([owner.waitForNavigation(), owner.click('main button:has-text("修改密码")')]);
      assert.equal(here(owner), '/cases', 'then the page asked for opens');
      await owner.screenshot({ path: join(SHOTS, `${label}-after-change.png`) });
    } finally {
      await browser.close();
    }
  });
}
