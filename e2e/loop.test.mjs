// A constituent's case in a real browser on a phone-sized screen: write to a station from its
// QR page with a photo, keep the tracking code, follow the tracking page while staff handle the
// case through the API, and rate the result. Needs BASE_URL (a server started with demo data)
// and Debian's Chromium at CHROMIUM (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';

// A 1×1 PNG, written to a temporary file for the file input.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

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

test('a case submitted on a phone travels the loop and is rated', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const page = await context.newPage();

    // 1. The station's QR page and its form.
    await page.goto(`${BASE}/station/qianyou-renhe`);
    assert.match(await page.title(), /仁和社区代表联络点/);
    const dir = mkdtempSync(join(tmpdir(), 'liaison-e2e-'));
    const photo = join(dir, 'road.png');
    writeFileSync(photo, PNG);
    await page.fill('input[name=title]', '村口路灯不亮');
    await page.fill('textarea[name=content]', '仁和社区村口两盏路灯坏了一个多月，晚上出行不安全。');
    await page.fill('input[name=contact_phone]', '13988887777');
    await page.setInputFiles('input[name=photos]', photo);
    await page.check('input[name=publish_consent]');
    await Promise.all([page.waitForNavigation(), page.click('#liuyan button[type=submit]')]);
    const code = (await page.textContent('#tracking-code')).trim();
    assert.match(code, /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);

    // 2. The tracking page says it was received.
    await page.goto(`${BASE}/track/${code}`);
    assert.equal((await page.textContent('#status')).trim(), '已接收');

    // 3. Staff handle it: triage, assign to the county transport bureau, urge, result, reply.
    const sup = await login('supervisor');
    const { items: inbox } = await api(`/api/v1/cases?status=received&q=${encodeURIComponent(code)}`, { token: sup });
    const mine = inbox.find((c) => c.tracking_code === code.replace('-', ''));
    assert.ok(mine, 'the supervisor sees the new case');
    const detail = await api(`/api/v1/cases/${mine.id}`, { token: sup });
    assert.equal(detail.photos.length, 1, 'the photo arrived');
    const step = (token, body) => api(`/api/v1/cases/${mine.id}/steps`, { token, method: 'POST', body });
    await step(sup, { step: 'triage', level: 'county' });
    const assigned = await step(sup, { step: 'assign', lead: 'zs-transport' });
    assert.ok(assigned.deadline_on);
    await step(sup, { step: 'urge', message: '请尽快修复' });
    await step(await login('transport'), { step: 'result', result: '已更换路灯两盏' });
    await step(sup, { step: 'reply', reply: '县交通运输局已更换村口路灯两盏，感谢您的反映。' });

    // 4. The constituent sees the reply on the tracking page and rates it.
    await page.goto(`${BASE}/track/${code}`);
    assert.equal((await page.textContent('#status')).trim(), '已答复');
    const timeline = await page.textContent('.timeline');
    assert.match(timeline, /已交办/);
    assert.doesNotMatch(timeline, /supervisor|transport/, 'no staff names on the public page');
    await page.check('input[value=satisfied]');
    await Promise.all([page.waitForNavigation(), page.click('#pingjia button[type=submit]')]);
    assert.equal((await page.textContent('#status')).trim(), '已办结');
    assert.match(await page.textContent('main'), /您的评价：满意/);

    // 5. The counts moved.
    const stats = await api('/api/v1/stats/cases?region=611026', { token: sup });
    assert.ok(stats.closed >= 1 && stats.received >= 1);
    await page.screenshot({ path: join(dir, 'rated.png') });
  } finally {
    await browser.close();
  }
});
