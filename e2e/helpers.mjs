// What the browser tests share: the server and demo password they run against, the phone and
// desktop windows, a headless Debian Chromium, signing in, and full-page screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
export const PASSWORD = process.env.DEMO_PASSWORD ?? 'liaison2026demo';
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };
export const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };

/** Debian's Chromium at CHROMIUM, headless, without its background traffic. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A page of a new context of `size`, signed in as `username` with the demo password. */
export async function signedIn(browser, username, size) {
  const context = await browser.newContext(size);
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  return page;
}

/** A function that saves full-page screenshots into SHOTS (default `fallback`). */
export function shooter(fallback) {
  const dir = process.env.SHOTS ?? fallback;
  mkdirSync(dir, { recursive: true });
  return (page, name) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Fails when a phone-sized page scrolls sideways. */
export async function noSideways(assert, page, name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${name}: no sideways scrolling (${width}px)`);
}
