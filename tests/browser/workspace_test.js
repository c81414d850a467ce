// Browser tests of the workspace (issue 23): what an archive's staff do in the browser, in
// Debian's Chromium driven by playwright-core, with axe-core, against an archive this test makes.
// Run by ctest (tests/CMakeLists.txt) as:
//   node workspace_test.js ATTEST_BINARY NODE_MODULES_DIR ARTIFACTS_DIR
// Screenshots of each workspace page in each interface language are kept in ARTIFACTS_DIR.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');
const harness = require('./harness');

const { attest, artifacts, chromium, axeSource } = harness.parseArgs('workspace_test.js');
const { check } = harness;
const LANGS = ['en', 'fr', 'he', 'ar'];
const PASSWORD = 'a sample passphrase';
const seriousViolations = (page, where) => harness.seriousViolations(axeSource, page, where);
const run = (args, input) => harness.runAttest(attest, args, input);
const startServer = (dir, env = {}) => harness.startServer(attest, dir, env);

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-workspace-'));
  const archive = path.join(dir, 'archive');
  run(['init', archive, '--origin', 'example.org/workspace']);
  run(['--archive', archive, 'user', 'add', 'archivist', '--role', 'archivist'], PASSWORD + '\n');
  run(['--archive', archive, 'user', 'add', 'researcher', '--role', 'researcher'], PASSWORD + '\n');
  run(['--archive', archive, 'user', 'add', 'volunteer', '--role', 'volunteer'], PASSWORD + '\n');
  const { child, port } = await startServer(archive);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const outside = [];
  async function newPage(opts = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, ...opts });
    const page = await context.newPage();
    await page.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname !== '127.0.0.1') { outside.push(u.href); return route.abort(); }
      return route.continue();
    });
    return page;
  }
  async function logIn(page, name) {
    await page.goto(`${base}/login?back=/intake`);
    await page.fill('#name', name);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('.login-form button')]);
  }

  await check('a volunteer sends a 200 MB file in pieces, it survives a dropped connection, and becomes a record with its jobs', async () => {
    const page = await newPage();
    await logIn(page, 'volunteer');
    assert.match(page.url(), /\/intake$/);
    // 200 MB of sound (silence: a sample, not a testimony), made by sox.
    const wav = path.join(dir, 'sample-interview.wav');
    execFileSync('sox', ['-n', '-r', '48000', '-c', '2', '-b', '16', wav, 'trim', '0', String(200e6 / 192000)]);
    const size = fs.statSync(wav).size;
    assert.ok(size >= 199e6, `${size} bytes`);
    // The connection drops once, on the piece that starts past the middle.
    let dropped = 0, pieces = 0, heads = 0;
    await page.route('**/api/v1/uploads/*', (route) => {
      const r = route.request();
      if (r.method() === 'HEAD') heads++;
      if (r.method() === 'PATCH') {
        pieces++;
        const at = Number(r.headers()['upload-offset']);
        if (!dropped && at >= size / 2) { dropped++; return route.abort('connectionreset'); }
      }
      return route.continue();
    });
    await page.setInputFiles('#file', wav);
    await page.fill('#witness', 'sample-witness-1');
    await page.fill('#collection', 'sample-collection');
    await page.fill('#title', 'A sample recording (silence), not a testimony');
    await page.fill('#place', 'Haifa');
    await page.fill('#date', '1948-05');
    await page.selectOption('#lang', 'he');
    await page.selectOption('#consent', 'public');
    await Promise.all([page.waitForURL(/\/records\/r[a-z0-9]+$/, { timeout: 300000 }), page.click('.intake-form button')]);
    assert.equal(dropped, 1, 'the connection was dropped once');
    assert.ok(heads >= 1, 'the browser asked the server where to resume');
    assert.ok(pieces >= Math.ceil(size / (8 << 20)) + 1, `${pieces} pieces`);
    const id = page.url().split('/').pop();
    assert.equal(await page.locator('section.jobs').count(), 1, 'the volunteer sees its record\'s jobs');
    assert.equal(await page.locator('form[action$="/consent"]').count(), 0, 'and no change forms');
    const shown = JSON.parse(run(['--archive', archive, 'show', '--json', id]));
    assert.equal(shown.witness, 'sample-witness-1');
    assert.equal(shown.collection, 'sample-collection');
    assert.equal(shown.consent, 'public');
    const sha = execFileSync('sha256sum', [wav], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(shown.versions[0].blobs.find((b) => b.role === 'original').sha256, sha, 'the server holds the very file');
    assert.deepEqual(fs.readdirSync(path.join(archive, 'blobs', 'tmp', 'uploads')), [], 'no upload left behind');
    fs.rmSync(wav);
  });

  let noteRecord = '';
  await check('a text taken in with its witness and signed form becomes searchable; an empty file is refused in the page\'s language', async () => {
    const page = await newPage();
    await logIn(page, 'archivist');
    const note = path.join(dir, 'sample-note.txt');
    fs.writeFileSync(note, 'A sample note taken in through the browser, about the zqintakecanary orchard. Not a testimony.\n');
    const form = path.join(dir, 'sample-signed-form.pdf');
    fs.writeFileSync(form, '%PDF-1.4\nA sample signed consent form, not a real one.\n');
    await page.setInputFiles('#file', note);
    await page.fill('#witness', 'sample-witness-2');
    await page.fill('#witness_name', 'A sample private name');
    await page.fill('#witness_community', 'A sample community');
    await page.fill('#witness_languages', 'en,fr');
    await page.setInputFiles('#consent_form', form);
    await page.selectOption('#lang', 'en');
    await page.selectOption('#consent', 'public');
    await Promise.all([page.waitForURL(/\/records\/r[a-z0-9]+$/), page.click('.intake-form button')]);
    noteRecord = page.url().split('/').pop();
    const forms = JSON.parse(run(['--archive', archive, 'witness', 'sample-witness-2', '--forms', '--json']));
    assert.equal(forms.consent_forms.length, 1, 'the signed form is kept');
    assert.equal(forms.consent_forms[0].mime, 'application/pdf');
    assert.ok(!(await page.content()).includes('A sample private name'), 'the private name is not shown');
    // The server's own worker may hold the index job (with the 200 MB recording's jobs before
    // it): run one here too, and wait for the record to be searchable, a minute at most.
    let found = 0;
    for (let i = 0; i < 60 && !found; i++) {
      run(['--archive', archive, 'worker', '--until-idle']);
      await page.goto(`${base}/search?q=zqintakecanary`);
      found = await page.locator('.hits li').count();
      if (!found) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(found > 0, 'the new record is found');
    // An empty file, in Hebrew.
    const empty = path.join(dir, 'empty.txt');
    fs.writeFileSync(empty, '');
    await page.goto(`${base}/intake?lang=he`);
    const before = JSON.parse(run(['--archive', archive, 'list', '--json'])).records.length;
    await page.setInputFiles('#file', empty);
    await Promise.all([page.waitForLoadState(), page.click('.intake-form button')]);
    await page.waitForSelector('.error, .upload-status:not(:empty)');
    const said = (await page.locator('.error').count()) ? await page.locator('.error').innerText()
      : await page.locator('.upload-status').innerText();
    assert.match(said, /[\u0590-\u05FF]/, `not in Hebrew: ${said}`);
    assert.equal(JSON.parse(run(['--archive', archive, 'list', '--json'])).records.length, before, 'nothing stored');
  });

  await check('a span is redacted by selecting it in the text, and search no longer finds it', async () => {
    assert.ok(noteRecord, 'the note was taken in');
    const page = await newPage();
    await logIn(page, 'archivist');
    await page.goto(`${base}/records/${noteRecord}`);
    // Select the word in the text, as a person does with the mouse.
    await page.evaluate(() => {
      const p = Array.from(document.querySelectorAll('section.document p[id]')).find((e) => e.textContent.includes('zqintakecanary'));
      const node = Array.from(p.childNodes).find((n) => n.textContent.includes('zqintakecanary'));
      const text = node.nodeType === 3 ? node : node.firstChild;
      const at = text.textContent.indexOf('zqintakecanary');
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + 'zqintakecanary'.length);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    });
    await page.waitForFunction(() => document.getElementById('r-words').value === 'zqintakecanary');
    await page.fill('#r-reason', 'a sample reason');
    await page.check('form[action$="/redactions"] input[name=confirm]');
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/redactions"] button')]);
    const anon = await newPage();
    await anon.goto(`${base}/search?q=zqintakecanary`);
    assert.equal(await anon.locator('.hits li').count(), 0, 'search no longer finds the redacted word');
    await anon.goto(`${base}/records/${noteRecord}`);
    assert.ok(!(await anon.content()).includes('zqintakecanary'), 'the public page holds a mark instead');
    assert.ok(await anon.locator('.redacted').count() > 0, 'the mark is shown');
  });

  await check('screenshots and axe-core on a record page with its change forms in each interface language', async () => {
    const page = await newPage({ bypassCSP: true });
    await logIn(page, 'archivist');
    const report = [];
    for (const lang of LANGS) {
      await page.goto(`${base}/records/${noteRecord}?lang=${lang}`);
      assert.equal(await page.locator('form[action$="/consent"]').count(), 1);
      await page.locator('#change-h').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(artifacts, `record-changes-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /records`));
    }
    assert.deepEqual(report, []);
  });

  await check('an archivist corrects three lines beside the player, the diff shows it, and a second editor is told of the conflict', async () => {
    // A sample recording (espeak-ng reading digits, not a testimony) with a transcript a person gave.
    const wav = path.join(dir, 'sample-editor.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, 'one two three four five six seven eight']);
    const id = JSON.parse(run(['--archive', archive, 'add', '--json', '--consent', 'public', '--witness', 'sample-witness-3', '--lang', 'en', wav])).records[0].id;
    const vtt = path.join(dir, 'sample-editor.vtt');
    fs.writeFileSync(vtt, 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\none two three\n\n00:00:01.000 --> 00:00:02.000\nfour five six\n\n00:00:02.000 --> 00:00:03.000\nseven eight\n');
    run(['--archive', archive, 'transcript', 'import', id, vtt]);
    const before = JSON.parse(run(['--archive', archive, 'show', '--json', id])).versions.length;
    const first = await newPage();
    const second = await newPage();
    await logIn(first, 'archivist');
    await logIn(second, 'archivist');
    await first.goto(`${base}/records/${id}`);
    await Promise.all([first.waitForNavigation(), first.click('a[href$="/transcript/edit"]')]);
    await second.goto(`${base}/records/${id}/transcript/edit`);
    assert.equal(await first.locator('[data-editor-player]').count(), 1, 'the player is beside the lines');
    // Alt+R in a line plays it again from its start.
    await first.focus('textarea[name=t1]');
    await first.keyboard.press('Alt+r');
    await first.waitForFunction(() => document.querySelector('[data-editor-player]').currentTime >= 1);
    await first.fill('textarea[name=t0]', 'one two thirty');
    await first.fill('textarea[name=t1]', 'four fife six');
    await first.fill('textarea[name=t2]', 'seven ate');
    await first.fill('input[name=v0]', 'Interviewer');
    await Promise.all([first.waitForURL(/\/diff\?from=\d+&to=\d+$/), first.click('form[data-editor] button[type=submit]')]);
    assert.equal(await first.locator('.diff-text del').count(), 3, 'three words removed');
    assert.deepEqual(await first.locator('.diff-text ins').allTextContents(), ['[added: thirty]', '[added: fife]', '[added: ate]']);
    const shown = await (await first.request.get(`${base}/api/v1/records/${id}`)).json();
    assert.equal(shown.versions.length, before + 1, 'one new version');
    const made = shown.versions[shown.versions.length - 1];
    assert.equal(made.derived.tool, 'human');
    assert.ok(made.leaf_index >= 0, 'the new version is in the log');
    assert.equal((await first.request.get(`${base}/api/v1/records/${id}/proof?version=${made.version}`)).status(), 200, 'with its proof');
    // The second editor still has the old version open: refused, told what changed, words kept.
    await second.fill('textarea[name=t2]', 'seven eight nine');
    const answer = await Promise.all([second.waitForNavigation(), second.click('form[data-editor] button[type=submit]')]);
    assert.equal(answer[0].status(), 409);
    assert.match(await second.locator('.error').innerText(), /no longer the newest transcript/);
    assert.equal(await second.locator('textarea[name=t2]').inputValue(), 'seven eight nine', 'their words are kept');
    assert.equal(JSON.parse(run(['--archive', archive, 'show', '--json', id])).versions.length, before + 1, 'nothing saved');
    // Each page in each interface language: screenshots and axe-core.
    const page = await newPage({ bypassCSP: true });
    await logIn(page, 'archivist');
    const report = [];
    for (const lang of LANGS) {
      await page.goto(`${base}/records/${id}/transcript/edit?lang=${lang}`);
      await page.screenshot({ path: path.join(artifacts, `edit-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /transcript/edit`));
      await page.goto(`${base}/records/${id}/diff?lang=${lang}`);
      assert.equal(await page.locator('.diff-text ins').count(), 3);
      await page.screenshot({ path: path.join(artifacts, `diff-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /diff`));
    }
    assert.deepEqual(report, []);
  });

  await check('an archivist corrects one OCR word beside the page image, the new version is in the log, and the diff shows it', async () => {
    // Scans made here with pango-view: an English sample sentence, and the opening of the
    // Universal Declaration of Human Rights in Arabic (public text, not a testimony).
    function scan(name, text, font, rtl) {
      const txt = path.join(dir, `${name}.txt`);
      const png = path.join(dir, `${name}.png`);
      fs.writeFileSync(txt, text);
      // 500 points wide at 300 dpi: a page of about 2,200 pixels, as a scanner gives.
      execFileSync('pango-view', ['-q', `--font=${font}`, ...(rtl ? ['--rtl'] : []), '--dpi=300', '--margin=60', '--width=500', '--wrap=word', `--output=${png}`, txt]);
      return png;
    }
    const english = scan('sample-scan', 'A sample scanned page about the harbour lighthouse.\n\nA second sample paragraph, read by OCR.', 'Noto Sans 14', false);
    const udhr = fs.readFileSync(path.join(__dirname, '..', '..', 'samples', 'udhr', 'arb.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const arabic = scan('sample-scan-ar', [udhr[0], udhr[2], udhr[3]].join('\n\n'), 'Noto Sans Arabic 14', true);
    const id = JSON.parse(run(['--archive', archive, 'add', '--json', '--consent', 'public', '--witness', 'sample-witness-5', '--collection', 'sample-scans', '--lang', 'en', english])).records[0].id;
    const idAr = JSON.parse(run(['--archive', archive, 'add', '--json', '--consent', 'public', '--witness', 'sample-witness-5', '--collection', 'sample-scans', '--lang', 'ar', arabic])).records[0].id;
    const page = await newPage({ bypassCSP: true });
    await logIn(page, 'archivist');
    // The server's own worker may hold the OCR jobs: run one here too, a minute at most.
    async function newest(record) {
      return (await (await page.request.get(`${base}/api/v1/records/${record}`)).json()).versions.slice(-1)[0];
    }
    for (let i = 0; i < 60; i++) {
      run(['--archive', archive, 'worker', '--until-idle']);
      const a = await newest(id), b = await newest(idAr);
      if (a.derived && a.derived.artifact === 'ocr' && b.derived && b.derived.artifact === 'ocr') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const before = await newest(id);
    assert.equal(before.derived.artifact, 'ocr');
    // From the record's page to the editor: the page image with a box on each word.
    await page.goto(`${base}/records/${id}?lang=en`);
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/records/${id}/ocr/edit"]`)]);
    const words = await page.locator('form[data-ocr-editor] input[data-word]').count();
    assert.ok(words >= 10, `${words} words`);
    assert.equal(await page.locator('svg.ocr-boxes rect').count(), words, 'a box for each word');
    assert.ok(await page.locator('.ocr-page img').evaluate((img) => img.complete && img.naturalWidth > 0), 'the page image is shown');
    const field = page.locator('form[data-ocr-editor] input[value="harbour"]');
    assert.equal(await field.count(), 1);
    const n = await field.getAttribute('data-word');
    // Clicking the word's box takes the corrector to its field, whose box is then marked.
    await page.click(`svg.ocr-boxes rect[data-word="${n}"]`, { force: true });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.word), n);
    assert.equal(await page.locator(`svg.ocr-boxes rect[data-word="${n}"].current`).count(), 1);
    await field.fill('harbor');
    await Promise.all([page.waitForURL(/\/diff\?from=\d+&to=\d+$/), page.click('form[data-ocr-editor] button[type=submit]')]);
    assert.deepEqual(await page.locator('.diff-text del').allTextContents(), ['[removed: harbour]']);
    assert.deepEqual(await page.locator('.diff-text ins').allTextContents(), ['[added: harbor]']);
    await page.screenshot({ path: path.join(artifacts, 'ocr-diff-en.png'), fullPage: true });
    const made = await newest(id);
    assert.equal(made.version, before.version + 1, 'one new version');
    assert.equal(made.derived.artifact, 'ocr');
    assert.equal(made.derived.tool, 'human');
    assert.ok(made.leaf_index >= 0, 'the new version is in the log');
    assert.equal((await page.request.get(`${base}/api/v1/records/${id}/proof?version=${made.version}`)).status(), 200, 'with its proof');
    // The Arabic scan's editor in each interface language: screenshots and axe-core.
    const report = [];
    for (const lang of LANGS) {
      await page.goto(`${base}/records/${idAr}/ocr/edit?lang=${lang}`);
      assert.equal(await page.locator('fieldset.ocr-words').getAttribute('dir'), 'rtl');
      assert.ok(await page.locator('svg.ocr-boxes rect').count() > 5);
      await page.screenshot({ path: path.join(artifacts, `ocr-edit-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /ocr/edit`));
    }
    assert.deepEqual(report, []);
  });

  await check('the review queue: for staff, in each interface language, with screenshots and axe-core', async () => {
    const researcher = await newPage();
    await logIn(researcher, 'researcher');
    assert.equal((await researcher.goto(`${base}/review`)).status(), 403);
    const page = await newPage({ bypassCSP: true });
    await logIn(page, 'archivist');
    const report = [];
    for (const lang of LANGS) {
      await page.goto(`${base}/review?lang=${lang}`);
      assert.equal(await page.locator('#rv-collection').count(), 1);
      assert.equal(await page.locator(`a[hreflang=${lang}][aria-current]`).count(), 1, 'the language switcher is there');
      await page.screenshot({ path: path.join(artifacts, `review-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /review`));
    }
    assert.deepEqual(report, []);
  });

  await check('the accounts page: for admins only, in each interface language, with screenshots and axe-core', async () => {
    run(['--archive', archive, 'user', 'add', 'admin', '--role', 'admin'], PASSWORD + '\n');
    const researcher = await newPage();
    await logIn(researcher, 'researcher');
    assert.equal((await researcher.goto(`${base}/accounts`)).status(), 403);
    const page = await newPage({ bypassCSP: true });
    await logIn(page, 'admin');
    const report = [];
    for (const lang of LANGS) {
      await page.goto(`${base}/accounts?lang=${lang}`);
      assert.ok(await page.locator('table.audit-table tbody tr').count() > 0, 'the audit log is shown');
      await page.screenshot({ path: path.join(artifacts, `accounts-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /accounts`));
    }
    assert.deepEqual(report, []);
    // A token made in the page is shown once.
    await page.goto(`${base}/accounts?lang=en`);
    await page.fill('#t-label', 'sample');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/accounts/tokens"] button')]);
    assert.match(await page.locator('code.secret').innerText(), /^attest_[a-z2-7]{52}$/);
  });

  await check('a witness opens their page with their link and asks for a withdrawal: the public loses the record at once', async () => {
    const note = path.join(dir, 'sample-witness-page.txt');
    fs.writeFileSync(note, 'A sample paragraph given by a sample witness about the zqwitnesspage well. Not a testimony.\n');
    const added = JSON.parse(run(['--archive', archive, 'add', '--json', '--consent', 'public', '--witness', 'sample-witness-4', '--lang', 'en', note]));
    const id = added.records[0].id;
    run(['--archive', archive, 'worker', '--until-idle']);
    const link = JSON.parse(run(['--archive', archive, 'link', 'create', 'sample-witness-4', '--json'])).token;
    const anon = await newPage();
    assert.equal((await anon.goto(`${base}/records/${id}`)).status(), 200);
    for (const lang of ['he', 'ar']) {
      const witness = await newPage({ bypassCSP: true });
      await witness.goto(`${base}/me?lang=${lang}#${link}`);
      await witness.waitForSelector('section.me-record');
      assert.ok(!witness.url().includes('attestw_'), 'the link is taken out of the address');
      assert.equal(await witness.locator('html').getAttribute('dir'), 'rtl');
      await witness.screenshot({ path: path.join(artifacts, `me-${lang}.png`), fullPage: true });
      assert.deepEqual(await seriousViolations(witness, `${lang} /me`), []);
    }
    const witness = await newPage();
    await witness.goto(`${base}/me?lang=en#${link}`);
    await witness.waitForSelector('section.me-record');
    await witness.check('form.withdraw input[name=confirm]');
    await Promise.all([witness.waitForNavigation(), witness.click('form.withdraw button')]);
    assert.match(await witness.locator('.notice[role=status]').innerText(), /hidden from everyone but the archive/);
    assert.equal((await anon.goto(`${base}/records/${id}`)).status(), 404, 'the public no longer sees it');
    await anon.goto(`${base}/search?q=zqwitnesspage`);
    assert.equal(await anon.locator('.hits li').count(), 0, 'nor finds it');
    const requests = JSON.parse(run(['--archive', archive, 'requests', '--json'])).requests;
    assert.ok(requests.some((r) => r.record === id && r.kind === 'withdraw'), 'the archivists see the request');
  });

  await check('the same form works without script', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await logIn(page, 'archivist');
    const note = path.join(dir, 'sample-noscript.txt');
    fs.writeFileSync(note, 'A sample note sent without script. Not a testimony.\n');
    await page.setInputFiles('#file', note);
    await page.fill('#witness', 'sample-witness-3');
    await Promise.all([page.waitForURL(/\/records\/r[a-z0-9]+$/), page.click('.intake-form button')]);
  });

  await check('intake is for volunteers and staff: the public is sent to log in, a researcher refused', async () => {
    const anon = await newPage();
    await anon.goto(`${base}/intake`);
    assert.match(anon.url(), /\/login\?back=%2Fintake$/);
    const researcher = await newPage();
    await logIn(researcher, 'researcher');
    const r = await researcher.goto(`${base}/intake`);
    assert.equal(r.status(), 403);
    assert.match(await researcher.locator('main').innerText(), /volunteers, archivists and admins/, 'the reason a researcher is refused');
    assert.equal(await researcher.locator('a[href="/intake"]').count(), 0, 'no intake link for a researcher');
  });

  await check('screenshots and axe-core on the intake page in each interface language', async () => {
    const page = await newPage({ bypassCSP: true });
    await logIn(page, 'archivist');
    const report = [];
    for (const lang of LANGS) {
      await page.goto(`${base}/intake?lang=${lang}`);
      assert.equal(await page.locator('html').getAttribute('dir'), lang === 'he' || lang === 'ar' ? 'rtl' : 'ltr');
      await page.screenshot({ path: path.join(artifacts, `intake-${lang}.png`), fullPage: true });
      report.push(...await seriousViolations(page, `${lang} /intake`));
    }
    assert.deepEqual(report, []);
  });

  await check('a researcher asks for a collection, an archivist grants it for a day, the search opens it, and it closes when the day is over (clock moved)', async () => {
    // A second archive, served again two days later with the clock moved
    // (ATTEST_CLOCK_OFFSET_SECONDS, doc/api.md "Tests").
    const dir2 = path.join(dir, 'access');
    fs.mkdirSync(dir2);
    const archive2 = path.join(dir2, 'archive');
    run(['init', archive2, '--origin', 'example.org/access']);
    run(['--archive', archive2, 'user', 'add', 'archivist', '--role', 'archivist'], PASSWORD + '\n');
    run(['--archive', archive2, 'user', 'add', 'researcher', '--role', 'researcher'], PASSWORD + '\n');
    const note = path.join(dir2, 'sample-restricted.txt');
    fs.writeFileSync(note, 'A sample restricted paragraph about the zqgrantcanary mill. Not a testimony.\n');
    run(['--archive', archive2, 'add', '--consent', 'restricted', '--collection', 'sample-restricted', '--witness', 'sample-witness-9', '--lang', 'en', note]);
    run(['--archive', archive2, 'worker', '--until-idle']);
    let served = await startServer(archive2);
    let base2 = `http://127.0.0.1:${served.port}`;
    const stop = async () => {
      const { child: c } = served;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((res) => c.on('exit', res));
      c.kill('SIGTERM');
      await exited;
    };
    try {
      const logIn2 = async (page, name) => {
        await page.goto(`${base2}/login?back=/access`);
        await page.fill('#name', name);
        await page.fill('#password', PASSWORD);
        await Promise.all([page.waitForNavigation(), page.click('.login-form button')]);
        assert.match(page.url(), /\/access$/);
      };
      const hits = async (page) => {
        await page.goto(`${base2}/search?q=zqgrantcanary`);
        return page.locator('.hits li').count();
      };
      const researcher = await newPage({ bypassCSP: true });
      await logIn2(researcher, 'researcher');
      assert.equal(await hits(researcher), 0, 'restricted: not found before a grant');
      await researcher.goto(`${base2}/access`);
      await researcher.selectOption('#ac-scope', 'collection');
      await researcher.fill('#ac-id', 'sample-restricted');
      await researcher.fill('#ac-purpose', 'A sample study of the mill (a test, not a real request).');
      await Promise.all([researcher.waitForNavigation(), researcher.click('form.access-ask button')]);
      assert.match(await researcher.locator('table.access-table').innerText(), /waiting/);
      // A form without its token is refused, and nothing is kept.
      const forged = await researcher.request.post(`${base2}/access`, { form: { scope: 'collection', id: 'x', purpose: 'p' } });
      assert.ok(forged.status() >= 400 && forged.status() < 500, `a forged form: ${forged.status()}`);
      await researcher.goto(`${base2}/access`);
      assert.equal(await researcher.locator('table.access-table tbody tr').count(), 1, 'nothing kept of it');
      const archivist = await newPage({ bypassCSP: true });
      await logIn2(archivist, 'archivist');
      assert.equal(await archivist.locator('article.access-request').count(), 1, 'the queue holds the request');
      await archivist.fill('article.access-request input[name=days]', '1');
      await archivist.fill('article.access-request textarea[name=terms]', 'Sample terms: no names quoted.');
      await Promise.all([archivist.waitForNavigation(), archivist.click('form[action$="/grant"] button')]);
      await researcher.goto(`${base2}/access`);
      assert.match(await researcher.locator('.notice[role=status]').innerText(), /Access granted to/);
      assert.match(await researcher.locator('table.access-table').innerText(), /in force/);
      assert.ok(await hits(researcher) > 0, 'the grant opens the collection to the search');
      // Screenshots and axe-core of both sides, in each interface language.
      const report = [];
      for (const lang of LANGS) {
        for (const [who, page] of [['researcher', researcher], ['archivist', archivist]]) {
          await page.goto(`${base2}/access?lang=${lang}${who === 'archivist' ? '&state=' : ''}`);
          assert.equal(await page.locator('html').getAttribute('dir'), lang === 'he' || lang === 'ar' ? 'rtl' : 'ltr');
          await page.screenshot({ path: path.join(artifacts, `access-${who}-${lang}.png`), fullPage: true });
          report.push(...await seriousViolations(page, `${lang} /access (${who})`));
        }
      }
      assert.deepEqual(report, []);
      // Two days later: the grant has ended by itself (and the 12-hour session too).
      await stop();
      served = await startServer(archive2, { ATTEST_CLOCK_OFFSET_SECONDS: String(2 * 86400) });
      base2 = `http://127.0.0.1:${served.port}`;
      const later = await newPage();
      await logIn2(later, 'researcher');
      assert.equal(await hits(later), 0, 'the ended grant opens nothing');
      await later.goto(`${base2}/access`);
      assert.doesNotMatch(await later.locator('table.access-table').innerText(), /in force/);
    } finally {
      await stop();
    }
  });

  await check('no request went to another host', async () => {
    assert.deepEqual(outside, []);
  });

  await browser.close();
  child.kill('SIGTERM');
  await new Promise((res) => child.on('exit', res));
  fs.rmSync(dir, { recursive: true, force: true });  // the test leaves nothing in /tmp
  const { failures } = harness.report;
  console.log(failures === 0 ? 'all workspace browser tests passed' : `${failures} workspace browser test(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
