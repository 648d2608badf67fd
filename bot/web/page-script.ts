// The local page's only script (inline, allowed by the CSP nonce). It posts JSON to the web handler
// with a custom header (a cross-site page cannot send one without a CORS preflight we never grant)
// and inserts HTML the server already escaped; it never builds markup from user text itself.

export const PAGE_SCRIPT = `(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const form = $('paste-form'), paste = $('paste'), status = $('status'), result = $('result');
  const post = async (url, body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lockdown-page': '1' }, body: JSON.stringify(body) });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) throw new Error((data && data.error) || ('HTTP ' + res.status));
    return data;
  };
  const say = (el, text, bad) => { el.textContent = text; el.className = bad ? 'err' : 'muted'; };
  const loadFile = async (file) => {
    if (!file) return;
    paste.value = await file.text();
    say(status, file.name + ' loaded (' + file.size + ' bytes)', false);
  };
  const refreshList = (html) => { if (typeof html === 'string') $('incident-list').innerHTML = html; };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!paste.value.trim()) { say(status, 'Paste a trace first.', true); return; }
    say(status, 'Analysing…', false);
    $('analyze-btn').disabled = true;
    try {
      const data = await post('/web/analyze', { text: paste.value });
      result.innerHTML = data.html;
      refreshList(data.incidentsHtml);
      say(status, data.incidentId ? 'Recorded as ' + data.incidentId : 'Analysed', false);
    } catch (e) {
      say(status, e.message, true);
    } finally {
      $('analyze-btn').disabled = false;
    }
  });
  $('file').addEventListener('change', (ev) => loadFile(ev.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    if (ev.dataTransfer && ev.dataTransfer.files.length) loadFile(ev.dataTransfer.files[0]);
  });
  document.addEventListener('click', async (ev) => {
    const btn = ev.target.closest('button[data-action][data-incident]');
    if (!btn) return;
    const id = btn.getAttribute('data-incident'), action = btn.getAttribute('data-action');
    btn.disabled = true;
    try {
      const data = await post('/web/incidents/' + encodeURIComponent(id) + '/' + encodeURIComponent(action), {});
      refreshList(data.incidentsHtml);
      say($('notice'), data.notice || (id + ': ' + action + ' done'), false);
    } catch (e) {
      say($('notice'), id + ': ' + e.message, true);
    } finally {
      btn.disabled = false;
    }
  });
})();`;
