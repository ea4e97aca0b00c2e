// The profile page: its status (GET /v1/profiles/NAME), each job's run history chart
// (GET /v1/profiles/NAME/runs?limit=100), the live log tail (server-sent events), and the
// actions the caller's role allows, each a POST to the same API the CLI uses.
'use strict';

const Profile = {
  name: null,
  timer: null,
  stream: null,
  status: null,
  logLines: [],

  actions: [
    { id: 'sync', label: 'Sync now' },
    { id: 'restart', label: 'Restart' },
    { id: 'enable', label: 'Enable', when: (s) => !s.enabled },
    { id: 'disable', label: 'Disable', when: (s) => s.enabled },
    { id: 'test-connection', label: 'Test connections' },
  ],

  show(name) {
    this.hide();
    this.name = name;
    this.status = null;
    Dom.text(document.getElementById('p-name'), name);
    Dom.text(document.getElementById('p-message'), '');
    Dom.clear(document.getElementById('p-actions')).dataset.signature = '';
    Dom.clear(document.getElementById('p-charts')).dataset.signature = '';
    Dom.clear(document.getElementById('p-facts'));
    this.logLines = [];
    Dom.text(document.getElementById('p-log'), '');
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 5000);
    this.follow();
  },

  hide() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.stream) this.stream.abort();
    this.stream = null;
    this.name = null;
  },

  path(suffix) { return Api.profilePath(this.name) + (suffix || ''); },

  async refresh() {
    const name = this.name;
    const [status, runs] = await Promise.all([Api.get(this.path()), Api.get(this.path('/runs?limit=100'))]);
    if (name !== this.name) return;  // the page moved on meanwhile
    if (status.status !== 200) {
      Dom.text(document.getElementById('p-message'), (status.body && status.body.message) || 'no such profile');
      return;
    }
    this.status = status.body;
    this.renderActions(status.body);
    this.renderFacts(status.body);
    this.renderConnections(status.body.connections || []);
    Dom.text(document.getElementById('p-error'), this.lastError(status.body));
    this.renderHistory(status.body, runs);
  },

  renderActions(s) {
    const box = document.getElementById('p-actions');
    // read: no buttons (the API would answer 403).
    const shown = Api.canOperate(Api.role) ? this.actions.filter((a) => !a.when || a.when(s)) : [];
    const signature = shown.map((a) => a.id).join(',');
    // The same buttons: they stay, so one being clicked is not replaced under the pointer.
    if (box.dataset.signature === signature && box.children.length === shown.length) return;
    Dom.clear(box).dataset.signature = signature;
    for (const a of shown) {
      const b = Dom.el('button', { type: 'button', 'data-action': a.id }, a.label);
      b.addEventListener('click', () => this.act(a.id, b));
      box.append(b);
    }
  },

  async act(action, button) {
    const message = document.getElementById('p-message');
    button.disabled = true;
    Dom.text(message, action + '…');
    const res = await Api.post(this.path('/' + action), action === 'sync' ? {} : undefined);
    button.disabled = false;
    const body = res.body || {};
    let text = body.message || 'answer ' + res.status;
    if (Array.isArray(body.connections)) {
      text += ': ' + body.connections.map((c) => `${c.name} ${c.ok ? 'ok' : 'failed'} (${c.detail})`).join('; ');
    }
    Dom.text(message, text);
    message.dataset.status = String(res.status);
    this.refresh();
    if (action === 'sync' && res.status < 300) {  // show the run as soon as it is recorded
      for (let i = 1; i <= 10; i++) setTimeout(() => { if (this.name) this.refresh(); }, i * 1000);
    }
  },

  renderFacts(s) {
    const facts = Dom.clear(document.getElementById('p-facts'));
    const add = (label, value, title) => {
      facts.append(Dom.el('dt', {}, label), Dom.el('dd', title ? { title } : {}, value));
    };
    add('State', Dom.badge(s.state), When.exact(s.since));
    add('Health', s.health ? Dom.badge(s.health) : '—');
    add('Enabled', s.enabled ? 'yes' : 'no');
    if (s.last_run) add('Last run', `${When.relative(s.last_run.finished)}, ${s.last_run.result}, ${countsText(s.last_run)}`);
    add('Next run', s.next_run ? When.relative(s.next_run) : '—', s.next_run ? When.exact(s.next_run) : undefined);
    if (s.retry_in_s !== undefined) add('Retry', 'in ' + s.retry_in_s + ' s');
    add('Restarts', String(s.restarts));
    if (s.pid) add('Worker', 'pid ' + s.pid + ', up ' + When.duration((s.uptime_s || 0) * 1000));
    add('Config hash', s.config_hash || '—');
    if (s.config_error) add('Config error', s.config_error.join('\n'));
    if (s.file) add('File', s.file);
  },

  renderConnections(list) {
    const body = Dom.clear(document.querySelector('#p-connections tbody'));
    if (list.length === 0) {
      body.append(Dom.el('tr', {}, Dom.el('td', { colspan: 4, 'data-label': 'Connection' }, 'not observed yet')));
      return;
    }
    for (const c of list) {
      body.append(Dom.el('tr', { 'data-connection': c.name },
        Dom.el('td', { 'data-label': 'Connection' }, c.name),
        Dom.el('td', { 'data-label': 'Status' }, Dom.badge(c.state)),
        Dom.el('td', { 'data-label': 'Since', title: When.exact(c.since) }, When.relative(c.since)),
        Dom.el('td', { 'data-label': 'Error' }, c.error ? `${c.error_code || ''} ${c.error}` : '')));
    }
  },

  /** The last error in full: the failing job's error, its code and its cause chain. */
  lastError(s) {
    const failing = (s.jobs || []).map((j) => j.last_run).find((r) => r && (r.result === 'failed' || r.result === 'blocked'));
    if (failing) {
      const lines = [`${failing.job}: ${failing.error_code || failing.result}: ${failing.error || ''}`];
      for (const c of failing.cause || []) lines.push('  caused by: ' + c);
      lines.push(`(run ${failing.run_id}, ${When.exact(failing.finished)})`);
      return lines.join('\n');
    }
    return s.last_error || 'none';
  },

  renderHistory(s, runs) {
    const charts = document.getElementById('p-charts');
    const note = document.getElementById('p-history-note');
    if (runs.status !== 200 || !runs.body || !Array.isArray(runs.body.runs)) {
      Dom.clear(charts).dataset.signature = '';
      Dom.text(note, (runs.body && runs.body.message) || 'the run history could not be read');
      return;
    }
    Dom.text(note, '');
    const jobs = (s.jobs || []).map((j) => j.name);
    // Redrawn only when a run came or went, so a tooltip being read does not vanish every 5 s.
    const signature = jobs.join(',') + '|' + runs.body.runs.map((r) => r.run_id).join(',');
    if (charts.dataset.signature === signature) return;
    Dom.clear(charts).dataset.signature = signature;
    for (const r of runs.body.runs) if (!jobs.includes(r.job)) jobs.push(r.job);
    for (const job of jobs) charts.append(Chart.figure(job, runs.body.runs.filter((r) => r.job === job)));
    charts.dataset.runs = String(runs.body.runs.length);
  },

  follow() {
    const controller = new AbortController();
    this.stream = controller;
    const log = document.getElementById('p-log');
    const name = this.name;
    log.dataset.streaming = 'true';
    Api.followLog(name, controller.signal, (line) => {
      this.logLines.push(line);
      if (this.logLines.length > 500) this.logLines.splice(0, this.logLines.length - 500);
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(document.createTextNode(line + '\n'));
      while (log.childNodes.length > 500) log.removeChild(log.firstChild);
      if (atBottom) log.scrollTop = log.scrollHeight;
      log.dataset.lines = String(this.logLines.length);
    }, (problem) => {
      log.dataset.streaming = 'false';
      if (problem && this.name === name) log.append(document.createTextNode('— ' + problem + ' —\n'));
    });
  },
};
