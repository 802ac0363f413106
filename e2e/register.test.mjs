// The duty register in a real browser: a deputy enters an activity on a phone (a date to come is
// refused with what was typed kept), the township officer confirms it on a desktop, and the
// deputy's public page then counts it. The receptions the deputy attended are already there.
// Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-register).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
const SHOTS = process.env.SHOTS ?? '/tmp/shots-register';
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
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

// How many 视察调研 the deputy's public page counts this year.
async function publicInspections() {
  const pub = await (await browser.newContext(PHONE)).newPage();
  await pub.goto(`${BASE}/deputy/wang-fang`);
  const m = (await pub.locator('main').innerText()).match(/视察调研\s*(\d+)/);
  await pub.context().close();
  return m ? Number(m[1]) : 0;
}

test('a deputy enters an activity and the township confirms it', async () => {
  const inspections = await publicInspections();
  const deputy = await signedIn('deputy.wang', PHONE);
  await deputy.click('header nav a:has-text("履职登记")');
  await deputy.waitForURL(/\/register/);
  const before = await deputy.locator('main').innerText();
  assert.match(before, /王芳 代表履职登记簿/);
  assert.match(before, /走访群众/, 'the home visit recorded for her is in the register');
  // A date to come is refused; what was typed stays.
  await deputy.selectOption('select[name=kind]', 'inspection');
  await deputy.fill('input[name=done_on]', '2099-01-01');
  await deputy.fill('textarea[name=description]', '参加县人大常委会对农村饮水安全的视察');
  await Promise.all([deputy.waitForNavigation(), deputy.click('form[action="/register/wang-fang"] button[type=submit]')]);
  assert.match(await deputy.locator('.alert').innerText(), /不能晚于今天/);
  assert.equal(await deputy.inputValue('textarea[name=description]'), '参加县人大常委会对农村饮水安全的视察');
  await deputy.fill('input[name=done_on]', today());
  await Promise.all([deputy.waitForNavigation(), deputy.click('form[action="/register/wang-fang"] button[type=submit]')]);
  assert.match(await deputy.locator('.notice').innerText(), /等待乡镇（街道）人大确认/);
  // Evidence: a PDF attached to the entry; a text file is refused.
  const dir = mkdtempSync(join(tmpdir(), 'register-'));
  const item0 = deputy.locator('ul.register li', { hasText: '农村饮水安全' });
  await item0.locator('summary').click();
  writeFileSync(join(dir, 'note.txt'), '不是证明材料');
  await item0.locator('input[name=evidence]').setInputFiles(join(dir, 'note.txt'));
  await Promise.all([deputy.waitForNavigation(), item0.locator('form button[type=submit]').click()]);
  assert.match(await deputy.locator('.alert').innerText(), /只能是照片.*或 PDF 文件/);
  const item1 = deputy.locator('ul.register li', { hasText: '农村饮水安全' });
  await item1.locator('summary').click();
  writeFileSync(join(dir, 'shicha.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  await item1.locator('input[name=evidence]').setInputFiles(join(dir, 'shicha.pdf'));
  await Promise.all([deputy.waitForNavigation(), item1.locator('form button[type=submit]').click()]);
  assert.match(await deputy.locator('.notice').innerText(), /证明材料已上传/);
  assert.match(await deputy.locator('ul.register li', { hasText: '农村饮水安全' }).innerText(), /PDF 文件 1/);
  const width = await deputy.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
  await shot(deputy, 'register-phone');

  assert.equal(await publicInspections(), inspections, 'an entry not yet confirmed is not public');
  const officer = await signedIn('qianyou', DESKTOP);
  await officer.click('header nav a:has-text("履职登记")');
  const item = officer.locator('ul.register li', { hasText: '农村饮水安全' });
  await item.waitFor();
  await shot(officer, 'pending-desktop');
  await Promise.all([officer.waitForNavigation(), item.locator('button[value=confirm]').click()]);
  assert.equal(await officer.locator('ul.register li', { hasText: '农村饮水安全' }).count(), 0);

  await deputy.goto(`${BASE}/register`);
  assert.match(await deputy.locator('ul.register li', { hasText: '农村饮水安全' }).innerText(), /已确认/);
  assert.equal(await publicInspections(), inspections + 1, 'once confirmed, the public page counts it');
  const pub = await (await browser.newContext(PHONE)).newPage();
  await pub.goto(`${BASE}/deputy/wang-fang`);
  await shot(pub, 'deputy-public-phone');
});
