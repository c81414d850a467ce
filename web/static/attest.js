// attest portal: the little script there is. Pages work without it; it adds:
// - the transcript follows the player, and choosing a line seeks to it;
// - the verify form hashes a chosen file in the browser, so only its SHA-256 is sent.
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

document.addEventListener('DOMContentLoaded', () => { setupPlayer(); setupVerify(); });
