// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by
// package/area, so the report can say where the time goes.
import { readFileSync } from 'node:fs';

function area(url) {
  if (!url) return '(native/V8)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 14).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const m = /\/(core|plugins\/[^/]+|bench)\/(?:dist|src)\//.exec(u);
  if (m) return `charla:${m[1]}`;
  if (u.startsWith('node:') || !u.startsWith('/')) return 'node:internal';
  return u;
}

export function summarizeProfile(path, top = 15) {
  const p = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const fns = new Map();
  const areas = new Map();
  let idle = 0;
  let gc = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') { idle += us; continue; }
    if (cf.functionName === '(garbage collector)') gc += us;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^.*\/(node_modules|main)\//, '')}:${cf.lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    const a = cf.functionName === '(garbage collector)' ? '(garbage collector)' : cf.functionName === '(program)' ? '(program)' : area(cf.url);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us) => Math.round((us / busy) * 1000) / 10;
  return {
    busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), gcPct: pct(gc),
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => ({ area: k, pct: pct(v) })),
    functions: [...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => ({ fn: k, pct: pct(v) })),
  };
}
