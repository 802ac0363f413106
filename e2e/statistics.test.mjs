// Statistics and bulletins in a real browser: the public statistics page of the demo county on
// a phone, the staff statistics on a desktop — charts drawn (SVG) and the tables' numbers equal
// to the API's — the demo's published monthly bulletin on a phone with its PDF, and the
// station's weekly draft approved and published by a second person on a desktop.
// Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-statistics).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PASSWORD, PHONE, launch, noSideways as sideways, shooter, signedIn as signIn } from './helpers.mjs';

const shot = shooter('/tmp/shots-statistics');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, size) => signIn(browser, username, size);
const noSideways = (page, name) => sideways(assert, page, name);
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

async function api(token, path) {
  const res = await fetch(`${BASE}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  assert.ok(res.ok, `${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function login(username) {
  const res = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  return (await res.json()).token;
}

/** The rows of the first table under `scope` as { label: [numbers as text] }. */
async function table(page, selector) {
  return page.$$eval(`${selector} tbody tr`, (rows) => Object.fromEntries(rows.map((r) => [
    r.querySelector('th').innerText.trim(), [...r.querySelectorAll('td')].map((td) => td.innerText.trim()),
  ])));
}

test('the public statistics page draws its charts on a phone and says what the API says', async () => {
  const sup = await login('supervisor');
  const year = today().slice(0, 4);
  const report = await api(sup, `/api/v1/stats/report?region=611026&from=${year}-01-01&to=${today()}`);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${BASE}/county/611026`);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("意见建议办理情况统计")')]);
  assert.match(page.url(), /\/county\/611026\/stats$/);
  assert.ok(await page.locator('svg.chart').count() >= 2, 'charts drawn');
  assert.ok(await page.locator('svg.chart rect').count() > 3, 'with bars');
  const headline = await page.locator('.stats li:has-text("收集意见建议") strong').first().innerText();
  assert.equal(Number(headline), report.received.received);
  // The channel table: one row per channel, its received count as the API's.
  const channels = await table(page, 'section:has(h2:has-text("从哪里收集")) table.figures');
  for (const line of report.by_channel) {
    assert.equal(Number(channels[line.label][0]), line.figures.received, line.label);
    assert.equal(Number(channels[line.label][1]), line.figures.resolved, line.label);
  }
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /1[3-9]\d{9}|\d{3}\*{4}\d{4}/, 'no phone numbers');
  await noSideways(page, 'public statistics');
  await shot(page, 'public-stats-phone');
  await context.close();
});

test('the staff statistics on a desktop: charts, tables equal to the API, the export', async () => {
  const sup = await login('supervisor');
  const page = await signedIn('supervisor', DESKTOP);
  await Promise.all([page.waitForNavigation(), page.click('nav a:has-text("统计")')]);
  const from = await page.inputValue('input[name=from]');
  const to = await page.inputValue('input[name=to]');
  const report = await api(sup, `/api/v1/stats/report?region=611026&from=${from}&to=${to}`);
  assert.ok(await page.locator('svg.chart').count() >= 3, 'month, township and channel charts');
  const townships = await table(page, 'section:has(h2:has-text("各乡镇")) table.figures');
  for (const line of report.by_township) {
    assert.equal(Number(townships[line.label][0]), line.figures.received, line.label);
  }
  const channels = await table(page, 'section:has(h2:has-text("按渠道")) table.figures');
  for (const line of report.by_channel) {
    assert.equal(Number(channels[line.label][0]), line.figures.received, line.label);
  }
  // One township: the choice narrows everything.
  await page.selectOption('select[name=region]', '611026001');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
  const town = await api(sup, `/api/v1/stats/report?region=611026001&from=${from}&to=${to}`);
  const headline = await page.locator('.stats li:has-text("收集意见建议") strong').first().innerText();
  assert.equal(Number(headline), town.received.received);
  await shot(page, 'staff-stats-desktop');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("导出 Excel")')]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  await page.context().close();
});

test('the published monthly bulletin on a phone, and a weekly draft approved and published on a desktop', async () => {
  const context = await browser.newContext(PHONE);
  const phone = await context.newPage();
  await phone.goto(`${BASE}/county/611026/bulletins`);
  await Promise.all([phone.waitForNavigation(), phone.click('.list a >> nth=0')]);
  for (const part of ['一、民心所盼', '二、民意纵览', '三、民声回响']) {
    assert.ok(await phone.locator(`h2:has-text("${part}")`).isVisible(), part);
  }
  assert.ok(await phone.locator('svg.chart').count() >= 1);
  await noSideways(phone, 'bulletin');
  await shot(phone, 'bulletin-phone');
  const pdf = await fetch(new URL(await phone.locator('a:has-text("下载 PDF")').getAttribute('href'), BASE));
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const feed = await (await fetch(`${BASE}/county/611026/bulletins.atom`)).text();
  assert.match(feed, /<entry>/);
  await context.close();

  // The station's weekly draft: the drafter cannot approve it; the reviewer can, then publishes.
  const office = await signedIn('supervisor', DESKTOP);
  await Promise.all([office.waitForNavigation(), office.click('nav a:has-text("简报")')]);
  await Promise.all([office.waitForNavigation(), office.click('td a:has-text("工作周报")')]);
  const draftUrl = office.url();
  assert.match(await office.locator('main').innerText(), /需由起草人以外的同事审核/);
  await office.fill('textarea[name=intro]', '本周仁和社区代表联络点接待群众、收集意见建议的情况如下。');
  await Promise.all([office.waitForNavigation(), office.click('button:has-text("保存")')]);
  assert.match(await office.locator('.notice').innerText(), /已保存/);
  await office.context().close();

  const reviewer = await signedIn('reviewer', DESKTOP);
  await reviewer.goto(draftUrl);
  await Promise.all([reviewer.waitForNavigation(), reviewer.click('button:has-text("审核通过")')]);
  assert.match(await reviewer.locator('.notice').innerText(), /已审核/);
  await Promise.all([reviewer.waitForNavigation(), reviewer.click('button:has-text("发布")')]);
  assert.match(await reviewer.locator('main').innerText(), /已发布/);
  await shot(reviewer, 'bulletin-published-desktop');
  await Promise.all([reviewer.waitForNavigation(), reviewer.click('a:has-text("查看公开页面")')]);
  assert.match(await reviewer.locator('main').innerText(), /本周仁和社区代表联络点接待群众/);
  await reviewer.context().close();
});
