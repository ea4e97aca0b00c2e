// The control API as the console uses it: the token from this tab's session storage, sent as a
// bearer header; answers as {status, body}. Nothing here touches the page.
'use strict';

const Api = {
  tokenKey: 'almanac.token',
  /** The caller's role: read, operate or admin (from GET /v1/me). */
  role: null,

  token() { return sessionStorage.getItem(this.tokenKey); },
  setToken(t) { sessionStorage.setItem(this.tokenKey, t); },
  forget() { sessionStorage.removeItem(this.tokenKey); this.role = null; },

  headers(extra) {
    const h = Object.assign({ Accept: 'application/json' }, extra || {});
    const t = this.token();
    if (t) h.Authorization = 'Bearer ' + t;
    return h;
  },

  /** One request; `body` (an object) is sent as JSON. Never throws for an HTTP status. */
  async call(method, path, body) {
    const init = { method, headers: this.headers(), cache: 'no-store' };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      return { status: 0, body: { ok: false, message: 'the daemon cannot be reached' } };
    }
    let parsed = null;
    const text = await res.text();
    try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = { ok: false, message: text }; }
    if (res.status === 401) Api.onUnauthorized();
    return { status: res.status, body: parsed };
  },

  get(path) { return this.call('GET', path); },
  post(path, body) { return this.call('POST', path, body); },

  /** Called when the daemon refuses the token; the app signs out. */
  onUnauthorized() {},

  /**
   * The caller's role. A daemon without GET /v1/me (404: one bearer token, no roles) lets its
   * token do everything: admin. Null when the token is refused.
   */
  async whoAmI() {
    const me = await this.get('/v1/me');
    if (me.status === 200 && me.body && typeof me.body.role === 'string') return me.body.role;
    if (me.status === 404) {
      const health = await this.get('/v1/health');
      return health.status === 401 || health.status === 0 ? null : 'admin';
    }
    return null;
  },

  /** What a role may do from the console. */
  canOperate(role) { return role === 'operate' || role === 'admin'; },

  profilePath(name) { return '/v1/profiles/' + encodeURIComponent(name); },

  /**
   * Follows a profile's log as server-sent events: calls `onLine` with each line's text until
   * `signal` aborts. EventSource cannot send a bearer header, so this reads the stream itself.
   */
  async followLog(name, signal, onLine, onEnd) {
    let res;
    try {
      res = await fetch(this.profilePath(name) + '/logs?follow=1&tail=100', {
        headers: this.headers({ Accept: 'text/event-stream' }), signal, cache: 'no-store',
      });
    } catch (e) { onEnd(signal.aborted ? null : 'the log stream could not be opened'); return; }
    if (!res.ok || !res.body) { onEnd('the log stream answered ' + res.status); return; }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of event.split('\n')) {
            if (!line.startsWith('data: ')) continue;  // comments (": idle") keep the stream open
            try { onLine(JSON.parse(line.slice(6)).line); } catch (e) { onLine(line.slice(6)); }
          }
        }
      }
      onEnd('the log stream ended');
    } catch (e) {
      onEnd(signal.aborted ? null : 'the log stream broke off');
    }
  },
};

/** Small DOM helpers: every text goes in as textContent, never as markup. */
const Dom = {
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v; else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },
  clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; },
  text(e, s) { e.textContent = s === undefined || s === null ? '' : String(s); return e; },
  badge(value) { return this.el('span', { class: 'badge ' + String(value).replace(/[^a-z_]/g, '') }, value); },
};

/** Times as people read them: "3 min ago", "in 2 h"; the exact time goes in a title. */
const When = {
  relative(iso) {
    if (!iso) return '';
    const t = Date.parse(iso);
    if (isNaN(t)) return String(iso);
    const s = Math.round((t - Date.now()) / 1000);
    const a = Math.abs(s);
    let text;
    if (a < 45) text = a + ' s';
    else if (a < 2700) text = Math.round(a / 60) + ' min';
    else if (a < 129600) text = Math.round(a / 3600) + ' h';
    else text = Math.round(a / 86400) + ' d';
    return s < 0 ? text + ' ago' : 'in ' + text;
  },
  exact(iso) {
    const t = Date.parse(iso);
    return isNaN(t) ? '' : new Date(t).toISOString().replace('.000Z', 'Z');
  },
  duration(ms) {
    if (ms === undefined || ms === null) return '';
    return ms < 1000 ? ms + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 60000) + ' min';
  },
};

/** A run's counts in one phrase: "to: 3 created, 1 updated; from: nothing". */
function countsText(run) {
  const keys = ['created', 'updated', 'deleted', 'confirmed', 'cancelled', 'conflicts', 'skipped', 'failed', 'unchanged'];
  const side = (c) => {
    const parts = keys.filter((k) => c && c[k] > 0).map((k) => c[k] + ' ' + k);
    return parts.length ? parts.join(', ') : 'nothing';
  };
  return 'to: ' + side(run.to) + '; from: ' + side(run.from);
}

/** Items a run wrote, both directions (what the chart plots beside the duration). */
function itemsWritten(run) {
  const keys = ['created', 'updated', 'deleted', 'confirmed', 'cancelled'];
  let n = 0;
  for (const c of [run.to, run.from]) for (const k of keys) n += (c && c[k]) || 0;
  return n;
}
