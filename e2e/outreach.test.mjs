// A deputy's work with agencies and voters in a real browser: the township records a meeting with
// agency heads (a meeting without a question is refused in Chinese, what was typed stays) and the
// agency reports its commitment kept on a phone; a deputy schedules a report to the voters on a
// phone, finds the text drafted from the register and edits it, and the township records the
// voters' evaluation; the deputy's ledger shows ID numbers and addresses masked until asked, a
// visit is recorded, the export asks what it is for, and another county is refused.
// Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-outreach).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, noSideways as sideways, shooter, signedIn as signIn } from './helpers.mjs';

const shot = shooter('/tmp/shots-outreach');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, size) => signIn(browser, username, size);
const noSideways = (page, name) => sideways(assert, page, name);
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const inDays = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

test('the township records a meeting and the agency reports its promise kept', async () => {
  const town = await signedIn('qianyou', DESKTOP);
  await town.goto(`${BASE}/outreach`);
  await Promise.all([town.waitForNavigation(), town.click('a:has-text("约见单位负责人")')]);
  await Promise.all([town.waitForNavigation(), town.click('a:has-text("登记约见")')]);
  await town.fill('input[name=title]', '约见：乾佑河沿线路灯');
  await town.fill('input[name=held_on]', today());
  await town.check('input[name=agency][value=zs-transport]');
  const deputy = town.locator('input[name=deputy]').nth(1);
  await deputy.check();
  await Promise.all([town.waitForNavigation(), town.click('button:has-text("保存约见记录")')]);
  assert.match(await town.locator('.alert').innerText(), /请至少登记一个代表提出的问题/);
  assert.equal(await town.inputValue('input[name=title]'), '约见：乾佑河沿线路灯', 'what was typed stays');
  await town.fill('textarea[name=q1_text]', '乾佑河沿线路灯损坏多，何时更换？');
  await town.selectOption('select[name=q1_outcome]', 'study');
  await town.selectOption('select[name=c1_agency]', 'zs-transport');
  await town.fill('textarea[name=c1_content]', '一个月内更换沿线损坏路灯');
  await town.fill('input[name=c1_due]', inDays(30));
  await Promise.all([town.waitForNavigation(), town.click('button:has-text("保存约见记录")')]);
  assert.match(await town.locator('.notice').innerText(), /约见记录已保存/);
  const url = town.url().replace(/\?.*$/, '');
  assert.match(await town.locator('main').innerText(), /带回研究/);
  await shot(town, 'meeting-desktop');
  await town.context().close();

  const agency = await signedIn('transport', PHONE);
  await Promise.all([agency.waitForNavigation(), agency.click('nav a:has-text("约见承诺")')]);
  await Promise.all([agency.waitForNavigation(), agency.click('a:has-text("约见：乾佑河沿线路灯")')]);
  assert.equal(agency.url(), url);
  const item = agency.locator('li', { hasText: '一个月内更换沿线损坏路灯' });
  await item.locator('textarea[name=note]').fill('沿线损坏路灯 23 盏已全部更换');
  await Promise.all([agency.waitForNavigation(), item.locator('button:has-text("登记已落实")').click()]);
  assert.match(await agency.locator('.notice').innerText(), /已登记承诺落实情况/);
  assert.match(await agency.locator('li', { hasText: '一个月内更换沿线损坏路灯' }).innerText(), /已落实/);
  await noSideways(agency, 'the meeting');
  await shot(agency, 'commitment-kept-phone');
  await agency.context().close();
});

