// Browser tests of the portal (issue 7): Debian's Chromium driven by playwright-core, with
// axe-core checking accessibility, against a sample archive this test builds with `attest demo`.
// Run by ctest (tests/CMakeLists.txt) as:
//   node portal_test.js ATTEST_BINARY NODE_MODULES_DIR ARTIFACTS_DIR
// Screenshots of each page in each interface language are kept in ARTIFACTS_DIR.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');
const harness = require('./harness');

const { attest, artifacts, chromium, axeSource } = harness.parseArgs('portal_test.js');
const { check } = harness;
const LANGS = ['en', 'fr', 'he', 'ar'];
const run = (args) => harness.runAttest(attest, args);
const startServer = (dir) => harness.startServer(attest, dir);

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-browser-'));
  const archive = path.join(dir, 'archive');
  run(['demo', '--dir', archive, '--no-serve']);
  // A transcript for the spoken English article 1 (what a person would import: human provenance).
  const records = JSON.parse(run(['--archive', archive, 'list', '--json'])).records;
  const spoken = records.find((r) => r.witness === 'sample-voice-en');
  const text = records.find((r) => r.witness === 'sample-text-he');
  const vtt = path.join(dir, 'article1.vtt');
  fs.writeFileSync(vtt, 'WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nAll human beings are born free and equal in dignity and rights.\n\n' +
    '00:00:04.000 --> 00:00:09.000\nThey are endowed with reason and conscience and should act towards one another in a spirit of brotherhood.\n');
  run(['--archive', archive, 'transcript', 'import', spoken.id, vtt, '--by', 'browser test']);
  run(['--archive', archive, 'worker', '--until-idle']);

  const { child, port } = await startServer(archive);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const outside = [];
  async function newPage(opts = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, ...opts });
    const page = await context.newPage();
    // Nothing may be fetched from any other host.
    await page.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname !== '127.0.0.1') { outside.push(u.href); return route.abort(); }
      return route.continue();
    });
    return page;
  }
  async function setUi(page, lang) {
    await page.goto(`${base}/ui?lang=${lang}&back=/`);
  }

  await check('search in each language finds passages in that language, highlighted', async () => {
    const page = await newPage();
    for (const [lang, q] of [['en', 'dignity'], ['fr', 'dignité'], ['he', 'כבוד'], ['ar', 'الكرامة']]) {
      await page.goto(`${base}/search?q=${encodeURIComponent(q)}`);
      const hits = page.locator(`.hits li[lang=${lang}]`);
      assert.ok(await hits.count() > 0, `no ${lang} passage for ${q}`);
      assert.ok(await hits.first().locator('mark').count() > 0, `no highlight for ${q}`);
    }
  });

  await check('a result opens its record', async () => {
    const page = await newPage();
    await page.goto(`${base}/search?q=${encodeURIComponent('dignity witness:sample-text-en')}`);
    await page.locator('.hit-record h3 a').first().click();
    await page.waitForURL(/\/records\/r[a-z0-9]+/);
    assert.match(await page.locator('h1').innerText(), /Universal Declaration/);
    assert.ok(await page.locator('.document p mark').count() > 0, 'the words searched for are marked');
  });

  await check('choosing a transcript line seeks the player there and marks the line', async () => {
    const page = await newPage();
    await page.goto(`${base}/records/${spoken.id}`);
    const media = page.locator('audio[data-player]');
    await media.evaluate((m) => new Promise((res) => (m.readyState >= 1 ? res() : m.addEventListener('loadedmetadata', res, { once: true }))));
    const line = page.locator('.lines li').nth(1);
    await line.locator('a').click();
    const t = await media.evaluate((m) => m.currentTime);
    assert.ok(Math.abs(t - 4) < 0.5, `currentTime ${t}, expected 4`);
    assert.equal(await line.getAttribute('aria-current'), 'true');
    assert.match(page.url(), /\?t=4$/);
    // Playback moves the marked line (muted: autoplay rules).
    await media.evaluate((m) => { m.muted = true; m.currentTime = 0.5; return m.play().catch(() => {}); });
    await page.waitForFunction(() => document.querySelector('.lines li').classList.contains('current'), null, { timeout: 5000 });
    // A cited time opens the record there without any script.
    const noscript = await newPage({ javaScriptEnabled: false });
    await noscript.goto(`${base}/records/${spoken.id}?t=5`);
    assert.match(await noscript.locator('audio').getAttribute('src'), /#t=5$/);
    assert.equal(await noscript.locator('.lines li.current').count(), 1);
  });

  await check('perspectives shows each language side by side', async () => {
    const page = await newPage();
    await page.goto(`${base}/perspectives?place=Paris&date=1948`);
    const columns = page.locator('.columns .column');
    assert.ok(await columns.count() >= 4, `${await columns.count()} columns`);
    for (const lang of ['he', 'ar']) {
      assert.ok(await page.locator(`blockquote[lang=${lang}][dir=rtl]`).count() > 0, `${lang} accounts are right-to-left`);
    }
  });

  await check('?lang= opens any page in that language, and it sticks; perspectives offers where to start', async () => {
    const page = await newPage();
    await page.goto(`${base}/perspectives?lang=he`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'he');
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.match(await page.locator('.notice').innerText(), /אין אלה עדויות/);
    await Promise.all([page.waitForNavigation(), page.locator('.starts-list a', { hasText: 'Paris' }).click()]);
    assert.equal(await page.locator('html').getAttribute('lang'), 'he', 'the choice is remembered');
    assert.equal(await page.locator('#place').inputValue(), 'Paris');
    assert.ok(await page.locator('.columns .column').count() >= 4, 'the offered place fills the form');
  });

  await check('ask answers an Arabic question with each witness once, cited, right-to-left where it must be', async () => {
    const page = await newPage({ javaScriptEnabled: false });  // the Ask page works without script
    await page.goto(`${base}/ask?q=${encodeURIComponent('ما هو الحق في التعليم')}`);
    const answers = page.locator('.answers .answer');
    assert.ok(await answers.count() >= 3, `${await answers.count()} answers`);
    const witnesses = await page.locator('.answers .answer h2 a').allInnerTexts();
    assert.equal(new Set(witnesses).size, witnesses.length, 'a witness twice');
    assert.ok(await page.locator('.answers blockquote[lang=ar][dir=rtl]').count() > 0, 'Arabic passages are right-to-left');
    assert.ok(await page.locator('.answers blockquote[lang=en][dir=ltr]').count() > 0, 'an English passage too');
    assert.equal(await page.locator('.answers cite').count(), await answers.count(), 'every answer cited');
    assert.match(await page.locator('.checkpoint pre').textContent(), /\n— /);
    assert.equal(await page.locator('.ask-notice').count(), 1, 'the notice that Hebrew is matched by names only');
  });

  await check('the verify page hashes a file in the browser and finds it', async () => {
    const page = await newPage();
    await page.goto(`${base}/verify`);
    // The original English text, as the demo added it.
    const sample = path.join(dir, 'udhr-eng.txt');
    const eng = fs.readFileSync(path.join(__dirname, '..', '..', 'samples', 'udhr', 'eng.txt'));
    fs.writeFileSync(sample, eng);
    let uploaded = false;
    page.on('request', (r) => { if (r.method() === 'POST' && (r.postData() || '').includes('Universal Declaration')) uploaded = true; });
    await page.setInputFiles('#file', sample);
    await Promise.all([page.waitForNavigation(), page.click('.verify-form button')]);
    assert.match(await page.locator('.verify-result').innerText(), /in the archive/);
    assert.ok(!uploaded, 'the file itself was sent');
  });

  await check('switching the interface language lays out right-to-left for Hebrew and Arabic', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await page.locator('.ui-langs a[lang=he]').click();
    await page.waitForLoadState();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('html').getAttribute('lang'), 'he');
    const brand = await page.locator('.brand').boundingBox();
    assert.ok(brand.x > 640, `the brand starts at x=${brand.x}: it belongs on the right in Hebrew`);
    await page.locator('.ui-langs a[lang=en]').click();
    await page.waitForLoadState();
    assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
    assert.ok((await page.locator('.brand').boundingBox()).x < 640);
  });

  await check('screenshots of every page type in each interface language', async () => {
    const page = await newPage();
    for (const lang of LANGS) {
      await setUi(page, lang);
      for (const [name, url] of [['home', '/'], ['search', '/search?q=dignity%20OR%20dignit%C3%A9%20OR%20%D7%9B%D7%91%D7%95%D7%93%20OR%20%D8%A7%D9%84%D9%83%D8%B1%D8%A7%D9%85%D8%A9'],
        ['record-audio', `/records/${spoken.id}?t=4`], ['record-text', `/records/${text.id}`],
        ['perspectives', '/perspectives?place=Paris&date=1948'], ['verify', '/verify'],
        ['ask', '/ask?q=' + encodeURIComponent('who has the right to education?')]]) {
        await page.goto(base + url);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        await page.screenshot({ path: path.join(artifacts, `${name}-${lang}.png`), fullPage: false });
      }
    }
  });

  await check('axe-core: no serious or critical violations on any page type, in any language', async () => {
    // axe is injected as a script, which the site's own policy forbids: this context bypasses it.
    const page = await newPage({ bypassCSP: true });
    const report = [];
    for (const lang of LANGS) {
      await setUi(page, lang);
      for (const url of ['/', '/search?q=dignity', '/search?q=nothingmatchesthis', `/records/${spoken.id}`, `/records/${text.id}`,
        '/witnesses/sample-voice-en', '/perspectives', '/perspectives?place=Paris&date=1948', '/verify', '/no/such/page',
        '/ask', '/ask?q=education', '/ask?q=' + encodeURIComponent('حرية الرأي') + '&differ=1']) {
        await page.goto(base + url);
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            report.push(`${lang} ${url}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
          }
        }
      }
    }
    assert.deepEqual(report, []);
  });

  await check('no request went to another host', async () => {
    assert.deepEqual(outside, []);
  });

  await browser.close();
  child.kill('SIGTERM');
  await new Promise((res) => child.on('exit', res));
  fs.rmSync(dir, { recursive: true, force: true });  // the test leaves nothing in /tmp
  const { failures } = harness.report;
  console.log(failures === 0 ? 'all browser tests passed' : `${failures} browser test(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
