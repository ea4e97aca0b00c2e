// The fleet page: one page of GET /v1/profiles?q=&state=&offset=&limit= (the daemon filters,
// sorts failing profiles first and pages), refreshed every 5 s while shown.
'use strict';

const Fleet = {
  query: { q: '', state: '', offset: 0, limit: 100 },
  timer: null,
  loading: 0,
  signature: null,
  renderedAt: 0,

  init() {
    const text = document.getElementById('filter-text');
    let debounce = null;
    text.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => { this.query.q = text.value.trim(); this.query.offset = 0; this.load(); }, 150);
    });
    document.getElementById('filter-state').addEventListener('change', (e) => {
      this.query.state = e.target.value;
      this.query.offset = 0;
      this.load();
    });
    document.getElementById('page-prev').addEventListener('click', () => {
      this.query.offset = Math.max(0, this.query.offset - this.query.limit);
      this.load();
    });
    document.getElementById('page-next').addEventListener('click', () => {
      this.query.offset += this.query.limit;
      this.load();
    });
  },

  show() {
    this.load();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.load(), 5000);
  },

  hide() { clearInterval(this.timer); this.timer = null; },

  url() {
    const p = new URLSearchParams();
    if (this.query.q) p.set('q', this.query.q);
    if (this.query.state) p.set('state', this.query.state);
    p.set('offset', String(this.query.offset));
    p.set('limit', String(this.query.limit));
    return '/v1/profiles?' + p.toString();
  },

  async load() {
    const ticket = ++this.loading;
    const res = await Api.get(this.url());
    if (ticket !== this.loading) return;  // a newer query was sent meanwhile
    const error = document.getElementById('fleet-error');
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.profiles)) {
      Dom.text(error, (res.body && res.body.message) || 'the profiles could not be loaded (' + res.status + ')');
      return;
    }
    Dom.text(error, '');
    this.render(res.body);
  },

  render(list) {
    const rows = document.getElementById('fleet-rows');
    // The same answer again: the rows stay (a link being clicked is not replaced under the
    // pointer), except every 30 s for the relative times.
    const signature = JSON.stringify(list);
    if (signature === this.signature && Date.now() - this.renderedAt < 30000) {
      rows.dataset.loaded = String(Date.now());
      return;
    }
    this.signature = signature;
    this.renderedAt = Date.now();
    const fragment = document.createDocumentFragment();
    const offset = list.offset || 0;
    list.profiles.forEach((p, i) => fragment.append(this.row(p, offset + i < (list.failing || 0))));
    Dom.clear(rows).append(fragment);
    const total = list.total === undefined ? list.profiles.length : list.total;
    const first = total === 0 ? 0 : offset + 1, last = offset + list.profiles.length;
    Dom.text(document.getElementById('fleet-count'),
      `${total} profile${total === 1 ? '' : 's'}` + (list.failing ? `, ${list.failing} failing` : ''));
    Dom.text(document.getElementById('page-info'), total > list.profiles.length ? `${first}–${last} of ${total}` : '');
    document.querySelector('.pager').hidden = offset === 0 && last >= total;
    document.getElementById('page-prev').disabled = offset === 0;
    document.getElementById('page-next').disabled = last >= total;
    rows.dataset.total = String(total);
    rows.dataset.failing = String(list.failing || 0);
    rows.dataset.loaded = String(Date.now());
    performance.mark('fleet-rendered');
  },

  /** One profile; `failing` comes from the daemon's sort (the first `failing` matches). */
  row(p, failing) {
    const link = Dom.el('a', { href: '#/p/' + encodeURIComponent(p.name) }, p.name);
    const name = Dom.el('td', { 'data-label': 'Profile' }, link);
    if (failing) name.append(Dom.el('span', { class: 'mark', title: 'needs attention' }, '⚠ failing'));
    if (!p.enabled && p.state !== 'disabled') name.append(Dom.el('span', { class: 'sub' }, 'disabled'));

    const state = Dom.el('td', { 'data-label': 'State' }, Dom.badge(p.state));
    if (p.retry_in_s !== undefined) state.append(Dom.el('span', { class: 'sub' }, 'retrying in ' + p.retry_in_s + ' s'));
    const health = Dom.el('td', { 'data-label': 'Health' }, p.health ? Dom.badge(p.health) : '—');

    const last = Dom.el('td', { 'data-label': 'Last run' });
    if (p.last_run) {
      const r = p.last_run;
      last.append(Dom.el('span', { title: When.exact(r.finished) }, When.relative(r.finished) + ' '), Dom.badge(r.result),
        Dom.el('span', { class: 'sub' }, r.job + ': ' + countsText(r)));
    } else {
      last.append('—');
    }
    const next = Dom.el('td', { 'data-label': 'Next run' },
      p.next_run ? Dom.el('span', { title: When.exact(p.next_run) }, When.relative(p.next_run)) : '—');

    const conns = Dom.el('td', { 'data-label': 'Connections' });
    const list = p.connections || [];
    const bad = list.filter((c) => c.state !== 'ok');
    if (list.length === 0) conns.append('—');
    else if (bad.length === 0) conns.append(Dom.badge('ok'), Dom.el('span', { class: 'sub' }, list.length + ' connected'));
    else for (const c of bad) conns.append(Dom.badge(c.state), Dom.el('span', { class: 'sub' }, c.name));

    const restarts = Dom.el('td', { 'data-label': 'Restarts' }, String(p.restarts));
    const tr = Dom.el('tr', { class: failing ? 'failing' : '', 'data-profile': p.name, 'data-state': p.state },
      name, state, health, last, next, conns, restarts);
    if (failing) tr.dataset.failing = 'true';
    return tr;
  },
};
