// 履职考评 in a real browser: the township officer sees the deputies against their targets on a
// desktop, reminds those behind, downloads the rankings and the archive of annual reports; the
// county makes next year's points rules (a first day already past is refused, what was typed
// kept); the deputy on a phone sees points and targets and downloads the annual report as PDF.
// Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-points).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, noSideways as sideways, shooter, signedIn as signIn } from './helpers.mjs';

const shot = shooter('/tmp/shots-points');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, size) => signIn(browser, username, size);
const noSideways = (page, name) => sideways(assert, page, name);
const year = () => Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));

test('the township follows its deputies against their targets', async () => {
  const officer = await signedIn('qianyou', DESKTOP);
  await officer.click('header nav a:has-text("履职考评")');
  await officer.waitForURL(/\/targets/);
  const text = await officer.locator('main').innerText();
  assert.match(text, new RegExp(`${year()} 年度履职考评`));
  assert.match(text, /王芳/);
  assert.match(text, /每年为民办实事/, 'a column per target');
  await shot(officer, 'targets-desktop');
  const behind = Number((text.match(/未达到履职目标的 (\d+) 名/) ?? [])[1]);
  assert.ok(behind > 0, 'the demo has deputies behind');
  await Promise.all([officer.waitForNavigation(), officer.click('button:has-text("提醒未达标")')]);
  assert.match(await officer.locator('.notice').innerText(), new RegExp(`已向 ${behind} 名未达标代表发送提醒`));
  // Once a day: a second reminder reaches nobody.
  await Promise.all([officer.waitForNavigation(), officer.click('button:has-text("提醒未达标")')]);
  assert.match(await officer.locator('.notice').innerText(), /已向 0 名/);

  const rankings = await officer.request.get(`${BASE}/targets/rankings.xlsx?year=${year()}`);
  assert.equal(rankings.status(), 200);
  assert.match(rankings.headers()['content-disposition'], /filename\*=UTF-8''/);
  assert.equal((await rankings.body()).subarray(0, 2).toString(), 'PK');

  await officer.goto(`${BASE}/targets`);
  await Promise.all([officer.waitForNavigation(), officer.click('button:has-text("全部报告")')]);
  await officer.waitForURL(/\/targets\/archives\/\d+/);
  await officer.locator('a:has-text("下载压缩包")').waitFor({ timeout: 120_000 });
  assert.match(await officer.locator('main').innerText(), /已完成：已生成 (\d+) \/ \1 份/);
  await shot(officer, 'archive-done');
  const href = await officer.locator('a:has-text("下载压缩包")').getAttribute('href');
  const zip = await officer.request.get(`${BASE}${href}`);
  assert.equal(zip.status(), 200);
  assert.equal((await zip.body()).subarray(0, 2).toString(), 'PK');
  await officer.context().close();
});

test('the county makes next year\'s points rules', async () => {
  const sup = await signedIn('supervisor', DESKTOP);
  await sup.goto(`${BASE}/points`);
  const text = await sup.locator('main').innerText();
  assert.match(text, /柞水县人大代表履职积分实施办法/);
  assert.match(text, /施行中/);
  const form = sup.locator('form[action^="/points?"]');
  await form.locator('input[name=name]').fill(`柞水县人大代表履职积分实施办法（${year() + 1} 年版）`);
  await form.locator('input[name=from]').fill(`${year()}-01-01`);
  await form.locator('input[name=points_deed]').fill('8');
  await Promise.all([sup.waitForNavigation(), form.locator('button[type=submit]').click()]);
  assert.match(await sup.locator('.alert').innerText(), /施行期重叠|明天或以后/);
  assert.equal(await sup.inputValue('input[name=points_deed]'), '8', 'what was typed stays');
  await sup.fill('input[name=from]', `${year() + 1}-01-01`);
  await Promise.all([sup.waitForNavigation(), sup.locator('form[action^="/points?"] button[type=submit]').click()]);
  assert.match(await sup.locator('.notice').innerText(), /新版本已保存/);
  const after = await sup.locator('main').innerText();
  assert.match(after, new RegExp(`${year()}-01-01 至 ${year()}-12-31`), 'the version in force now ends the day before');
  assert.match(after, new RegExp(`${year() + 1}-01-01 起`));
  await shot(sup, 'points-desktop');
  const xlsx = await sup.request.get(`${BASE}${await sup.locator('a:has-text("导出 Excel")').first().getAttribute('href')}`);
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');
  await sup.context().close();
});

test('a deputy sees points and targets and downloads the annual report', async () => {
  const deputy = await signedIn('deputy.wang', PHONE);
  await deputy.click('header nav a:has-text("履职登记")');
  await deputy.waitForURL(/\/register/);
  const text = await deputy.locator('main').innerText();
  assert.match(text, /\d+\s*分/);
  assert.match(text, /每年为民办实事至少 1 次：\d+\/1/);
  assert.ok(await deputy.locator('progress').count() >= 3, 'a bar per target');
  await noSideways(deputy, 'register');
  await shot(deputy, 'register-points-phone');
  await Promise.all([deputy.waitForNavigation(), deputy.click('a:has-text("年度履职报告")')]);
  const report = await deputy.locator('main').innerText();
  assert.match(report, new RegExp(`王芳 ${year()} 年度履职报告`));
  assert.match(report, /履职情况分类统计/);
  await noSideways(deputy, 'report');
  await shot(deputy, 'report-phone');
  const href = await deputy.locator('a:has-text("下载 PDF")').getAttribute('href');
  const pdf = await deputy.request.get(`${BASE}${href}`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  // Another deputy of her station: their report is not hers to read.
  const pub = await (await browser.newContext(PHONE)).newPage();
  await pub.goto(`${BASE}/deputy/wang-fang`);
  await pub.goto(`${BASE}${await pub.locator('a[href^="/station/"]').first().getAttribute('href')}`);
  const hrefs = await pub.locator('a[href^="/deputy/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const other = hrefs.map((h) => h.split('/')[2]).find((s) => s && s !== 'wang-fang');
  assert.ok(other, `another deputy on the station page: ${hrefs}`);
  await pub.context().close();
  assert.equal((await deputy.request.get(`${BASE}/register/${other}/report`)).status(), 403);
  assert.equal((await deputy.request.get(`${BASE}/register/${other}/report.pdf`)).status(), 403);
  await deputy.context().close();
});
