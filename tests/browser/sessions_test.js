// Browser tests of clips and sessions (issue 24, doc/sessions.md), in Debian's Chromium driven by
// playwright-core, with axe-core, against an archive this test makes of samples (espeak-ng reads
// sample sentences; they are not testimony).
// Run by ctest (tests/CMakeLists.txt) as:
//   node sessions_test.js ATTEST_BINARY NODE_MODULES_DIR ARTIFACTS_DIR
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');
const harness = require('./harness');

const { attest, artifacts, chromium, axeSource } = harness.parseArgs('sessions_test.js');
const { check } = harness;
const PASSWORD = 'a sample passphrase';
const seriousViolations = (page, where) => harness.seriousViolations(axeSource, page, where);
const run = (args, input) => harness.runAttest(attest, args, input);
const startServer = (dir) => harness.startServer(attest, dir);

// Three witnesses' sample recordings, each with a three-line transcript a person gave.
const VOICES = [
  { witness: 'w-anna', lang: 'en', words: 'sample words of the first witness', cues: ['Anna sample one', 'Anna sample two', 'Anna sample three'], fr: ['Anna exemple un', 'Anna exemple deux', 'Anna exemple trois'] },
  { witness: 'w-basile', lang: 'fr', words: 'des mots du deuxieme temoin', cues: ['Basile exemple un', 'Basile exemple deux', 'Basile exemple trois'] },
  { witness: 'w-carmel', lang: 'en', words: 'sample words of the third witness', cues: ['Carmel sample one', 'Carmel sample two', 'Carmel sample three'], fr: ['Carmel exemple un', 'Carmel exemple deux', 'Carmel exemple trois'] },
];
const SHUT = 'zqsessionshut';

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-sessions-'));
  const archive = path.join(dir, 'archive');
  run(['init', archive, '--origin', 'example.org/sessions']);
  const ids = {};
  for (const v of VOICES) {
    const wav = path.join(dir, v.witness + '.wav');
    execFileSync('espeak-ng', ['-v', v.lang, '-s', '120', '-w', wav, v.words + '. ' + v.words + '.']);
    ids[v.witness] = JSON.parse(run(['--archive', archive, 'add', '--json', '--consent', 'public',
      '--witness', v.witness, '--lang', v.lang, '--meta', JSON.stringify({ title: 'Sample recording of ' + v.witness }), wav])).records[0].id;
  }
  const shut = path.join(dir, 'shut.txt');
  fs.writeFileSync(shut, `A sample restricted paragraph, ${SHUT}, about the well.\n`);
  ids.shut = JSON.parse(run(['--archive', archive, 'add', '--json', '--consent', 'restricted',
    '--witness', 'w-dan', '--lang', 'en', shut])).records[0].id;
  run(['--archive', archive, 'worker', '--until-idle']);
  for (const v of VOICES) {
    const vtt = path.join(dir, v.witness + '.vtt');
    fs.writeFileSync(vtt, 'WEBVTT\n\n' + v.cues.map((c, i) => `00:00:0${i}.000 --> 00:00:0${i + 1}.000\n${c}\n`).join('\n'));
    run(['--archive', archive, 'transcript', 'import', ids[v.witness], vtt]);
  }
  // French subtitles of the two English recordings: a person's translation, on the transcript's
  // times (its cues a little off them, as a translator's file may be).
  for (const v of VOICES.filter((x) => x.fr)) {
    const vtt = path.join(dir, v.witness + '.fr.vtt');
    fs.writeFileSync(vtt, 'WEBVTT\n\n' + v.fr.map((c, i) => `00:00:0${i}.100 --> 00:00:0${i}.900\n${c}\n`).join('\n'));
    run(['--archive', archive, 'transcript', 'import', ids[v.witness], vtt, '--translation', 'fr', '--by', 'A sample translator']);
  }
  run(['--archive', archive, 'worker', '--until-idle']);
  for (const [name, role] of [['archivist', 'archivist'], ['researcher', 'researcher']]) {
    run(['--archive', archive, 'user', 'add', name, '--role', role], PASSWORD + '\n');
  }
  const { child, port } = await startServer(archive);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
  const outside = [];
  const scriptErrors = [];
  async function newPage(opts = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 }, ...opts });
    const page = await context.newPage();
    page.on('pageerror', (e) => scriptErrors.push(String(e && e.message)));
    await page.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname !== '127.0.0.1') { outside.push(u.href); return route.abort(); }
      return route.continue();
    });
    return page;
  }
  async function logIn(page, name) {
    await page.goto(`${base}/login?back=/sessions`);
    await page.fill('#name', name);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('.login-form button')]);
  }
  // A clip made on a record's page with its form.
  async function makeClip(page, record, from, to, title) {
    await page.goto(`${base}/records/${record}#make-clip`);
    await page.fill('#clip-from', from);
    await page.fill('#clip-to', to);
    await page.fill('#clip-title', title);
    await Promise.all([page.waitForNavigation(), page.click('.clip-form button')]);
    assert.match(page.url(), /\/sessions#clips-h$/, await page.content());
  }
  // The session as the API gives it to the page's caller.
  async function sessionJson(page, id) {
    return page.evaluate(async (sid) => (await fetch('/api/v1/sessions/' + sid)).json(), id);
  }

  // axe-core is added to the page as a script of its own: the page's policy lets it in for the test.
  const archivist = await newPage({ bypassCSP: true });
  let session = '';
  await check('five clips of three witnesses in two languages are made on records\' pages and composed by drag and drop', async () => {
    await logIn(archivist, 'archivist');
    // Selecting two lines of a transcript fills the clip's start and end.
    await archivist.goto(`${base}/records/${ids['w-anna']}`);
    await archivist.evaluate(() => {
      const lines = document.querySelectorAll('ol.lines li[data-start] .line');
      const range = document.createRange();
      range.setStart(lines[0].firstChild, 0);
      range.setEnd(lines[1].firstChild, 3);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    });
    await archivist.waitForFunction(() => document.getElementById('clip-to').value === '0:02');
    assert.equal(await archivist.inputValue('#clip-from'), '0:00');
    // A search hit offers "make a clip of this passage": the record page's form, filled in.
    await archivist.goto(`${base}/search?q=Anna`);
    const clipLink = archivist.locator('a.clip-this').first();
    // The hit's own times, to the millisecond (a clip of a line holds that line, not its neighbours).
    assert.match(await clipLink.getAttribute('href'), /\?clip_from=00%3A00%3A0[0-2]\.000&clip_to=00%3A00%3A0[1-3]\.000#make-clip$/);
    await clipLink.click();
    await archivist.waitForLoadState();
    assert.match(await archivist.inputValue('#clip-from'), /^00:00:0[0-2]\.000$/);
    await makeClip(archivist, ids['w-anna'], '0:00', '0:02', 'Anna, first lines (sample)');
    await makeClip(archivist, ids['w-anna'], '0:02', '0:03', 'Anna, last line (sample)');
    await makeClip(archivist, ids['w-basile'], '0:00', '0:03', 'Basile (exemple)');
    // Dragging across the player's timeline fills in the span too.
    await archivist.goto(`${base}/records/${ids['w-carmel']}`);
    const timeline = archivist.locator('[data-clip-timeline] svg');
    await timeline.waitFor({ state: 'visible' });
    await timeline.scrollIntoViewIfNeeded();
    const box = await timeline.boundingBox();
    await archivist.mouse.move(box.x + 2, box.y + box.height / 2);
    await archivist.mouse.down();
    await archivist.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    await archivist.mouse.up();
    assert.equal(await archivist.inputValue('#clip-from'), '0:00');
    assert.notEqual(await archivist.inputValue('#clip-to'), '0:00');
    assert.ok(Number(await timeline.locator('.range').getAttribute('width')) > 400);
    await makeClip(archivist, ids['w-carmel'], '0:00', '0:01', 'Carmel, first line (sample)');
    await makeClip(archivist, ids['w-carmel'], '0:01', '0:03', 'Carmel, last lines (sample)');
    assert.equal(await archivist.locator('#clips-h ~ ul.clip-list > li').count(), 5);
    // A session, then each clip dragged from the palette into the list.
    await archivist.selectOption('#sn-audience', 'school');
    await archivist.fill('#sn-title', 'A sample lesson');
    await archivist.fill('#sn-ages', '14-16');
    await archivist.fill('#sn-target', '0:10');
    await archivist.fill('#sn-langs', 'fr,he');
    await Promise.all([archivist.waitForNavigation(), archivist.click('.session-new button')]);
    session = archivist.url().match(/\/sessions\/(s[a-z2-7]{12})$/)[1];
    // Each clip dragged with the mouse from the palette (oldest first) to below the list's last item.
    const palette = await archivist.locator('#palette > li h3').allInnerTexts();
    async function drag(source, target, atEnd) {
      await source.scrollIntoViewIfNeeded();
      const a = await source.boundingBox();
      await archivist.mouse.move(a.x + 8, a.y + 8);
      await archivist.mouse.down();
      const b = await target.boundingBox();
      await archivist.mouse.move(b.x + 12, atEnd ? b.y + b.height - 3 : b.y + 3, { steps: 8 });
      await archivist.mouse.up();
    }
    for (let i = 0; i < 5; i++) {
      const before = await archivist.locator('#session-items').getAttribute('data-revision');
      await drag(archivist.locator(`#palette > li:nth-child(${5 - i})`), archivist.locator('#session-items'), true);
      await archivist.waitForFunction((r) => document.getElementById('session-items').dataset.revision !== r, before);
    }
    const s = await sessionJson(archivist, session);
    assert.equal(s.items.length, 5, JSON.stringify(s));
    assert.deepEqual(s.items.map((it) => it.clip.title), palette.slice().reverse(), JSON.stringify(palette));
    assert.deepEqual(s.items.map((it) => it.clip.title), ['Anna, first lines (sample)', 'Anna, last line (sample)', 'Basile (exemple)', 'Carmel, first line (sample)', 'Carmel, last lines (sample)']);
    assert.equal(s.witnesses.length, 3);
    assert.deepEqual(s.clip_languages.sort(), ['en', 'fr']);
    assert.equal(s.length_ms, 2000 + 1000 + 3000 + 1000 + 2000);
    assert.equal(await archivist.locator('#session-total').innerText(), '0:09');
    // Dragging the last item to the top saves the new order.
    const before = await archivist.locator('#session-items').getAttribute('data-revision');
    await drag(archivist.locator('#session-items > li:nth-child(5)'), archivist.locator('#session-items > li:nth-child(1)'), false);
    await archivist.waitForFunction((r) => document.getElementById('session-items').dataset.revision !== r, before);
    const moved = await sessionJson(archivist, session);
    assert.equal(moved.items[0].clip.title, 'Carmel, last lines (sample)');
    // A title card and a moment of silence, with the forms.
    await archivist.fill('#c-title', 'Opening (sample)');
    await Promise.all([archivist.waitForNavigation(), archivist.click('form:has(#c-title) button')]);
    assert.equal((await sessionJson(archivist, session)).items.length, 6);
    // A long reading in Hebrew (over 8 KiB as a url-encoded form): the form is multipart.
    const reading = 'קטע קריאה לדוגמה. '.repeat(200).slice(0, 2000);  // some 3.6 KB
    await archivist.fill('#c-reading', reading);
    await Promise.all([archivist.waitForNavigation(), archivist.click('form:has(#c-reading) button')]);
    const withReading = await sessionJson(archivist, session);
    assert.equal(withReading.items.length, 7, JSON.stringify(withReading).slice(0, 300));
    assert.equal(withReading.items[6].text, reading.trim());
    // Taken out again with its own button (no script needed).
    await Promise.all([archivist.waitForNavigation(), archivist.click('#session-items > li:nth-child(7) form:has(input[value=drop]) button')]);
    assert.equal((await sessionJson(archivist, session)).items.length, 6);
  });

  await check('the session plays in order with French subtitles, the right line at sampled times, and a printable programme', async () => {
    // The session's languages are fr,he: French is offered and chosen.
    await archivist.goto(`${base}/sessions/${session}/play`);
    assert.equal(await archivist.locator('.slide').count(), 6);
    assert.equal(await archivist.inputValue('#stage-sub'), 'fr');
    // The subtitle of item `i` at `t` seconds into its recording, and its label.
    async function subtitleAt(i, t) {
      return archivist.evaluate(async ([item, at]) => {
        window.attestStage.go(item);
        const m = document.querySelector('.slide.current [data-clip-media]');
        if (m.readyState < 1) await new Promise((r) => m.addEventListener('loadedmetadata', r, { once: true }));
        m.currentTime = at;
        await new Promise((r) => m.addEventListener('seeked', r, { once: true }));
        m.dispatchEvent(new Event('timeupdate'));
        const box = document.querySelector('.slide.current .subtitle');
        return [box.querySelector('.sub-text').textContent, box.querySelector('.sub-label').textContent];
      }, [i, t]);
    }
    // Items: Carmel's last lines (1-3 s), Anna's first lines (0-2 s), Anna's last line, Basile...
    for (const [i, t, words] of [[0, 1.5, 'Carmel exemple deux'], [0, 2.5, 'Carmel exemple trois'], [1, 0.5, 'Anna exemple un']]) {
      const [shown, label] = await subtitleAt(i, t);
      assert.equal(shown, words, `item ${i} at ${t} s`);
      assert.match(label, /Translated by A sample translator/);
    }
    // Basile's clip has no French track: his own words, unlabelled.
    await archivist.evaluate(() => window.attestStage.go(3));
    assert.match(await archivist.locator('.slide.current .slide-witness').innerText(), /w-basile/);
    assert.match(await archivist.locator('.slide.current .citation').innerText(), /log entry/);
    const [own, none] = await subtitleAt(3, 1.5);
    assert.equal(own, 'Basile exemple deux');
    assert.equal(none, '');
    // The witnesses' own words when chosen.
    await archivist.selectOption('#stage-sub', '');
    assert.equal((await subtitleAt(0, 1.5))[0], 'Carmel sample two');
    await archivist.evaluate(() => window.attestStage.go(3));
    // The presenter's keys: next and previous.
    await archivist.evaluate(() => document.activeElement && document.activeElement.blur());
    await archivist.keyboard.press('ArrowRight');
    assert.match(await archivist.locator('.slide.current .slide-witness').innerText(), /w-carmel/);
    await archivist.keyboard.press('ArrowLeft');
    assert.match(await archivist.locator('.slide.current .slide-witness').innerText(), /w-basile/);
    await archivist.selectOption('#stage-sub', 'fr');
    await subtitleAt(0, 1.5);
    await archivist.screenshot({ path: path.join(artifacts, 'session-play-en.png') });
    // The programme: every item in order, with its words and citation, as HTML and as PDF.
    await archivist.goto(`${base}/sessions/${session}/programme`);
    const text = await archivist.locator('.programme').innerText();
    for (const v of VOICES) assert.ok(text.includes(v.cues[0]) || text.includes(v.cues[2]), v.witness);
    assert.equal(await archivist.locator('.programme-items > li').count(), 6);
    const items = await archivist.locator('.programme-items').innerText();
    assert.equal((items.match(/log entry/g) || []).length, 5);
    assert.match(items, /French — Translated by A sample translator/);
    assert.ok(items.includes('Carmel exemple deux'));
    await archivist.pdf({ path: path.join(artifacts, 'session-programme.pdf'), format: 'A4' });
    assert.ok(fs.statSync(path.join(artifacts, 'session-programme.pdf')).size > 1000);
  });

  await check('a researcher cannot put a restricted clip into a public session, nor may an archivist', async () => {
    await archivist.goto(`${base}/records/${ids.shut}#make-clip`);
    await archivist.fill('#clip-cfrom', '0');
    await archivist.fill('#clip-cto', '50');
    await Promise.all([archivist.waitForNavigation(), archivist.click('.clip-form button')]);
    const clips = await archivist.evaluate(async () => (await fetch('/api/v1/clips')).json());
    const shutClip = clips.clips.find((c) => c.record && c.lines[0].text.includes('zqsessionshut'));
    assert.ok(shutClip, JSON.stringify(clips));
    const researcher = await newPage();
    await logIn(researcher, 'researcher');
    const answer = await researcher.evaluate(async (clip) => {
      const csrf = document.querySelector('input[name=csrf]').value;
      const r = await fetch('/api/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ title: 'sample', shared: 'public', items: [{ kind: 'clip', clip }] }) });
      return { status: r.status, body: await r.text() };
    }, shutClip.id);
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.body, /no such clip/);
    assert.ok(!answer.body.includes(SHUT));
    // The archivist's own session, with it, cannot be made public: the page says why.
    await archivist.goto(`${base}/sessions`);
    await archivist.fill('#sn-title', 'A sample screening');
    await Promise.all([archivist.waitForNavigation(), archivist.click('.session-new button')]);
    await Promise.all([archivist.waitForNavigation(), archivist.click(`#palette form:has(input[value="${shutClip.id}"]) button`)]);
    await archivist.selectOption('#s-shared', 'public');
    await Promise.all([archivist.waitForNavigation(), archivist.click('form:has(#s-shared) button')]);
    assert.match(await archivist.locator('.error').innerText(), /only hold public clips/);
  });

  await check('a witness withdraws one clip\'s record and the session shows the labelled gap to everyone', async () => {
    await archivist.goto(`${base}/sessions/${session}`);
    await archivist.selectOption('#s-shared', 'public');
    await Promise.all([archivist.waitForNavigation(), archivist.click('form:has(#s-shared) button')]);
    assert.equal((await sessionJson(archivist, session)).shared, 'public');
    run(['--archive', archive, 'withdraw', ids['w-basile'], '--reason', 'the witness asked (sample)']);
    const anonymous = await newPage();
    const researcher = await newPage();
    await logIn(researcher, 'researcher');
    for (const [who, page] of [['anonymous', anonymous], ['researcher', researcher], ['archivist', archivist]]) {
      for (const where of ['', '/play', '/programme']) {
        await page.goto(`${base}/sessions/${session}${where}`);
        // Every word in the page, shown or not (the player shows one item at a time).
        const body = await page.locator('main').textContent();
        assert.match(body, /A part was withdrawn by the witness\./, `${who} ${where}: ${body.slice(0, 600)}`);
        assert.ok(!body.includes('Basile exemple'), `${who} met the withdrawn words at ${where}`);
        assert.ok(body.includes('Anna sample one'), `${who} ${where}`);
      }
    }
  });

  await check('suggestions for a theme are offered in the composer and one is accepted', async () => {
    await archivist.goto(`${base}/sessions`);
    await archivist.fill('#sn-title', 'A sample memorial');
    await Promise.all([archivist.waitForNavigation(), archivist.click('.session-new button')]);
    const id = archivist.url().match(/\/sessions\/(s[a-z2-7]{12})$/)[1];
    await archivist.fill('#g-theme', 'sample');
    await archivist.fill('#g-length', '0:04');
    await Promise.all([archivist.waitForNavigation(), archivist.click('form:has(#g-theme) button')]);
    const proposals = await archivist.locator('.proposal').count();
    assert.ok(proposals >= 2, `${proposals} proposals`);
    await Promise.all([archivist.waitForNavigation(), archivist.click('.proposal:nth-child(1) form button')]);
    const s = await sessionJson(archivist, id);
    assert.equal(s.items.length, 1, JSON.stringify(s).slice(0, 400));
    assert.equal(s.items[0].kind, 'clip');
  });

  await check('the pages in Hebrew and Arabic, and every language, are axe clean', async () => {
    const report = [];
    for (const lang of ['en', 'fr', 'he', 'ar']) {
      for (const [name, url] of [['list', '/sessions'], ['composer', `/sessions/${session}`], ['play', `/sessions/${session}/play`], ['programme', `/sessions/${session}/programme`], ['record', `/records/${ids['w-anna']}`]]) {
        await archivist.goto(`${base}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(await archivist.locator('html').getAttribute('dir'), lang === 'he' || lang === 'ar' ? 'rtl' : 'ltr');
        if (lang === 'he' || lang === 'ar' || name === 'composer') {
          await archivist.screenshot({ path: path.join(artifacts, `session-${name}-${lang}.png`), fullPage: true });
        }
        report.push(...await seriousViolations(archivist, `${lang} ${url}`));
      }
    }
    assert.deepEqual(report, []);
  });

  await check('no request went to another host, and the script raised no error', async () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(scriptErrors, []);
  });

  await browser.close();
  child.kill('SIGTERM');
  await new Promise((res) => child.on('exit', res));
  fs.rmSync(dir, { recursive: true, force: true });  // the test leaves nothing in /tmp
  const { failures } = harness.report;
  console.log(failures === 0 ? 'all session browser tests passed' : `${failures} session browser test(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
