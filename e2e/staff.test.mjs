// Staff handle a case in a real browser: a station's staff record a phone call with a photo on a
// phone (a refusal keeps every value), the township triages and assigns its own case, escalates
// one to the county, the supervisor assigns it to an agency (no escalation offered on a county
// case), calls the constituent back, the agency records its result and prints its 交办单, and the
// auditor reads the log in names. Needs BASE_URL (a server started with demo data) and Debian's
// Chromium at CHROMIUM. Screenshots go to SHOTS (default /tmp/shots-staff).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
const SHOTS = process.env.SHOTS ?? '/tmp/shots-staff';
mkdirSync(SHOTS, { recursive: true });

// A 1×1 PNG, written to a temporary file for the file input.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
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

/** A page signed in as `username` in a window of `size`. */
async function signedIn(username, size) {
  const context = await browser.newContext(size);
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  return page;
}

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

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const noSideways = async (page, what) => {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const inner = await page.evaluate(() => window.innerWidth);
  assert.ok(width <= inner, `${what}: no sideways scrolling (${width}px > ${inner}px)`);
};
/** The ids of the step forms, and the open ones. */
const steps = (page) => page.evaluate(() => {
  const all = [...document.querySelectorAll('details.step')];
  return { all: all.map((d) => d.id.replace('step-', '')), open: all.filter((d) => d.open).map((d) => d.id.replace('step-', '')) };
});
const submitStep = async (page, step) => {
  await Promise.all([page.waitForNavigation(), page.click(`#step-${step} button[type=submit]`)]);
};
const timeline = (page) => page.textContent('.timeline');

let caseA; // the phone call recorded on a phone
const caseTitle = '村口路灯不亮' + Date.now().toString().slice(-5);

test('station staff record a phone call with a photo on a phone, and a refusal keeps what they typed', async () => {
  const page = await signedIn('renhe', PHONE);
  await page.goto(`${BASE}/cases/new`);
  assert.equal(await page.inputValue('select[name=station]'), 'qianyou-renhe', 'their own station, by name');
  assert.match(await page.textContent('select[name=station]'), /仁和社区代表联络点/);
  await page.selectOption('select[name=channel]', { label: '电话' });
  await page.fill('input[name=title]', caseTitle);
  await page.fill('textarea[name=content]', '群众来电：仁和社区村口两盏路灯坏了一个多月，晚上出行不安全。');
  await page.fill('input[name=location]', '仁和社区村口');
  await page.fill('input[name=contact_name]', '陈大爷');
  await page.fill('input[name=contact_phone]', '12345');
  const dir = mkdtempSync(join(tmpdir(), 'liaison-staff-'));
  const photo = join(dir, 'lamp.png');
  writeFileSync(photo, PNG);
  await page.setInputFiles('input[name=photos]', photo);
  // The form is sent from the page (photos shrunk first); a refusal replaces only the form.
  await page.click('#intake button[type=submit]');
  await page.waitForSelector('label:has(input[name=contact_phone]) .field-error');
  // Refused for the phone number: every value is back, 电话 included, the message beside the field.
  assert.equal(await page.inputValue('select[name=channel]'), 'hotline');
  assert.equal(await page.inputValue('input[name=title]'), caseTitle);
  assert.equal(await page.inputValue('input[name=location]'), '仁和社区村口');
  assert.equal(await page.inputValue('input[name=contact_phone]'), '12345');
  const error = await page.textContent('label:has(input[name=contact_phone]) .field-error');
  assert.ok(error && error.length > 2, 'the phone field says what is wrong');
  assert.doesNotMatch(page.url(), /csrf/, 'no token in the address bar after an upload');
  await noSideways(page, 'intake refused');
  await shot(page, 'phone-intake-refused');

  await page.fill('input[name=contact_phone]', '13988886666');
  assert.equal(await page.evaluate(() => document.querySelector('input[name=photos]').files.length), 1,
    'the chosen photo is still chosen after the refusal');
  await Promise.all([page.waitForNavigation(), page.click('#intake button[type=submit]')]);
  assert.match(page.url(), /\/cases\/\d+$/);
  caseA = page.url().split('/').pop();
  assert.match(await page.textContent('h1'), new RegExp(caseTitle));
  assert.equal(await page.locator('.gallery img').count(), 1, 'the photo as a thumbnail');
  assert.match(await page.getAttribute('.gallery img', 'src'), /\?size=thumb$/);
  const text = await timeline(page);
  assert.match(text, /接收/);
  assert.match(text, /仁和社区联络员/);
  assert.deepEqual((await steps(page)).open, ['triage'], 'the station triages next');
  await noSideways(page, 'case page');
  await shot(page, 'phone-case-recorded');
});

