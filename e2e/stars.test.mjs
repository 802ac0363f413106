// Station stars in a real browser: the one who scored 仁和社区's station cannot approve it; the
// second person of the county approves it on a phone, and the station's public page then shows
// its stars. Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-stars).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, noSideways as sideways, shooter, signedIn as signIn } from './helpers.mjs';

const shot = shooter('/tmp/shots-stars');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, size) => signIn(browser, username, size);
const noSideways = (page, name) => sideways(assert, page, name);
const year = () => Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));

test('a second person approves the stars, which then show in public', async () => {
  const pub = await (await browser.newContext(PHONE)).newPage();
  await pub.goto(`${BASE}/station/qianyou-renhe`);
  assert.doesNotMatch(await pub.locator('main').innerText(), new RegExp(`${year()} 年度.星级联络站`), 'not before approval');

  const scorer = await signedIn('supervisor', DESKTOP);
  await scorer.click('header nav a:has-text("星级评选")');
  await scorer.waitForURL(/\/stars/);
  assert.match(await scorer.locator('main').innerText(), /仁和社区代表联络点\s*待复核\s*95/);
  await shot(scorer, 'stars-desktop');
  await Promise.all([scorer.waitForNavigation(), scorer.click('a:has-text("仁和社区代表联络点")')]);
  assert.match(await scorer.locator('main').innerText(), /等待另一位同志复核/);
  assert.equal(await scorer.locator('button[value=approve]').count(), 0, 'the one who scored is offered no approval');
  await scorer.context().close();

  const reviewer = await signedIn('reviewer', PHONE);
  await reviewer.goto(`${BASE}/stars/qianyou-renhe/${year()}`);
  // Returning it needs a reason.
  await Promise.all([reviewer.waitForNavigation(), reviewer.click('button[value=return]')]);
  assert.match(await reviewer.locator('.alert').innerText(), /退回重评请写明理由/);
  await Promise.all([reviewer.waitForNavigation(), reviewer.click('button[value=approve]')]);
  assert.match(await reviewer.locator('.notice').innerText(), /复核通过/);
  assert.match(await reviewer.locator('main').innerText(), /已评定.*95 分/s);
  const width = await reviewer.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
  await shot(reviewer, 'approved-phone');
  await reviewer.context().close();

  await pub.reload();
  assert.match(await pub.locator('main').innerText(), new RegExp(`${year()} 年度五星级联络站`));
  assert.match(await pub.locator('.star-badge').innerText(), /★★★★★/);
  await shot(pub, 'public-station-phone');
});
