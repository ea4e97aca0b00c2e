// A job's run history as an inline SVG: one bar per run (its duration, red when the run failed
// or was blocked, with a ✕ above), and a line of the items each run wrote; oldest on the left.
'use strict';

const Chart = {
  svgNS: 'http://www.w3.org/2000/svg',

  node(tag, attrs, text) {
    const e = document.createElementNS(this.svgNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  },

  failed(run) { return run.result === 'failed' || run.result === 'blocked'; },

  /** `runs` newest first (as GET /v1/profiles/NAME/runs answers); the last 100 are drawn. */
  render(job, runs) {
    const shown = runs.slice(0, 100).reverse();
    const W = 800, H = 200, left = 52, right = 64, top = 18, bottom = 12;
    const plotW = W - left - right, plotH = H - top - bottom;
    const longest = Math.max(0, ...shown.map((r) => r.duration_ms || 0));
    const maxMS = Math.max(1, longest);
    const maxItems = Math.max(1, ...shown.map(itemsWritten));
    const slot = plotW / Math.max(shown.length, 1);
    const barW = Math.max(1, Math.min(24, slot * 0.7));
    const failures = shown.filter((r) => this.failed(r)).length;

    const svg = this.node('svg', {
      viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'history',
      'data-job': job, 'data-runs': shown.length, 'data-failures': failures,
    });
    svg.append(this.node('title', {}, `${job}: ${shown.length} runs, ${failures} failed`));
    svg.append(this.node('line', { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, class: 'baseline' }));
    svg.append(this.node('text', { x: left - 4, y: top + 8, 'text-anchor': 'end', class: 'axis' }, When.duration(longest)));
    svg.append(this.node('text', { x: left - 4, y: top + plotH, 'text-anchor': 'end', class: 'axis' }, '0'));
    svg.append(this.node('text', { x: left + plotW + 4, y: top + 8, class: 'axis' }, maxItems + (maxItems === 1 ? ' item' : ' items')));

    const points = [];
    shown.forEach((run, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      const h = Math.max(2, ((run.duration_ms || 0) / maxMS) * plotH);
      const failed = this.failed(run);
      if (failed) {  // the whole column, so a failure shows however short the run was
        svg.append(this.node('rect', {
          x: (left + i * slot).toFixed(1), y: top, width: slot.toFixed(1), height: plotH, class: 'failband',
        }));
      }
      const bar = this.node('rect', {
        x: x.toFixed(1), y: (top + plotH - h).toFixed(1), width: barW.toFixed(1), height: h.toFixed(1),
        class: failed ? 'duration fail' : 'duration', 'data-result': run.result, 'data-run-id': run.run_id,
      });
      const what = `${When.exact(run.started || run.finished)} · ${run.result} · ${When.duration(run.duration_ms)}`
        + ` · ${itemsWritten(run)} items written · ${countsText(run)}`
        + (run.error ? ` · ${run.error_code || ''} ${run.error}` : '');
      bar.append(this.node('title', {}, what));
      svg.append(bar);
      if (failed) {
        svg.append(this.node('text', {
          x: (x + barW / 2).toFixed(1), y: (top + plotH - h - 3).toFixed(1), 'text-anchor': 'middle', class: 'failmark',
        }, '✕'));
      }
      const cx = x + barW / 2, cy = top + plotH - (itemsWritten(run) / maxItems) * plotH;
      points.push(`${cx.toFixed(1)},${cy.toFixed(1)}`);
    });
    if (points.length > 1) svg.append(this.node('polyline', { points: points.join(' '), class: 'items' }));
    for (const p of points) {
      const [cx, cy] = p.split(',');
      svg.append(this.node('circle', { cx, cy, r: 2.5, class: 'item' }));
    }
    return svg;
  },

  /** The figure for one job: a heading, the chart (or a note), and the legend. */
  figure(job, runs) {
    const fig = Dom.el('figure', { class: 'chart', 'data-job': job });
    fig.append(Dom.el('h3', {}, job));
    if (runs.length === 0) {
      fig.append(Dom.el('p', { class: 'hint' }, 'no run recorded yet'));
      return fig;
    }
    fig.append(this.render(job, runs));
    const failures = runs.slice(0, 100).filter((r) => this.failed(r)).length;
    fig.append(Dom.el('figcaption', { class: 'legend' },
      Dom.el('span', { class: 'key-duration' }, 'duration'),
      Dom.el('span', { class: 'key-items' }, 'items written'),
      Dom.el('span', { class: 'key-fail' }, `failed (${failures})`),
      Dom.el('span', {}, `last ${Math.min(runs.length, 100)} runs, oldest left`)));
    return fig;
  },
};
