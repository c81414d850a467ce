// attest portal: the little script there is. Pages work without it; it adds:
// - the transcript follows the player, and choosing a line seeks to it;
// - the verify form hashes a chosen file in the browser, so only its SHA-256 is sent;
// - the intake form sends each file in checksummed pieces (tus 1.0, doc/api.md "Resumable
//   uploads"), resuming after a dropped connection or a reload, then names the uploads;
// - a record's jobs (archivists) follow the worker: the page is shown again when one changes;
// - the transcript editor marks the line being played and plays a line again on a key.
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

document.addEventListener('DOMContentLoaded', () => {
  setupPlayer(); setupVerify(); setupIntake(); setupJobs(); setupRedactBySelection();
  setupWitnessLink(); setupEditor(); setupOcrEditor();
});
