// Text messages as a constituent meets them, on a phone and on a desktop: without an SMS provider
// (the server at BASE_URL) the tracking page sends them to the station and the contact form
// promises no text message; with one (a second `liaison serve --demo` started here from
// LIAISON_BIN, its provider pointed at a closed port) the page offers to text the code and the
// form asks whether to text notices. Screenshots go to SHOTS (default /tmp/shots-sms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.SHOTS ?? '/tmp/shots-sms';
mkdirSync(SHOTS, { recursive: true });

const WINDOWS = [
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' }],
  ['desktop', { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' }],
];

const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });

async function noSidewaysScroll(page, width) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `no sideways scrolling (${scroll}px in ${width}px)`);
}

/// A demo server with an SMS provider configured (the provider itself is unreachable: pages only).
async function serverWithSms() {
  const bin = process.env.LIAISON_BIN;
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'liaison-e2e-sms-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = {
    ...process.env,
    LIAISON_LISTEN: `127.0.0.1:${port}`,
    LIAISON_DATABASE_URL: '',
    LIAISON_LOG: 'warn',
    LIAISON_SMS_PROVIDER: 'tencent',
    LIAISON_SMS_ACCESS_KEY_ID: 'AKIDe2e',
    LIAISON_SMS_ACCESS_KEY_SECRET: 'e2e-secret',
    LIAISON_SMS_SIGN_NAME: '柞水县人大常委会',
    LIAISON_SMS_APP_ID: '1400000000',
    LIAISON_SMS_ENDPOINT: 'http://127.0.0.1:9',
    LIAISON_SMS_TEMPLATES: '{code="2001", reply="2002", reopen="2003", close="2004", assign="2005", urge="2006"}',
  };
  const child = spawn(bin, ['serve', '--demo'], { cwd: dir, env, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, stop: () => child.kill('SIGTERM') };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error('the server with SMS did not start');
}

test('without an SMS provider the pages promise no text message', async () => {
  const browser = await launch();
  try {
    for (const [name, options] of WINDOWS) {
      const page = await (await browser.newContext(options)).newPage();
      await page.goto(`${BASE}/track`);
      const hint = await page.textContent('#lookup-hint');
      assert.match(hint, /未开通短信/);
      assert.match(hint, /联络站/);
      assert.equal(await page.locator('form[action="/track/lookup"]').count(), 0, 'no form that would send nothing');
      assert.doesNotMatch(await page.textContent('main'), /已通过短信|短信发送/);
      await noSidewaysScroll(page, options.viewport.width);
      await page.screenshot({ path: join(SHOTS, `track-no-sms-${name}.png`), fullPage: true });

      await page.goto(`${BASE}/station/qianyou-renhe`);
      const form = await page.textContent('#liuyan');
      assert.doesNotMatch(form, /短信/);
      assert.match(form, /便于联络站联系您/);
      assert.equal(await page.locator('input[name=sms_notices]').count(), 0);
      await page.locator('input[name=contact_phone]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `form-no-sms-${name}.png`) });
    }
  } finally {
    await browser.close();
  }
});

test('with an SMS provider the code is texted and notices are the writer\'s choice', async (t) => {
  const server = await serverWithSms();
  if (!server) {
    t.skip('LIAISON_BIN not set: no second server to configure with SMS');
    return;
  }
  const browser = await launch();
  try {
    for (const [name, options] of WINDOWS) {
      const page = await (await browser.newContext(options)).newPage();
      await page.goto(`${server.base}/track`);
      assert.match(await page.textContent('#lookup-hint'), /短信/);
      assert.doesNotMatch(await page.textContent('main'), /未开通短信/);
      await noSidewaysScroll(page, options.viewport.width);
      await page.screenshot({ path: join(SHOTS, `track-sms-${name}.png`), fullPage: true });
      await page.fill('input[name=phone]', '13900001111');
      await Promise.all([page.waitForNavigation(), page.click('form[action="/track/lookup"] button')]);
      const notice = await page.textContent('[role=status]');
      assert.match(notice, /139\*\*\*\*1111/);
      assert.match(notice, /短信/);
      assert.doesNotMatch(notice, /[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/, 'the code is never shown');
      await page.screenshot({ path: join(SHOTS, `track-sms-sent-${name}.png`), fullPage: true });

      await page.goto(`${server.base}/station/qianyou-renhe`);
      assert.match(await page.textContent('#liuyan'), /用于短信接收答复/);
      const box = page.locator('input[name=sms_notices]');
      assert.ok(await box.isChecked(), 'ticked by default');
      await page.locator('input[name=contact_phone]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `form-sms-${name}.png`) });
      // Unticked, the message still goes in.
      await page.fill('input[name=title]', '路灯不亮');
      await page.fill('textarea[name=content]', '村口路灯坏了。');
      await page.fill('input[name=contact_phone]', '13900001111');
      await box.uncheck();
      await Promise.all([page.waitForNavigation(), page.click('#liuyan button[type=submit]')]);
      assert.match((await page.textContent('#tracking-code')).trim(), /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    }
  } finally {
    await browser.close();
    server.stop();
  }
});