test('the township triages and assigns its own case, and escalates another to the county', async () => {
  // A matter the station recorded at its reception waits in the township's inbox.
  const token = (await api('/api/v1/session', { method: 'POST', body: { username: 'renhe', password: PASSWORD } })).token;
  const b = await api('/api/v1/cases', { token, method: 'POST', body: { channel: 'station', station: 'qianyou-renhe',
    title: '社区卫生室缺少降压药' + caseTitle.slice(-5), content: '常用降压药经常缺货，希望社区卫生室增加备货。', category: '教育医疗' } });
  const page = await signedIn('qianyou', DESKTOP);
  await page.goto(`${BASE}/cases/${b.id}`);
  let s = await steps(page);
  assert.equal(s.open[0], 'triage');
  assert.equal(await page.inputValue('#step-triage select[name=level]'), 'township', 'a township case by default');
  await submitStep(page, 'triage');
  s = await steps(page);
  assert.deepEqual(s.open, ['assign']);
  assert.ok(s.all.includes('escalate'), 'a township case may go up to the county');
  await page.selectOption('#step-assign select[name=lead]', { label: '乾佑街道办事处' });
  await page.fill('#step-assign textarea[name=note]', '请协调社区卫生室补充常用降压药');
  await submitStep(page, 'assign');
  assert.match(await page.textContent('#lead'), /乾佑街道办事处/);
  assert.match(await timeline(page), /交办[\s\S]*乾佑街道人大工委/);
  assert.doesNotMatch(await page.textContent('main'), /triage|assign|qianyou/);
  await shot(page, 'desktop-township-assigned');

  // The phone call goes up to the county: the township cannot fix the lamps' wiring.
  await page.goto(`${BASE}/cases/${caseA}`);
  await submitStep(page, 'triage');
  await page.click('#step-escalate summary');
  await page.fill('#step-escalate textarea[name=note]', '线路老化需县级统一改造');
  await submitStep(page, 'escalate');
  assert.match(await page.textContent('.case-head'), /已提级/);
});

test('the supervisor assigns the county case, with no escalation offered, and calls back', async () => {
  const page = await signedIn('supervisor', DESKTOP);
  await page.goto(`${BASE}/cases/${caseA}`);
  let s = await steps(page);
  assert.deepEqual(s.open, ['assign'], 'assigning is next');
  assert.ok(!s.all.includes('escalate'), 'no 提级至县 on a county case');
  assert.doesNotMatch(await page.textContent('#steps'), /提级至县/);
  assert.ok(s.all.length >= 3 && s.open.length === 1, 'one open form, the others folded');
  assert.equal(await page.inputValue('#step-triage select[name=level]'), 'county', 're-triage starts at the county');
  await shot(page, 'desktop-supervisor-county-case');
  // A refused step stays on the page with what was typed: no lead chosen.
  await page.fill('#step-assign textarea[name=note]', '请于两周内修复路灯并反馈');
  await page.evaluate(() => document.querySelector('#step-assign select[name=lead]').removeAttribute('required'));
  await submitStep(page, 'assign');
  assert.equal(await page.inputValue('#step-assign textarea[name=note]'), '请于两周内修复路灯并反馈');
  assert.ok(await page.locator('#step-assign .field-error, #step-assign .alert').count() >= 1, 'the message on the form');
  await page.selectOption('#step-assign select[name=lead]', { label: '柞水县交通运输局' });
  await page.check('#step-assign input[name=assisting][value=zs-water]');
  await submitStep(page, 'assign');
  assert.match(await page.textContent('#lead'), /柞水县交通运输局/);
  assert.match(await page.textContent('.facts'), /柞水县水利局/);
  assert.deepEqual((await steps(page)).open, ['urge']);
  // The call-back: the full number, as a link to dial; masked before.
  assert.match(await page.textContent('#contact-line'), /139\*\*\*\*6666/);
  await Promise.all([page.waitForNavigation(), page.click('#show-contact')]);
  assert.equal(await page.getAttribute('#contact a.tel', 'href'), 'tel:13988886666');
  await shot(page, 'desktop-supervisor-contact');
  const text = await timeline(page);
  assert.match(text, /县人大代表工委 · 柞水县人大常委会代表工委/);
  assert.doesNotMatch(text, /zs-transport|record_result|supervisor/);

  // On a phone the same page is one column, with the likely step open.
  const phone = await signedIn('supervisor', PHONE);
  await phone.goto(`${BASE}/cases/${caseA}`);
  await noSideways(phone, 'supervisor case page');
  await shot(phone, 'phone-supervisor-case');
});

