// Reception days in a real browser: a constituent sees a station's next reception days with the
// duty deputies on a phone, adds them to the phone's calendar (.ics) and the station prints its
// monthly notice; the township officer reads the month view, sets up a lunar market-day schedule
// (a schedule that gives no date is refused with the values kept), fills and edits the roster;
// a deputy asks for a swap and declares days away; the officer approves the swap; station staff
// record a reception with a matter answered on the spot (a future date is refused). Needs
// BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM. Screenshots go
// to SHOTS (default /tmp/shots-receptions).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
const SHOTS = process.env.SHOTS ?? '/tmp/shots-receptions';
mkdirSync(SHOTS, { recursive: true });

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function signedIn(username, size) {
  const context = await browser.newContext(size);
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const noSideways = async (page, what) => {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const inner = await page.evaluate(() => window.innerWidth);
  assert.ok(width <= inner, `${what}: no sideways scrolling (${width}px > ${inner}px)`);
};
/** No English words or internal identifiers in what a person reads. */
const readsChinese = async (page, what) => {
  const text = await page.evaluate(() => document.querySelector('main, article, body').innerText);
  for (const word of ['station_day', 'next_workday', 'monthly_day', 'lunar', 'undefined', 'null', 'Error']) {
    assert.ok(!text.includes(word), `${what} shows “${word}”`);
  }
};
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

test('a constituent sees the reception days, subscribes to them and the notice prints', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${BASE}/station/qianyou-renhe`);
  const section = page.locator('#jiedairi');
  await section.waitFor();
  const text = await section.innerText();
  assert.match(text, /每月5日/);
  assert.match(text, /接待代表：\S+/, 'the duty deputies are named');
  assert.match(text, /农历/);
  // A phone is 11 digits standing alone: not a run inside a hex token (the form's idempotency key).
  assert.ok(!/(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])/i.test(await page.content()), 'no phone number of a deputy on the page');
  assert.match(await page.locator('body').innerText(), /近期接待/);
  await noSideways(page, 'station page');
  await readsChinese(page, 'station page');
  await section.scrollIntoViewIfNeeded();
  await shot(page, 'station-phone');

  // The calendar feed the link gives, as a phone's calendar reads it.
  const href = await section.locator('a', { hasText: '加入手机日历' }).getAttribute('href');
  const ics = await page.evaluate(async (h) => {
    const r = await fetch(h);
    return { type: r.headers.get('content-type'), body: await r.text() };
  }, href);
  assert.match(ics.type, /^text\/calendar/);
  assert.match(ics.body, /BEGIN:VCALENDAR/);
  assert.match(ics.body, /BEGIN:VTIMEZONE\r\nTZID:Asia\/Shanghai/);
  assert.match(ics.body, /DTSTART;TZID=Asia\/Shanghai:\d{8}T090000/);
  assert.match(ics.body, /轮值代表/);

  // The printable notice, on a desktop and as printed.
  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await desk.goto(`${BASE}/station/qianyou-renhe/notice`);
  assert.match(await desk.locator('h1').innerText(), /接待日公告/);
  assert.ok(await desk.locator('.notice-qr svg').count() === 1, 'the station QR code is on the notice');
  assert.ok(await desk.locator('.notice-table tbody tr').count() >= 1, 'a reception day this month');
  await shot(desk, 'notice-desktop');
  await desk.emulateMedia({ media: 'print' });
  assert.equal(await desk.locator('.print-bar').isVisible(), false, 'the toolbar does not print');
  await desk.pdf({ path: join(SHOTS, 'notice.pdf'), format: 'A4' }).catch(() => {});
  await shot(desk, 'notice-print');
  const phoneNotice = await context.newPage();
  await phoneNotice.goto(`${BASE}/station/qianyou-renhe/notice`);
  await noSideways(phoneNotice, 'notice on a phone');
  await shot(phoneNotice, 'notice-phone');
  await context.close();
});

test('the township officer plans the reception days and the roster', async () => {
  const page = await signedIn('qianyou', DESKTOP);
  await page.click('header nav a:has-text("接待日")');
  await page.waitForURL(/\/receptions/);
  assert.ok(await page.locator('.day').count() >= 1, 'this month has reception days');
  await readsChinese(page, 'month view');
  await shot(page, 'month-desktop');

  // A schedule that yields no date is refused beside its field, with what was typed kept.
  await page.click('text=新增接待日安排');
  await page.selectOption('select[name=rule_kind]', 'dates');
  await page.fill('textarea[name=dates]', '2030-05-05');
  await page.fill('input[name=title]', '赶集日接待');
  await page.fill('input[name=place]', '仁和社区集市口');
  await Promise.all([page.waitForNavigation(), page.click('form[data-rule-form] button[type=submit]')]);
  assert.match(await page.locator('.field-error').first().innerText(), /一年内没有任何接待日/);
  assert.equal(await page.inputValue('input[name=place]'), '仁和社区集市口');
  await shot(page, 'schedule-refused');

  // The lunar market days, 逢一逢六, at the 仁和社区 point.
  await page.selectOption('select[name=station]', 'qianyou-renhe');
  await page.selectOption('select[name=rule_kind]', 'lunar');
  assert.equal(await page.locator('[data-rule=dates]').isVisible(), false, 'only the chosen rule shows');
  await page.fill('input[name=lunar]', '1,6,11,16,21,26');
  await page.selectOption('select[name=holiday_policy]', 'keep');
  await page.fill('input[name=starts_on]', today());
  await page.fill('input[name=per_day]', '1');
  await Promise.all([page.waitForNavigation(), page.click('form[data-rule-form] button[type=submit]')]);
  assert.match(page.url(), /\/receptions\/schedules\/\d+/);
  assert.match(await page.locator('.facts').innerText(), /农历逢一逢六/);

  // Fill the roster, then put another deputy on the first open day.
  await Promise.all([page.waitForNavigation(), page.click('text=按轮值规则排满')]);
  assert.match(await page.locator('.notice').innerText(), /已按轮值规则新排|已新排/);
  const first = page.locator('form.inline').first();
  const options = await first.locator('option').allInnerTexts();
  assert.ok(options.length >= 2, 'the station has several deputies');
  await first.locator('select').selectOption({ index: 1 });
  await Promise.all([page.waitForNavigation(), first.locator('button').click()]);
  assert.match(await page.locator('.notice').innerText(), /已保存/);
  await shot(page, 'schedule-desktop');
});

test('a deputy asks for a swap and the officer approves it', async () => {
  const deputy = await signedIn('deputy.wang', PHONE);
  await deputy.click('header nav a:has-text("我的值班")');
  await deputy.waitForURL(/\/duties/);
  await readsChinese(deputy, 'duties');
  await noSideways(deputy, 'duties');
  const duty = deputy.locator('ul.duties > li').first();
  await duty.waitFor();
  await duty.locator('summary').click();
  await duty.locator('input[name=reason]').fill('参加县人代会');
  await Promise.all([deputy.waitForNavigation(), duty.locator('button[type=submit]').click()]);
  assert.match(await deputy.locator('.notice').innerText(), /换班申请已提交/);
  // Days away: a range ending before it starts is refused, a good one recorded.
  await deputy.fill('input[name=from]', '2027-03-10');
  await deputy.fill('input[name=to]', '2027-03-01');
  await Promise.all([deputy.waitForNavigation(), deputy.click('form[action="/duties/away"] button')]);
  assert.match(await deputy.locator('.alert').innerText(), /结束日期不能早于开始日期/);
  await deputy.fill('input[name=from]', '2027-03-01');
  await deputy.fill('input[name=to]', '2027-03-10');
  await Promise.all([deputy.waitForNavigation(), deputy.click('form[action="/duties/away"] button')]);
  assert.match(await deputy.locator('body').innerText(), /2027-03-01 至 2027-03-10/);
  await shot(deputy, 'duties-phone');

  // The deputy records a home visit of their own; a reception day is not among their kinds.
  await Promise.all([deputy.waitForNavigation(), deputy.click('text=登记家访、坝坝会')]);
  const kinds = await deputy.locator('select[name=kind] option').allInnerTexts();
  assert.deepEqual(kinds, ['家访', '坝坝会']);
  await deputy.fill('input[name=visitors]', '3');
  await deputy.fill('textarea[name=households]', '低保户 陈某：取暖煤已备足\n独居老人 吴某：身体尚好');
  await deputy.locator('input[name=matter_title]').first().fill('残疾人补贴办理');
  await deputy.locator('textarea[name=matter_content]').first().fill('周某想办理残疾人两项补贴，不清楚流程。');
  await noSideways(deputy, 'home visit form');
  await Promise.all([deputy.waitForNavigation(), deputy.click('form[action="/receptions/records/new"] button[type=submit]')]);
  assert.match(deputy.url(), /\/receptions\/records\/\d+/);
  const visit = await deputy.locator('main').innerText();
  assert.match(visit, /家访/);
  assert.match(visit, /低保户 陈某：取暖煤已备足/);
  assert.match(visit, /王芳/);
  assert.match(visit, /残疾人补贴办理/);
  await shot(deputy, 'home-visit-phone');

  const officer = await signedIn('qianyou', PHONE);
  await officer.goto(`${BASE}/receptions`);
  const swap = officer.locator('#huanban li').first();
  assert.match(await swap.innerText(), /申请由/);
  await noSideways(officer, 'month view on a phone');
  await shot(officer, 'month-phone');
  await Promise.all([officer.waitForNavigation(), swap.locator('button[value=approve]').click()]);
  await deputy.goto(`${BASE}/duties`);
  assert.match(await deputy.locator('body').innerText(), /已同意/);
});

test('station staff record a reception and its matters', async () => {
  const page = await signedIn('renhe', PHONE);
  await page.goto(`${BASE}/receptions/records/new`);
  await noSideways(page, 'reception form');
  // A date in the future is refused and nothing is lost.
  await page.fill('input[name=held_on]', '2099-01-05');
  await page.fill('input[name=visitors]', '9');
  await page.locator('input[name=matter_title]').first().fill('小区门口积水');
  await page.locator('input[name=deputies]').first().check();
  await Promise.all([page.waitForNavigation(), page.click('form[action="/receptions/records/new"] button[type=submit]')]);
  assert.match(await page.locator('.alert').innerText(), /不能晚于今天/);
  assert.equal(await page.locator('input[name=matter_title]').first().inputValue(), '小区门口积水');
  await page.fill('input[name=held_on]', today());
  await page.locator('textarea[name=matter_answer]').first().fill('已联系物业当天疏通。');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/receptions/records/new"] button[type=submit]')]);
  assert.match(page.url(), /\/receptions\/records\/\d+/);
  const body = await page.locator('main').innerText();
  assert.match(body, /接待群众\s*9 人/);
  assert.match(body, /现场答复 1 件/);
  assert.match(body, /小区门口积水/);
  await readsChinese(page, 'reception record');
  // A photo of the reception, shrunk in the page and shown in the record's gallery.
  const dir = mkdtempSync(join(tmpdir(), 'reception-'));
  const file = join(dir, 'jiedai.png');
  writeFileSync(file, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
  await page.setInputFiles('#zhaopian input[name=photos]', file);
  await Promise.all([page.waitForNavigation(), page.click('#zhaopian button[type=submit]')]);
  await page.locator('#zhaopian .gallery img').first().waitFor();
  assert.equal(await page.locator('#zhaopian .gallery img').count(), 1);
  await shot(page, 'record-phone');
  // The matter is a case in the loop, raised at the reception.
  await Promise.all([page.waitForNavigation(), page.click('#shixiang a:has-text("小区门口积水")')]);
  assert.match(await page.locator('main').innerText(), /接待日/);
});
