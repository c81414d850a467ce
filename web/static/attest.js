// attest portal: the little script there is. Pages work without it; it adds:
// - the transcript follows the player, and choosing a line seeks to it;
// - the verify form hashes a chosen file in the browser, so only its SHA-256 is sent;
// - the intake form sends each file in checksummed pieces (tus 1.0, doc/api.md "Resumable
//   uploads"), resuming after a dropped connection or a reload, then names the uploads;
// - a record's jobs (archivists) follow the worker: the page is shown again when one changes;
// - the transcript editor marks the line being played and plays a line again on a key;
// - a session's composer takes clips and cards by drag and drop and saves the order at once;
// - a session's player plays it item by item with its subtitles, for a presenter's keyboard;
// - selecting transcript lines, or dragging across the player's timeline, fills in a clip's
//   start and end on a record's page.
'use strict';

function setupPlayer() {
  const media = document.querySelector('[data-player]');
  const lines = Array.from(document.querySelectorAll('.lines li[data-start]'));
  if (!media || lines.length === 0) return;
  let current = lines.find((li) => li.classList.contains('current')) || null;
  function mark(li, scroll) {
    if (li === current) return;
    if (current) { current.classList.remove('current'); current.removeAttribute('aria-current'); }
    current = li;
    if (li) {
      li.classList.add('current');
      li.setAttribute('aria-current', 'true');
      if (scroll) li.scrollIntoView({ block: 'nearest' });
    }
  }
  for (const li of lines) {
    const link = li.querySelector('a');
    if (!link) continue;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      media.currentTime = Number(li.dataset.start) / 1000;
      mark(li, false);
      const p = media.play();
      if (p && p.catch) p.catch(() => {});
      history.replaceState(null, '', link.getAttribute('href'));
    });
  }
  media.addEventListener('timeupdate', () => {
    const t = media.currentTime * 1000;
    let found = null;
    for (const li of lines) {
      if (Number(li.dataset.start) <= t + 1) found = li; else break;
    }
    mark(found, true);
  });
  const start = new URLSearchParams(location.search).get('t');
  if (start && /^\d{1,7}$/.test(start)) {
    const seek = () => { media.currentTime = Number(start); };
    if (media.readyState >= 1) seek(); else media.addEventListener('loadedmetadata', seek, { once: true });
  }
}

function setupVerify() {
  const form = document.querySelector('form[data-hash-locally]');
  if (!form || !window.crypto || !crypto.subtle) return;
  form.addEventListener('submit', async (event) => {
    const input = form.querySelector('input[type=file]');
    if (!input || !input.files || input.files.length === 0) return;
    event.preventDefault();
    const digest = await crypto.subtle.digest('SHA-256', await input.files[0].arrayBuffer());
    const hex = Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, '0')).join('');
    form.querySelector('input[name=sha256]').value = hex;
    input.value = '';
    form.submit();
  });
}

