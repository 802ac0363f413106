// Formal suggestions in a real browser: a deputy makes one from a constituent's case on a phone;
// the county office numbers and assigns it; the agency answers (a class is required); the deputy
// rates it; the constituent's tracking page shows it.
// Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-suggestions).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, noSideways as sideways, shooter, signedIn as signIn } from './helpers.mjs';

const shot = shooter('/tmp/shots-suggestions');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, size) => signIn(browser, username, size);
const noSideways = (page, name) => sideways(assert, page, name);

test('a deputy makes a suggestion from a case, and it runs to its answer', async () => {
  const deputy = await signedIn('deputy.wang', PHONE);
  await deputy.goto(`${BASE}/cases`);
  await Promise.all([deputy.waitForNavigation(), deputy.click('a:has-text("仁和社区路口缺少减速带")')]);
  const code = ((await deputy.locator('main').innerText()).match(/查询码\s*([0-9A-Z-]+)/) ?? [])[1];
  assert.ok(code, 'the case page shows its tracking code');
  await Promise.all([deputy.waitForNavigation(), deputy.click('a:has-text("形成代表建议")')]);
  assert.equal(await deputy.inputValue('input[name=title]'), '关于仁和社区路口缺少减速带的建议');
  assert.match(await deputy.inputValue('textarea[name=content]'), /群众反映：仁和社区北口紧邻小学/);
  await deputy.fill('textarea[name=content]', '群众反映：仁和社区北口紧邻小学，车速快。\n\n建议：在学校周边增设减速带、人行横道和警示标志。');
  await noSideways(deputy, 'the draft form');
  await shot(deputy, 'draft-phone');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button[value=submit]')]);
  assert.match(await deputy.locator('.notice').innerText(), /已提交/);
  const url = deputy.url();
  const id = url.match(/\/suggestions\/(\d+)/)[1];
  await noSideways(deputy, 'the suggestion');
  await shot(deputy, 'submitted-phone');

  const office = await signedIn('supervisor', DESKTOP);
  await office.goto(`${BASE}/suggestions/${id}`);
  await office.selectOption('select[name=lead]', { label: '柞水县交通运输局' });
  await Promise.all([office.waitForNavigation(), office.click('button[value=assign]')]);
  assert.match(await office.locator('.notice').innerText(), /已交办/);
  assert.match(await office.locator('main').innerText(), /年第 \d+ 号/);
  assert.match(await office.locator('main').innerText(), /答复期限\s*\d{4}-\d{2}-\d{2} 前/);
  await shot(office, 'assigned-desktop');
  await office.context().close();

  const agency = await signedIn('transport', DESKTOP);
  await agency.goto(`${BASE}/suggestions/${id}`);
  await agency.fill('textarea[name=answer]', '已在学校周边路段增设减速带两处、人行横道一处，并设置警示标志。');
  await Promise.all([agency.waitForNavigation(), agency.click('button[value=answer]')]);
  assert.match(await agency.locator('.alert').innerText(), /请选择答复类别/);
  await agency.check('input[name=class][value=a]');
  await agency.fill('textarea[name=answer]', '已在学校周边路段增设减速带两处、人行横道一处，并设置警示标志。');
  await Promise.all([agency.waitForNavigation(), agency.click('button[value=answer]')]);
  assert.match(await agency.locator('.notice').innerText(), /已答复/);
  await agency.context().close();

  await deputy.goto(`${BASE}/suggestions/${id}`);
  await deputy.check('input[name=rating][value=satisfied]');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button[value=rate]')]);
  assert.match(await deputy.locator('main').innerText(), /已办结/);
  assert.match(await deputy.locator('main').innerText(), /代表评价：满意/);
  await shot(deputy, 'closed-phone');
  await deputy.context().close();

  const pub = await (await browser.newContext(PHONE)).newPage();
  await pub.goto(`${BASE}/track/${code}`);
  assert.match(await pub.locator('main').innerText(), /形成代表建议“关于仁和社区路口缺少减速带的建议”.*已答复，A类/s);
  await shot(pub, 'track-phone');
});