test('a deputy prepares a report to the voters and the township records the evaluation', async () => {
  const deputy = await signedIn('deputy.wang', PHONE);
  await Promise.all([deputy.waitForNavigation(), deputy.click('nav a:has-text("联系群众")')]);
  await noSideways(deputy, 'the hub');
  await shot(deputy, 'hub-phone');
  await Promise.all([deputy.waitForNavigation(), deputy.click('a:has-text("向选民述职")')]);
  await deputy.fill('input[name=scheduled_on]', inDays(7));
  await Promise.all([deputy.waitForNavigation(), deputy.click('button:has-text("安排述职")')]);
  assert.match(await deputy.locator('.alert').innerText(), /口头述职请填写述职的地点/);
  await deputy.fill('input[name=scheduled_on]', inDays(7));
  await deputy.fill('input[name=place]', '仁和社区居民委员会');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button:has-text("安排述职")')]);
  assert.match(await deputy.locator('.notice').innerText(), /述职已安排/);
  const text = await deputy.inputValue('textarea[name=body]');
  assert.match(text, /我是王芳/);
  assert.match(text, /参加会议：\d+ 次/);
  await deputy.fill('textarea[name=body]', `${text}\n下一步，我将继续推动仁和社区停车难问题的解决。`);
  await Promise.all([deputy.waitForNavigation(), deputy.click('button:has-text("保存述职稿")')]);
  assert.match(await deputy.locator('.notice').innerText(), /述职稿已保存/);
  assert.equal(await deputy.locator('button[value=held]').count(), 0, 'the deputy does not record the votes on themself');
  await noSideways(deputy, 'the report');
  await shot(deputy, 'report-phone');
  const url = deputy.url().replace(/\?.*$/, '');
  await deputy.context().close();

  const town = await signedIn('qianyou', DESKTOP);
  await town.goto(url);
  await town.fill('input[name=held_on]', today());
  await town.fill('input[name=attendance]', '20');
  await town.fill('input[name=satisfied]', '30');
  await Promise.all([town.waitForNavigation(), town.click('button[value=held]')]);
  assert.match(await town.locator('.alert').innerText(), /多于到会选民/);
  await town.fill('input[name=held_on]', today());
  await town.fill('input[name=attendance]', '45');
  await town.fill('input[name=satisfied]', '38');
  await town.fill('input[name=partly]', '6');
  await town.fill('input[name=dissatisfied]', '1');
  await Promise.all([town.waitForNavigation(), town.click('button[value=held]')]);
  assert.match(await town.locator('.notice').innerText(), /已计入代表的履职登记/);
  assert.match(await town.locator('main').innerText(), /满意 38、基本满意 6、不满意 1/);
  await shot(town, 'report-held-desktop');
  await town.goto(`${BASE}/voter-reports`);
  assert.match(await town.locator('main').innerText(), /共有代表 \d+ 名，已向选民述职 \d+ 名/);
  await shot(town, 'coverage-desktop');
  await town.context().close();
});

test('the ledger is masked until asked, and the export asks what it is for', async () => {
  const deputy = await signedIn('deputy.wang', PHONE);
  await deputy.goto(`${BASE}/ledger`);
  await Promise.all([deputy.waitForNavigation(), deputy.click('a:has-text("张秀兰")')]);
  const contact = deputy.url().replace(/\?.*$/, '');
  const masked = await deputy.locator('main').innerText();
  assert.match(masked, /6110\*{10}\d{3}[\dX]/);
  assert.match(masked, /乾佑街道仁和社区\*\*\*\*/);
  await shot(deputy, 'contact-masked-phone');
  await deputy.click('summary:has-text("显示完整")');
  await deputy.fill('input[name=reason]', '上门走访');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button:has-text("显示完整信息")')]);
  const full = await deputy.locator('main').innerText();
  assert.match(full, /6110\d{13}[\dX]/);
  assert.match(full, /乾佑街道仁和社区1组10号/);
  assert.match(full, /已记入审计日志/);
  await deputy.goto(contact);
  assert.match(await deputy.locator('main').innerText(), /乾佑街道仁和社区\*\*\*\*/, 'masked again on the next visit');
  await deputy.fill('textarea[name=needs]', '家中煤气灶老化，担心安全');
  await deputy.fill('textarea[name=help]', '联系燃气公司上门检修');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button[value=visit]')]);
  assert.match(await deputy.locator('.notice').innerText(), /走访已登记/);
  assert.match(await deputy.locator('main').innerText(), /家中煤气灶老化/);
  await deputy.click('summary:has-text("修改信息")');
  await deputy.fill('form:has(button[value=edit]) input[name=members]', '2');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button[value=edit]')]);
  assert.match(await deputy.locator('.notice').innerText(), /已保存修改/);
  assert.match(await deputy.locator('main').innerText(), /家庭人口\s*2 人/);
  assert.match(await deputy.locator('main').innerText(), /乾佑街道仁和社区\*\*\*\*/, 'an empty address kept the one on file');
  await noSideways(deputy, 'the contact');
  await shot(deputy, 'contact-visited-phone');
  await deputy.context().close();

  const town = await signedIn('qianyou', DESKTOP);
  await town.goto(`${BASE}/ledger`);
  await Promise.all([town.waitForNavigation(), town.click('button:has-text("导出 Excel")')]);
  assert.match(await town.locator('.alert').innerText(), /导出前请写明用途/);
  await town.fill('input[name=reason]', '向民政办核对困难家庭名单');
  const [download] = await Promise.all([town.waitForEvent('download'), town.click('button:has-text("导出 Excel")')]);
  assert.equal(download.suggestedFilename(), '联系台账.xlsx');
  await shot(town, 'ledger-desktop');
  await town.context().close();

  const other = await signedIn('zhenan', DESKTOP);
  const res = await other.goto(contact);
  assert.equal(res.status(), 403);
  assert.match(await other.locator('main').innerText(), /台账含有群众个人信息/);
  await other.context().close();
});