const kPiece = 8 * 1024 * 1024;

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// One file through the resumable uploads: its upload id once the server holds all of it.
async function sendFile(file, csrf, report) {
  const tus = { 'Tus-Resumable': '1.0.0', 'X-CSRF-Token': csrf };
  const key = 'attest-upload:' + [file.name, file.size, file.lastModified].join(':');
  let url = localStorage.getItem(key);
  let offset = 0;
  if (url) {  // begun before a reload: resume where the server says
    const head = await fetch(url, { method: 'HEAD', headers: tus, credentials: 'same-origin' });
    if (head.ok) offset = Number(head.headers.get('Upload-Offset')); else url = null;
  }
  if (!url) {
    const meta = 'filename ' + base64(new TextEncoder().encode(file.name)) +
                 ',filetype ' + base64(new TextEncoder().encode(file.type || ''));
    const made = await fetch('/api/v1/uploads', {
      method: 'POST', credentials: 'same-origin',
      headers: { ...tus, 'Upload-Length': String(file.size), 'Upload-Metadata': meta } });
    if (made.status !== 201) throw new Error((await made.json()).detail || made.statusText);
    url = made.headers.get('Location');
    localStorage.setItem(key, url);
  }
  let failures = 0;
  while (offset < file.size) {
    report(file, offset, failures > 0);
    const piece = new Uint8Array(await file.slice(offset, offset + kPiece).arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', piece));
    let answer = null;
    try {
      answer = await fetch(url, {
        method: 'PATCH', credentials: 'same-origin', body: piece,
        headers: { ...tus, 'Content-Type': 'application/offset+octet-stream',
                   'Upload-Offset': String(offset), 'Upload-Checksum': 'sha256 ' + base64(digest) } });
    } catch (e) { answer = null; }  // the connection dropped
    if (answer && answer.status === 204) {
      offset = Number(answer.headers.get('Upload-Offset'));
      failures = 0;
      continue;
    }
    if (answer && answer.status < 500 && answer.status !== 409 && answer.status !== 460) {
      throw new Error((await answer.json()).detail || answer.statusText);
    }
    if (++failures > 30) throw new Error(answer ? answer.statusText : 'offline');
    await new Promise((r) => setTimeout(r, Math.min(30000, 500 * 2 ** Math.min(failures, 6))));
    try {  // where to go on from: the server's offset
      const head = await fetch(url, { method: 'HEAD', headers: tus, credentials: 'same-origin' });
      if (head.ok) offset = Number(head.headers.get('Upload-Offset'));
    } catch (e) { /* still offline: try again */ }
  }
  report(file, file.size, false);
  return { id: url.substring(url.lastIndexOf('/') + 1), key };
}

function setupIntake() {
  const form = document.querySelector('form[data-resumable]');
  if (!form || !window.fetch || !window.crypto || !crypto.subtle || !window.localStorage) return;
  const status = form.querySelector('[data-upload-status]');
  const bar = form.querySelector('[data-upload-progress]');
  form.addEventListener('submit', async (event) => {
    const input = form.querySelector('input[type=file][name=file]');
    if (!input || !input.files || input.files.length === 0) return;
    // An empty file goes with the form, whose answer says why it is refused.
    if (Array.from(input.files).some((f) => f.size === 0)) return;
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const csrf = form.querySelector('input[name=csrf]').value;
    const report = (file, done, retrying) => {
      const pct = file.size ? Math.floor((100 * done) / file.size) : 100;
      bar.hidden = false;
      bar.value = pct;
      status.textContent = (retrying ? form.dataset.retrying : form.dataset.sending) + ' ' + file.name + ' — ' + pct + '%';
    };
    const sent = [];
    try {
      for (const file of input.files) sent.push(await sendFile(file, csrf, report));
    } catch (e) {
      status.textContent = form.dataset.failed + ' ' + e.message;
      button.disabled = false;
      return;
    }
    for (const s of sent) {
      const field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'upload';
      field.value = s.id;
      form.appendChild(field);
      localStorage.removeItem(s.key);
    }
    input.disabled = true;  // the files are on the server: the form names them
    input.required = false;
    form.submit();
  });
}

function setupJobs() {
  const section = document.querySelector('section[data-jobs]');
  if (!section || !window.fetch) return;
  const shown = () => Array.from(section.querySelectorAll('tr[data-job]')).map((tr) =>
    tr.dataset.job + ':' + (tr.querySelector('.job-state').className.match(/state-([a-z]+)/) || [])[1]).join(',');
  const before = shown();
  if (!/:(queued|running)/.test(before)) return;  // nothing will change by itself
  const poll = async () => {
    try {
      const answer = await fetch(section.dataset.jobs, { credentials: 'same-origin' });
      if (answer.ok) {
        const jobs = (await answer.json()).jobs;
        const now = jobs.map((j) => j.id + ':' + j.state).join(',');
        if (now !== before) { location.replace(location.pathname + location.search + '#jobs-h'); location.reload(); return; }
        // A running job's progress moves in place (the page is not shown again for it).
        for (const j of jobs) {
          const cell = section.querySelector(`tr[data-job="${j.id}"] .job-state`);
          if (!cell || typeof j.progress !== 'number') continue;
          let bar = cell.querySelector('progress'), percent = cell.querySelector('.job-percent');
          if (!bar) {
            bar = document.createElement('progress');
            bar.max = 1000;
            bar.setAttribute('aria-label', section.dataset.progressLabel || '');
            percent = document.createElement('bdi');
            percent.dir = 'ltr';
            percent.className = 'job-percent';
            cell.append(' ', bar, ' ', percent);
          }
          bar.value = j.progress;
          bar.textContent = percent.textContent = `${Math.floor(j.progress / 10)} %`;
        }
      }
    } catch (e) { /* offline for a moment: ask again */ }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
}

// The record page's redaction form follows a selection in the text: selecting words of one
// line or paragraph names its passage and the words to hide (the form still asks for the reason
// and a confirmation).
function setupRedactBySelection() {
  const segment = document.getElementById('r-segment');
  const words = document.getElementById('r-words');
  if (!segment || !words || !window.getSelection) return;
  document.addEventListener('selectionchange', () => {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const passage = (node) => {
      const el = node && (node.nodeType === 1 ? node : node.parentElement);
      return el ? el.closest('ol.lines li[id], section.document p[id]') : null;
    };
    const from = passage(sel.anchorNode);
    if (!from || from !== passage(sel.focusNode)) return;  // one passage at a time
    const text = sel.toString().trim();
    if (!text || !Array.from(segment.options).some((o) => o.value === from.id)) return;
    segment.value = from.id;
    words.value = text;
  });
}

// The transcript editor: the line being played is marked and kept in view; Alt+R plays again
// the line whose fields have the focus (from its start as typed), Alt+P plays or pauses.
function setupEditor() {
  const media = document.querySelector('[data-editor-player]');
  const form = document.querySelector('form[data-editor]');
  if (!media || !form) return;
  const rows = Array.from(form.querySelectorAll('tr[data-start]'));
  let current = null;
  function mark(row) {
    if (row === current) return;
    if (current) current.classList.remove('current');
    current = row;
    if (row) {
      row.classList.add('current');
      if (!row.contains(document.activeElement)) row.scrollIntoView({ block: 'nearest' });
    }
  }
  function seconds(text) {
    const m = /^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$/.exec(text || '');
    if (!m) return null;
    return (Number(m[1] || 0) * 60 + Number(m[2])) * 60 + Number(m[3]) + Number((m[4] || '0').padEnd(3, '0')) / 1000;
  }
  media.addEventListener('timeupdate', () => {
    const t = media.currentTime * 1000;
    let found = null;
    for (const row of rows) {
      if (Number(row.dataset.start) <= t + 1) found = row; else break;
    }
    mark(found);
  });
  let stopAt = null;
  media.addEventListener('timeupdate', () => {
    if (stopAt !== null && media.currentTime >= stopAt) { media.pause(); stopAt = null; }
  });
  document.addEventListener('keydown', (event) => {
    if (!event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'p') {
      event.preventDefault();
      stopAt = null;
      if (media.paused) { const p = media.play(); if (p && p.catch) p.catch(() => {}); } else media.pause();
    } else if (key === 'r') {
      const row = document.activeElement && document.activeElement.closest('tr[data-start]');
      if (!row) return;
      event.preventDefault();
      const start = seconds(row.querySelector('input[name^="s"]').value);
      const end = seconds(row.querySelector('input[name^="e"]').value);
      media.currentTime = start !== null ? start : Number(row.dataset.start) / 1000;
      stopAt = end !== null ? end : Number(row.dataset.end) / 1000;
      const p = media.play();
      if (p && p.catch) p.catch(() => {});
    }
  });
}

// The OCR editor: the box of the word being corrected is drawn strongly, and a click on a box
// moves to its word's field.
function setupOcrEditor() {
  const form = document.querySelector('form[data-ocr-editor]');
  const svg = document.querySelector('svg.ocr-boxes');
  if (!form || !svg) return;
  let current = null;
  function mark(i) {
    if (current) current.classList.remove('current');
    current = svg.querySelector(`rect[data-word="${i}"]`);
    if (current) current.classList.add('current');
  }
  form.addEventListener('focusin', (event) => {
    if (event.target.dataset && event.target.dataset.word !== undefined) mark(event.target.dataset.word);
  });
  svg.addEventListener('click', (event) => {
    const rect = event.target.closest('rect[data-word]');
    if (!rect) return;
    const input = form.querySelector(`input[data-word="${rect.dataset.word}"]`);
    if (input) { input.focus(); input.select(); }
  });
}

// A witness's link opened as an address (/me#attestw_…): the part after '#' never reached the
// server; it is sent once in the entry form, and taken out of the address bar and history.
function setupWitnessLink() {
  const form = document.querySelector('form[data-link-enter]');
  if (!form || !location.hash.startsWith('#attestw_')) return;
  form.querySelector('input[name=link]').value = location.hash.slice(1);
  history.replaceState(null, '', location.pathname + location.search);
  form.submit();
}

// m:ss.mmm from ms, as a clip's fields take it (to the millisecond, not rounded).
function preciseClock(ms) {
  const whole = clock(ms), rest = Math.round(ms) % 1000;
  return rest ? whole + '.' + String(rest).padStart(3, '0') : whole;
}

// m:ss or h:mm:ss from ms.
function clock(ms) {
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + ss : m + ':' + ss;
}

// A record page's clip form follows a selection of transcript lines: from the first line's
// start to the last line's end.
function setupClipBySelection() {
  const from = document.getElementById('clip-from');
  const to = document.getElementById('clip-to');
  if (!from || !to || !window.getSelection) return;
  document.addEventListener('selectionchange', () => {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const line = (node) => {
      const el = node && (node.nodeType === 1 ? node : node.parentElement);
      return el ? el.closest('ol.lines li[data-start]') : null;
    };
    let a = line(sel.anchorNode), b = line(sel.focusNode);
    if (!a || !b) return;
    if (Number(a.dataset.start) > Number(b.dataset.start)) [a, b] = [b, a];
    from.value = preciseClock(Number(a.dataset.start));
    to.value = preciseClock(Number(b.dataset.end));
  });
}

// The record page's player timeline: dragging across it chooses a clip's span (the start and
// end fields follow; they stay the way to type it, and to change it from a keyboard).
function setupClipTimeline() {
  const wrap = document.querySelector('[data-clip-timeline]');
  const media = document.querySelector('[data-player]');
  const from = document.getElementById('clip-from');
  const to = document.getElementById('clip-to');
  if (!wrap || !media || !from || !to) return;
  const svg = wrap.querySelector('svg');
  const range = svg.querySelector('.range');
  const rtl = document.documentElement.dir === 'rtl';
  let start = null;
  function at(event) {
    const box = svg.getBoundingClientRect();
    let f = (event.clientX - box.left) / box.width;
    if (rtl) f = 1 - f;
    return Math.min(Math.max(f, 0), 1) * media.duration * 1000;
  }
  function show(a, b) {
    const lo = Math.min(a, b), hi = Math.max(a, b), d = media.duration * 1000;
    const x = lo / d * 1000, w = (hi - lo) / d * 1000;
    range.setAttribute('x', String(rtl ? 1000 - x - w : x));
    range.setAttribute('width', String(w));
    from.value = preciseClock(Math.round(lo / 100) * 100);
    to.value = preciseClock(Math.round(hi / 100) * 100);
  }
  function ready() {
    if (!isFinite(media.duration) || media.duration <= 0) return;
    wrap.hidden = false;
  }
  if (media.readyState >= 1) ready(); else media.addEventListener('loadedmetadata', ready, { once: true });
  svg.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    start = at(event);
    show(start, start);
    try { svg.setPointerCapture(event.pointerId); } catch (e) { /* the drag still follows */ }
  });
  svg.addEventListener('pointermove', (event) => { if (start !== null) show(start, at(event)); });
  svg.addEventListener('pointerup', (event) => {
    if (start === null) return;
    show(start, at(event));
    media.currentTime = Math.min(start, at(event)) / 1000;
    start = null;
  });
}

