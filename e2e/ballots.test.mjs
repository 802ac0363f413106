// The deputies' secret ballot in a real browser: the county office creates a ballot from an
// approved candidate list on a desktop, a trustee generates their key (shown once), two keepers
// print the credential slips, two people approve; a deputy opens the slip's QR link on a phone,
// where the code fills itself in, ticks too many projects and is refused in Chinese with the
// ticks kept, votes, gets a receipt, and finds it in the public ballot box; the board is sealed,
// the trustees decrypt the sum and the public page shows the result.
// Needs BASE_URL (a server started with demo data) and Debian's Chromium at CHROMIUM.
// Screenshots go to SHOTS (default /tmp/shots-ballots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PASSWORD, PHONE, launch, noSideways as sideways, shooter, signedIn as signIn } from './helpers.mjs';

const shot = shooter('/tmp/shots-ballots');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, size) => signIn(browser, username, size);
const noSideways = (page, name) => sideways(assert, page, name);
const chinaDay = (days) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

async function api(token, method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const login = async (username) => (await api(null, 'POST', '/api/v1/session', { username, password: PASSWORD })).token;

test('a deputy votes on a phone and finds the receipt in the public ballot box', async () => {
  const sup = await login('supervisor');
  const reviewer = await login('reviewer');
  const year = Number(chinaDay(0).slice(0, 4)) + 1;
  const tag = Math.random().toString(36).slice(2, 6);
  const ids = [];
  for (const title of [`村级文化广场${tag}`, `河道清淤${tag}`, `便民服务站${tag}`]) {
    ids.push((await api(sup, 'POST', '/api/v1/projects', { region: '611026', level: 'county', year, title, estimated_cost: '80' })).id);
  }
  const list = (await api(sup, 'POST', '/api/v1/candidate-lists', {
    region: '611026', level: 'county', year, session: `县人大常委会第${tag}次会议`, places: 2, projects: ids,
  })).id;
  await api(reviewer, 'POST', `/api/v1/candidate-lists/${list}/approve`, { note: '主席团会议审议通过' });

  // The office, on a desktop: the ballot, the trustee's key, the credential slips, an approval.
  const office = await signedIn('supervisor', DESKTOP);
  await office.goto(`${BASE}/candidate-lists/${list}`);
  await Promise.all([office.waitForNavigation(), office.click('a:has-text("据此名单创建票决")')]);
  await office.check('input[name=trustee][value=supervisor]');
  await office.check('input[name=trustee][value=reviewer]');
  await office.fill('input[name=closes_on]', chinaDay(1));
  await Promise.all([office.waitForNavigation(), office.click('button:has-text("创建")')]);
  assert.match(await office.locator('.notice').innerText(), /票决已创建/);
  const ballot = Number(office.url().match(/\/ballots\/(\d+)/)[1]);
  await Promise.all([office.waitForNavigation(), office.click('button:has-text("生成我的计票密钥")')]);
  const key1 = (await office.locator('.big-code').innerText()).trim();
  assert.match(key1, /^[0-9a-f]{64}$/);
  await shot(office, 'trustee-key');
  const key2 = (await api(reviewer, 'POST', `/api/v1/ballots/${ballot}/trustee-key`)).secret_key;
  await office.goto(`${BASE}/ballots/${ballot}`);
  await office.fill('input[name=keeper]', 'reviewer');
  await office.fill('input[name=keeper_password]', 'not-the-password');
  await Promise.all([office.waitForNavigation(), office.click('button:has-text("生成并打印凭证")')]);
  assert.match(await office.locator('.alert').innerText(), /第二位保管人的账号或密码不正确/);
  assert.equal(await office.inputValue('input[name=keeper]'), 'reviewer', 'the keeper typed stays');
  await office.fill('input[name=keeper_password]', PASSWORD);
  await Promise.all([office.waitForNavigation(), office.click('button:has-text("生成并打印凭证")')]);
  const slip = office.locator('.slip', { hasText: '王芳' }).first();
  const code = (await slip.locator('.big-code').innerText()).trim();
  assert.match(code, /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){4}$/);
  assert.equal(await slip.locator('svg').count(), 1, 'each slip carries its QR code');
  await shot(office, 'credential-slips');
  await office.goto(`${BASE}/ballots/${ballot}`);
  await Promise.all([office.waitForNavigation(), office.click('button:has-text("同意开始投票")')]);
  assert.match(await office.locator('.notice').innerText(), /已同意开始投票/);
  await api(reviewer, 'POST', `/api/v1/ballots/${ballot}/approve`);
  await office.context().close();

  // The deputy, on a phone, from the slip's QR link: the code fills itself in.
  const deputy = await signedIn('deputy.wang', PHONE);
  await deputy.goto(`${BASE}/ballots/${ballot}#${code}`);
  assert.equal(await deputy.inputValue('#credential'), code);
  assert.ok(!deputy.url().includes('#'), 'the code leaves the address bar');
  const boxes = deputy.locator('form.vote input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await boxes.nth(2).check();
  assert.match(await deputy.locator('[data-count]').innerText(), /已选 3 项，最多 2 项：请取消 1 项/);
  await Promise.all([deputy.waitForNavigation(), deputy.click('button:has-text("投票")')]);
  assert.match(await deputy.locator('.alert').innerText(), /最多只能选 2 个项目/);
  assert.ok(await boxes.nth(2).isChecked(), 'the ticks stay');
  await deputy.fill('#credential', code);
  await boxes.nth(2).uncheck();
  await noSideways(deputy, 'the vote form');
  await shot(deputy, 'vote-phone');
  await Promise.all([deputy.waitForNavigation(), deputy.click('button:has-text("投票")')]);
  assert.match(await deputy.locator('h1').innerText(), /您的选票已投入/);
  const tracker = (await deputy.locator('#tracker').innerText()).trim();
  assert.match(tracker, /^[0-9a-f]{64}$/);
  await shot(deputy, 'receipt-phone');
  await Promise.all([deputy.waitForNavigation(), deputy.click('a:has-text("在公开投票箱中查看")')]);
  assert.match(await deputy.locator('#receipt-found').innerText(), /找到了/);
  await noSideways(deputy, 'the ballot box');
  await shot(deputy, 'board-phone');
  await deputy.goto(`${BASE}/ballots/${ballot}`);
  assert.match(await deputy.locator('main').innerText(), /您已投票/);
  await deputy.context().close();

  // Closed and decrypted: the public page shows the result; the receipt is on the sealed board.
  await api(sup, 'POST', `/api/v1/ballots/${ballot}/close`);
  await api(sup, 'POST', `/api/v1/ballots/${ballot}/share`, { key: key1 });
  assert.equal((await api(reviewer, 'POST', `/api/v1/ballots/${ballot}/share`, { key: key2 })).published, true);
  const pub = await browser.newPage(PHONE);
  await pub.goto(`${BASE}/ballot/${ballot}?tracker=${tracker.slice(0, 10)}`);
  assert.match(await pub.locator('#receipt-found').innerText(), /封存后排第 1 号/);
  assert.match(await pub.locator('.results').innerText(), /1 票/);
  await noSideways(pub, 'the public result');
  await shot(pub, 'result-phone');
  const board = await api(null, 'GET', `/api/v1/ballots/${ballot}/board`);
  assert.equal(board.entries.length, 1);
  assert.equal(board.entries[0].tracker, tracker);
  await pub.close();
});

test('anyone nominates a project at a station; a refusal keeps what was typed', async () => {
  const page = await browser.newPage(PHONE);
  await page.goto(`${BASE}/station/qianyou-renhe`);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("提民生实事建议")')]);
  await page.fill('input[name=title]', '社区健身器材更新');
  await page.fill('input[name=place]', '仁和社区广场');
  // An empty description is refused by the browser first; bypass it to see the server's answer.
  await page.evaluate(() => document.querySelector('textarea[name=content]').removeAttribute('required'));
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("提交建议")')]);
  assert.match(await page.locator('.alert').innerText(), /请填写/);
  assert.equal(await page.inputValue('input[name=title]'), '社区健身器材更新');
  await page.fill('textarea[name=content]', '广场的健身器材坏了好几件，老人锻炼不方便。');
  await noSideways(page, 'the nomination form');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("提交建议")')]);
  assert.match(await page.locator('h1').innerText(), /谢谢您的建议/);
  assert.equal(await page.locator('a[href="/login"]').count(), 0, 'public pages never lead to the staff login');
  await shot(page, 'nominated-phone');
  await page.close();
});
