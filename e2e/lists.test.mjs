// Staff lists in a real browser: a station's inbox of more than 200 cases pages with its total on
// a desk and on a phone, the filter bar offers names and keeps what was chosen, a refused filter
// says why beside its field, the dashboard counts link to their lists, and the export keeps the
// filters. The 210 cases are recorded through the API first. Needs BASE_URL (a server started
// with demo data) and Debian's Chromium at CHROMIUM (default /usr/bin/chromium). Screenshots go
// to SHOTS (default /tmp/shots-lists).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
const SHOTS = process.env.SHOTS ?? '/tmp/shots-lists';
const RUN = Date.now().toString(36).slice(-5);
const WORD = `分页核对${RUN}`;
const COUNT = 210;

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

let browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // 210 matters raised at the 仁和 station, in order, so that the first is the oldest.
  const sup = await login('supervisor');
  for (let i = 1; i <= COUNT; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, COUNT - i + 1) }, (_, k) => {
      const n = String(i + k).padStart(3, '0');
      return api('/api/v1/cases', {
        token: sup, method: 'POST',
        body: { channel: 'station', station: 'qianyou-renhe', title: `${WORD}第${n}件`, content: `接待日登记的第${n}件意见，用于核对分页。`, contact_phone: '13800138000' },
      });
    }));
    // Ten at a time; each ten is recorded after the one before.
    await new Promise((r) => setTimeout(r, 15));
  }
});

after(async () => { await browser?.close(); });

async function signedIn(viewport, username, mobile = false) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { context, page };
}

test('the API pages the 210 cases with a total, newest first when asked, oldest on the last page', async () => {
  const staff = await login('renhe');
  const q = encodeURIComponent(WORD);
  const first = await api(`/api/v1/cases?q=${q}&sort=-created`, { token: staff });
  assert.equal(first.total, COUNT);
  assert.equal(first.items.length, 50);
  assert.equal(first.per_page, 50);
  const last = await api(`/api/v1/cases?q=${q}&sort=-created&page=5`, { token: staff });
  assert.equal(last.items.length, 10);
  // Ten at a time were recorded together: the oldest ten fill the last page.
  assert.ok(last.items.every((c) => /第0(0\d|10)件$/.test(c.title)), 'the oldest are last');
  const refused = await fetch(`${BASE}/api/v1/cases?per_page=500&page=0`, { headers: { authorization: `Bearer ${staff}` } });
  assert.equal(refused.status, 422);
  const body = await refused.json();
  assert.deepEqual(body.error.fields.map((f) => f.field).sort(), ['page', 'per_page']);
});