// The composer: items are dragged into order, and clips from the palette into the list; each
// drop saves the whole order (PUT /api/v1/sessions/ID at the revision shown) and shows the new
// running total. Without the script, each item's buttons and the palette's forms do the same.
function setupComposer() {
  const list = document.getElementById('session-items');
  if (!list || !list.dataset.session) return;
  const status = document.getElementById('session-status');
  const total = document.getElementById('session-total');
  let dragged = null;
  function item(el) {
    const kind = el.dataset.kind;
    if (kind === 'clip') return { kind, clip: el.dataset.clip };
    if (kind === 'silence') return { kind, seconds: Number(el.dataset.seconds) };
    return { kind, text: el.dataset.text };
  }
  function retime() {
    let at = 0;
    for (const li of list.querySelectorAll(':scope > li')) {
      const stamp = li.querySelector('.item-at');
      if (stamp) stamp.textContent = clock(at);
      at += Number(li.dataset.length || 0);
    }
    if (total) {
      total.textContent = clock(at);
      const target = total.dataset.target;
      total.classList.toggle('over', !!target && at > 0 && clock(at) !== target &&
                             at > toMs(target) * 1.1);
    }
  }
  function toMs(t) {
    const parts = t.split(':').map(Number);
    return parts.reduce((acc, n) => acc * 60 + n, 0) * 1000;
  }
  async function save() {
    const items = Array.from(list.querySelectorAll(':scope > li')).map(item);
    // The order only: the settings as stored (the settings form saves its own changes).
    const d = list.dataset;
    const body = { revision: Number(d.revision), items, title: d.title, audience: d.audience,
                   languages: d.languages, shared: d.shared, target_s: Number(d.targetS || 0) };
    try {
      const res = await fetch('/api/v1/sessions/' + list.dataset.session, {
        method: 'PUT', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': list.dataset.csrf },
        body: JSON.stringify(body) });
      const answer = await res.json();
      if (!res.ok) { status.textContent = answer.detail || String(res.status); location.reload(); return; }
      list.dataset.revision = answer.revision;
      for (const input of document.querySelectorAll('input[name=revision]')) input.value = answer.revision;
      answer.items.forEach((it, i) => {
        const li = list.children[i];
        if (li) li.dataset.length = it.length_ms;
      });
      retime();
      status.textContent = document.documentElement.dataset.saved || '\u2713';
    } catch (e) { status.textContent = String(e); }
  }
  // Dropped on an item: before it (its first half) or after it; anywhere else in the list: last.
  function place(event) {
    const on = event.target.closest && event.target.closest('#session-items > li');
    if (!on) return null;
    const box = on.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2 ? on : on.nextElementSibling;
  }
  function arm(li) {
    li.addEventListener('dragstart', (event) => {
      dragged = li;
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', li.dataset.clip || li.dataset.kind);
    });
  }
  list.querySelectorAll(':scope > li').forEach(arm);
  document.querySelectorAll('#palette > li').forEach(arm);
  list.addEventListener('dragover', (event) => { event.preventDefault(); });
  list.addEventListener('drop', (event) => {
    event.preventDefault();
    if (!dragged) return;
    let li = dragged;
    if (dragged.parentElement !== list) {  // from the palette: a copy joins the list
      li = document.createElement('li');
      li.className = 'item item-clip';
      li.dataset.kind = 'clip';
      li.dataset.clip = dragged.dataset.clip;
      li.dataset.length = dragged.dataset.length || '0';
      li.draggable = true;
      const stamp = document.createElement('span');
      stamp.className = 'item-at';
      stamp.dir = 'ltr';
      li.appendChild(stamp);
      const card = dragged.querySelector('article');
      if (card) li.appendChild(card.cloneNode(true));
      arm(li);
      const empty = document.querySelector('.drop-empty');
      if (empty) empty.remove();
    }
    const before = place(event);
    if (before !== li) list.insertBefore(li, before);
    dragged = null;
    retime();
    save();
  });
}