test('the agency records its result and prints its 交办单', async () => {
  const page = await signedIn('transport', DESKTOP);
  await page.goto(`${BASE}/cases/${caseA}`);
  const s = await steps(page);
  assert.deepEqual(s.open, ['result']);
  assert.ok(s.all.includes('return') && !s.all.includes('urge'));
  assert.equal(await page.locator('#show-contact').count(), 0, 'no call-back for an agency');
  await page.fill('#step-result textarea[name=result]', '已更换村口路灯两盏并检修线路。');
  await submitStep(page, 'result');
  assert.match(await page.textContent('.case-head'), /已更换村口路灯两盏/);
  await Promise.all([page.waitForNavigation(), page.click('#print-link')]);
  const sheet = await page.textContent('.print-sheet');
  for (const words of ['意见建议交办单', caseTitle, '柞水县交通运输局', '柞水县水利局', '请于两周内修复路灯并反馈', '签收日期']) {
    assert.ok(sheet.includes(words), `the sheet shows ${words}`);
  }
  assert.doesNotMatch(sheet, /13988886666|zs-transport/);
  await shot(page, 'desktop-print');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false, 'no header on paper');
  await page.screenshot({ path: join(SHOTS, 'print-media.png'), fullPage: true });
  // Another county's supervisor may not read it.
  const other = await signedIn('zhenan', DESKTOP);
  const res = await other.goto(`${BASE}/cases/${caseA}/print`);
  assert.equal(res.status(), 403);
});

test('a deputy answers an online message on a phone', async () => {
  const msg = await api('/api/v1/public/cases', { method: 'POST', body: { deputy: 'wang-fang', title: '公交站台缺少遮雨棚' + caseTitle.slice(-5),
    content: '镇上公交站台没有遮雨棚，下雨天老人候车很不方便。', category: '道路交通' } });
  const page = await signedIn('deputy.wang', PHONE);
  await page.goto(`${BASE}/cases/${msg.id}`);
  const s = await steps(page);
  assert.deepEqual(s.open, ['note'], 'the reply the message waits for');
  assert.ok(s.all.includes('answer_on_spot') && !s.all.includes('triage'));
  assert.doesNotMatch(await page.textContent('#steps'), /现场答复/, 'an online message is not answered on the spot');
  assert.match(await page.textContent('#step-note summary'), /回复留言/);
  assert.ok(await page.isChecked('#step-note input[name=public]'));
  await shot(page, 'phone-deputy-online');
  await page.fill('#step-note textarea[name=note]', '您好，留言已收到，我已转联络站研判，会尽快推动解决。');
  await submitStep(page, 'note');
  assert.match(await timeline(page), /回复留言[\s\S]*王芳代表/);
  await noSideways(page, 'deputy case page');
  await shot(page, 'phone-deputy-replied');
  // The constituent reads it on the tracking page.
  const track = await (await fetch(`${BASE}/track/${msg.tracking_code}`)).text();
  assert.match(track, /留言已收到/);
});

test('the auditor reads the log in names', async () => {
  for (const [size, name] of [[DESKTOP, 'desktop-audit'], [PHONE, 'phone-audit']]) {
    const page = await signedIn('auditor', size);
    await page.goto(`${BASE}/audit`);
    const text = await page.textContent('table');
    assert.match(text, /登录/);
    assert.match(text, /查看个人信息/);
    assert.doesNotMatch(text, /session\.login|user:admin|personal_data|zs-transport|county_supervisor/);
    await shot(page, name);
  }
});