test('a desk pages the inbox with its total and keeps the filters', async () => {
  const { context, page } = await signedIn({ width: 1280, height: 800 }, 'renhe');
  await page.goto(`${BASE}/cases?q=${encodeURIComponent(WORD)}&sort=-created`);
  assert.match(await page.textContent('.list-summary'), /共 210 件/);
  assert.match(await page.textContent('.list-summary'), /第 1 \/ 5 页/);
  assert.ok(await page.locator('details.filterbar').evaluate((d) => d.open), 'filters open on a desk');
  assert.equal(await page.locator('.case-list tbody tr').count(), 50);
  const firstRow = await page.textContent('.case-list tbody tr:first-child');
  assert.match(firstRow, /第2(0[1-9]|10)件/, 'the newest ten first');
  assert.match(firstRow, /[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/, 'the tracking code with its dash');
  assert.match(firstRow, /仁和社区代表联络点/, 'the station by its name');
  assert.match(firstRow, /已接收/);
  assert.doesNotMatch(await page.textContent('main'), /qianyou-renhe/, 'no slugs');
  await page.screenshot({ path: `${SHOTS}/desk-list.png`, fullPage: true });
  // The pager keeps the search and the order.
  await Promise.all([page.waitForNavigation(), page.click('.pager a:has-text("5")')]);
  assert.match(page.url(), /page=5/);
  assert.match(page.url(), /sort=-created/);
  assert.equal(await page.locator('.case-list tbody tr').count(), 10);
  assert.match(await page.textContent('.case-list tbody tr:last-child'), /第0(0\d|10)件/, 'the oldest last');
  assert.equal(await page.inputValue('input[name=q]'), WORD, 'the search is kept');
  await page.screenshot({ path: `${SHOTS}/desk-last-page.png`, fullPage: true });
  // A filter chosen by name is kept after the submit, and the export link carries it.
  await page.selectOption('select[name=channel]', { label: '坐诊接待' });
  await page.check('input[name=status][value=received]');
  await Promise.all([page.waitForNavigation(), page.click('.filter-actions button')]);
  assert.equal(await page.inputValue('select[name=channel]'), 'station');
  assert.ok(await page.isChecked('input[name=status][value=received]'));
  assert.match(await page.textContent('.list-summary'), /共 210 件/);
  assert.match(await page.textContent('.list-summary'), /渠道：坐诊接待/);
  const exportHref = await page.getAttribute('a:has-text("导出 Excel")', 'href');
  assert.match(exportHref, /^\/cases\/export\.xlsx\?/);
  assert.match(exportHref, /channel=station/);
  const download = await context.request.get(BASE + exportHref);
  assert.equal(download.status(), 200);
  assert.match(download.headers()['content-type'], /spreadsheetml/);
  // A refused filter: the message beside the field, what was asked kept, nothing listed.
  await page.goto(`${BASE}/cases?q=${encodeURIComponent(WORD)}&from=2026-02-30&sort=title`);
  assert.match(await page.textContent('.alert'), /筛选条件有误/);
  assert.match(await page.textContent('details.filterbar'), /日期无效/);
  assert.match(await page.textContent('details.filterbar'), /排序方式无效/);
  assert.equal(await page.locator('.case-list').count(), 0);
  assert.equal(await page.inputValue('input[name=q]'), WORD);
  await page.screenshot({ path: `${SHOTS}/desk-refused.png`, fullPage: true });
  await context.close();
});

test('a phone shows cards, folded filters and a pager it can tap', async () => {
  const { context, page } = await signedIn({ width: 390, height: 844 }, 'renhe', true);
  await page.goto(`${BASE}/cases?q=${encodeURIComponent(WORD)}&sort=-created`);
  assert.equal(await page.locator('details.filterbar').evaluate((d) => d.open), false, 'filters folded on a phone');
  assert.equal(await page.locator('.case-list thead').isVisible(), false, 'rows are cards');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
  await page.screenshot({ path: `${SHOTS}/phone-list.png` });
  const next = page.locator('.pager a:has-text("下一页")');
  const box = await next.boundingBox();
  assert.ok(box.height >= 44 && box.width >= 44, `the pager is a tap target (${box.width}×${box.height})`);
  await next.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/phone-pager.png` });
  await Promise.all([page.waitForNavigation(), next.tap()]);
  assert.match(await page.textContent('.list-summary'), /第 2 \/ 5 页/);
  await page.click('details.filterbar summary');
  await page.locator('details.filterbar summary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/phone-filters.png` });
  await context.close();
});

test('the dashboard counts the work and links each count to its list', async () => {
  for (const [name, viewport, mobile] of [['desk', { width: 1280, height: 800 }, false], ['phone', { width: 390, height: 844 }, true]]) {
    const { context, page } = await signedIn(viewport, 'renhe', mobile);
    await page.goto(`${BASE}/`);
    const tile = page.locator('.work-tiles a:has-text("待研判")');
    const shown = Number(await tile.locator('strong').textContent());
    assert.ok(shown >= COUNT, `待研判 counts the new cases (${shown})`);
    assert.doesNotMatch(await page.textContent('main'), /station:|qianyou-renhe/, 'scopes by name');
    await page.screenshot({ path: `${SHOTS}/${name}-dashboard.png`, fullPage: true });
    await Promise.all([page.waitForNavigation(), tile.click()]);
    assert.match(page.url(), /status=received/);
    assert.match(await page.textContent('.list-summary'), new RegExp(`共 ${shown} 件`));
    await context.close();
  }
});

test('another county sees none of it', async () => {
  const other = await login('zhenan');
  const list = await api(`/api/v1/cases?q=${encodeURIComponent(WORD)}`, { token: other });
  assert.equal(list.total, 0);
  assert.equal(list.items.length, 0);
});