// The player: one item at a time; a clip plays its span of the access copy with its lines as
// subtitles (or its words alone when no copy may be played); cards stay for their length.
function setupStage() {
  const stage = document.getElementById('stage');
  if (!stage) return;
  const slides = Array.from(stage.querySelectorAll('.slide'));
  const pos = document.getElementById('stage-pos');
  const rtl = document.documentElement.dir === 'rtl';
  let at = -1, timer = null, playing = false;
  stage.classList.add('scripted');
  function media(i) { return slides[i] ? slides[i].querySelector('[data-clip-media]') : null; }
  // The chosen subtitle track (?sub=, the form's select), else the witness's own words.
  const choice = document.getElementById('stage-sub');
  let track = choice ? choice.value : '';
  function cuesOf(slide) {
    return Array.from(slide.querySelectorAll('.cues')).find((ol) => ol.dataset.track === track) ||
      slide.querySelector('.cues[data-track=""]');
  }
  function subtitle(slide, ms) {
    const box = slide.querySelector('.subtitle');
    const list = cuesOf(slide);
    if (!box || !list) return;
    const cue = Array.from(list.querySelectorAll('li'))
      .find((li) => Number(li.dataset.start) <= ms && ms < Number(li.dataset.end));
    const text = box.querySelector('.sub-text'), label = box.querySelector('.sub-label');
    text.textContent = cue ? cue.textContent : '';
    text.lang = list.lang;
    text.dir = list.dir;
    label.textContent = cue && list.dataset.label ? list.dataset.label : '';
  }
  function stop() {
    clearTimeout(timer);
    const m = media(at);
    if (m) m.pause();
  }
  function run() {
    const slide = slides[at];
    if (!slide || !playing) return;
    const m = media(at);
    if (m) {
      const start = Number(slide.dataset.start) / 1000, end = Number(slide.dataset.end) / 1000;
      if (m.currentTime < start || m.currentTime >= end) m.currentTime = start;
      const p = m.play();
      if (p && p.catch) p.catch(() => {});
    } else {
      const start = Date.now() - (Number(slide.dataset.elapsed) || 0);
      const tick = () => {
        const elapsed = Date.now() - start;
        slide.dataset.elapsed = elapsed;
        subtitle(slide, Number(slide.dataset.start || 0) + elapsed);
        if (elapsed >= Number(slide.dataset.length)) { go(at + 1); return; }
        timer = setTimeout(tick, 200);
      };
      tick();
    }
  }
  function go(i) {
    stop();
    if (i < 0 || i >= slides.length) { playing = false; return; }
    if (slides[at]) slides[at].classList.remove('current');
    at = i;
    slides[at].classList.add('current');
    slides[at].dataset.elapsed = 0;
    const m = media(at);
    if (m) m.currentTime = Number(slides[at].dataset.start) / 1000;
    subtitle(slides[at], Number(slides[at].dataset.start || 0));
    if (pos) pos.textContent = (at + 1) + ' / ' + slides.length;
    run();
  }
  for (const slide of slides) {
    const m = slide.querySelector('[data-clip-media]');
    if (!m) continue;
    m.addEventListener('timeupdate', () => {
      const ms = m.currentTime * 1000;
      subtitle(slide, ms);
      if (ms >= Number(slide.dataset.end)) { m.pause(); if (playing) go(slides.indexOf(slide) + 1); }
    });
  }
  function toggle() {
    playing = !playing;
    if (playing) run(); else stop();
  }
  if (choice) {
    choice.addEventListener('change', () => {
      track = choice.value;
      const url = new URL(location.href);
      url.searchParams.set('sub', track);
      history.replaceState(null, '', url);
      const m = media(at);
      if (slides[at]) subtitle(slides[at], m ? m.currentTime * 1000 : Number(slides[at].dataset.start || 0));
    });
  }
  document.getElementById('stage-next').addEventListener('click', () => go(at + 1));
  document.getElementById('stage-prev').addEventListener('click', () => go(Math.max(at - 1, 0)));
  document.getElementById('stage-play').addEventListener('click', toggle);
  document.getElementById('stage-full').addEventListener('click', () => {
    if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
  });
  document.addEventListener('keydown', (event) => {
    if (event.target.closest && event.target.closest('input, textarea, select')) return;
    const next = rtl ? 'ArrowLeft' : 'ArrowRight', prev = rtl ? 'ArrowRight' : 'ArrowLeft';
    if (event.key === next) { event.preventDefault(); go(at + 1); }
    else if (event.key === ' ') { event.preventDefault(); toggle(); }
    else if (event.key === prev) { event.preventDefault(); go(Math.max(at - 1, 0)); }
    else if (event.key === 'k' || event.key === 'K') toggle();
    else if (event.key === 'f' || event.key === 'F') {
      if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
    }
  });
  window.attestStage = { go, slides: () => slides.length, at: () => at };
  go(0);
}

document.addEventListener('DOMContentLoaded', () => {
  setupPlayer(); setupVerify(); setupIntake(); setupJobs(); setupRedactBySelection();
  setupWitnessLink(); setupEditor(); setupOcrEditor(); setupClipBySelection(); setupClipTimeline();
  setupComposer();
  setupStage();
});
