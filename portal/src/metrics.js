import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, field, select, put } from './dom.js';
import { get, enc } from './api.js';
import { failure } from './preview.js';
import { all } from './paging.js';

const WINDOWS = { '15 minutes': [15, '1m'], '1 hour': [60, '1m'], '6 hours': [360, '5m'], '24 hours': [1440, '15m'], '7 days': [10080, '1h'] };

/** Golden metrics per service and route (GET /v1/meshes/{mesh}/metrics), drawn by uPlot. */
export async function metricsPage(mesh) {
  const [services, routes] = await Promise.all([all(`/v1/meshes/${enc(mesh)}/services`), all(`/v1/meshes/${enc(mesh)}/routes`)]);
  const service = select(services.map(s => s.name), services[0]?.name);
  const route = select(['', ...routes.map(r => r.name)], '');
  const window = select(Object.keys(WINDOWS), '1 hour');
  const charts = h('div', { class: 'charts', 'aria-live': 'polite' });
  const form = h('form', { class: 'inline' }, field('Service', service), field('Route (optional: the callers\u2019 view)', route),
    field('Window', window), h('button', { type: 'submit', class: 'primary' }, 'Show'));
  const show = async () => {
    if (!service.value) {
      put(charts, h('p', {}, 'This mesh has no service yet.'));
      return;
    }
    const [minutes, step] = WINDOWS[window.value];
    const to = new Date();
    const from = new Date(to.getTime() - minutes * 60_000);
    const query = new URLSearchParams({ service: service.value, from: from.toISOString(), to: to.toISOString(), step });
    if (route.value) query.set('route', route.value);
    try {
      put(charts, ...draw(await get(`/v1/meshes/${enc(mesh)}/metrics?${query}`)));
    } catch (e) {
      failure(charts, form, e);
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); show(); });
  await show();
  return [h('p', {}, 'From the proxies\u2019 usage reports (every 10 s); the dashed lines mark the moments a snapshot version changed.'), form, charts];
}

function draw(series) {
  const times = series.points.map(p => Date.parse(p.time) / 1000);
  const pick = key => series.points.map(p => p.metrics[key]);
  const changes = series.versionChanges ?? [];
  const t = series.total;
  const summary = h('p', { class: 'summary' }, `${t.requests} requests, ${fmt(t.rps)} rps, success ${t.successRate == null ? '—' : fmt(100 * t.successRate) + '%'}, p50 ${fmt(t.p50Ms)} ms, p99 ${fmt(t.p99Ms)} ms.`);
  const charts = [
    chart('Requests per second', times, [['rps', pick('rps'), '#0b57d0']], changes),
    chart('Success rate (%)', times, [['success %', pick('successRate').map(v => (v == null ? null : 100 * v)), '#137333']], changes),
    chart('Latency (ms)', times, [['p50', pick('p50Ms'), '#0b57d0'], ['p99', pick('p99Ms'), '#b3261e']], changes),
  ];
  const list = changes.length
    ? h('ul', { class: 'version-changes' }, changes.map(c => h('li', {}, `${new Date(c.time).toLocaleString()}: ${c.service} → ${c.version.slice(7, 19)}`,
      c.auditEvent ? ` (${c.auditEvent.action} ${c.auditEvent.resource} by ${c.auditEvent.actor})` : '')))
    : h('p', {}, 'No snapshot version changed in this window.');
  return [summary, ...charts, h('h3', {}, 'Snapshot version changes'), list];
}

function fmt(n) {
  return n == null ? '—' : Number(n).toFixed(n < 10 ? 2 : 0);
}

/** One uPlot chart; a plugin draws a dashed line at each snapshot version change. */
function chart(title, times, lines, changes) {
  const box = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  const marks = {
    hooks: {
      draw: [u => {
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = '#5f6368';
        ctx.setLineDash([4, 4]);
        for (const c of changes) {
          const x = u.valToPos(Date.parse(c.time) / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
  const opts = {
    width: 720, height: 200, plugins: [marks],
    series: [{}, ...lines.map(([label, , stroke]) => ({ label, stroke, width: 2, spanGaps: false }))],
    axes: [{}, { size: 60 }],
  };
  const plot = new uPlot(opts, [times, ...lines.map(([, data]) => data)], box);
  plot.root.setAttribute('role', 'img');
  plot.root.setAttribute('aria-label', `${title} over the chosen window`);
  return box;
}
