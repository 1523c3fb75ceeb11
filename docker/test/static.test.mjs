// Consistency of the docker/ files with each other and with the code, without running
// anything: compose files ↔ nginx upstream ↔ Dockerfile, and every environment
// variable the server reads ↔ docker/.env.example ↔ docs/configuration.md.
//
//   npx tap --disable-coverage docker/test/static.test.mjs
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { repoRoot } from './lib.mjs';

const read = (p) => readFileSync(join(repoRoot, p), 'utf8');

t.test('every environment variable is in docker/.env.example and docs/configuration.md', async (t) => {
  const sources = ['core/src/config.ts', 'core/src/cli.ts'].map(read).join('\n');
  const vars = new Set();
  for (const re of [/\benv\.([A-Z][A-Z0-9_]+)/g, /\(env, '([A-Z][A-Z0-9_]+)'/g, /process\.env\.([A-Z][A-Z0-9_]+)/g, /: '([A-Z][A-Z0-9_]{2,})'/g]) {
    for (const m of sources.matchAll(re)) vars.add(m[1]);
  }
  t.ok(vars.size > 25, `${vars.size} variables read by core`);
  const example = read('docker/.env.example');
  const docs = read('docs/configuration.md');
  for (const v of [...vars].sort()) {
    t.match(example, new RegExp(`^#?${v}=`, 'm'), `.env.example documents ${v}`);
    t.ok(docs.includes(`\`${v}\``), `configuration.md documents ${v}`);
  }
});

t.test('compose files, nginx.conf and the Dockerfile agree', async (t) => {
  const single = YAML.parse(read('docker/compose.yml'), { merge: true });
  const scaled = YAML.parse(read('docker/compose.scaled.yml'), { merge: true });
  const nginx = read('docker/nginx.conf');
  const dockerfile = read('docker/Dockerfile').replace(/\\\n/g, ' ');

  t.same(Object.keys(single.services), ['charla'], 'compose.yml: one service');
  t.equal(single.services.charla.build.dockerfile, 'docker/Dockerfile');
  t.ok(single.services.charla.volumes.includes('charla-data:/data') && 'charla-data' in single.volumes, 'compose.yml: a named volume on /data');
  t.notOk(single.services.charla.environment.DATABASE_URL, 'compose.yml: SQLite (no DATABASE_URL)');

  const instances = Object.keys(scaled.services).filter((s) => /^charla-\d+$/.test(s));
  t.ok(instances.length >= 2, `compose.scaled.yml: ${instances.length} instances`);
  for (const name of instances) {
    const svc = scaled.services[name];
    t.match(svc.environment.DATABASE_URL, /^postgres:\/\/.+@postgres:5432\//, `${name}: PostgreSQL`);
    t.match(svc.environment.REDIS_URL, /^redis:\/\/redis:6379/, `${name}: Redis`);
    t.ok(svc.environment.TRUST_PROXY, `${name}: TRUST_PROXY set (behind nginx)`);
    t.equal(svc.depends_on.postgres.condition, 'service_healthy', `${name} waits for PostgreSQL`);
  }
  const upstream = [...nginx.matchAll(/^\s*server\s+(charla-\d+):3000\b/gm)].map((m) => m[1]);
  t.same(upstream.sort(), instances.sort(), 'nginx upstream lists exactly the compose instances');
  t.ok(scaled.services.nginx.volumes.includes('./nginx.conf:/etc/nginx/nginx.conf:ro'), 'nginx runs docker/nginx.conf');
  for (const name of instances) t.equal(scaled.services.nginx.depends_on[name]?.condition, 'service_healthy', `nginx waits for ${name}`);
  t.notMatch(nginx.replace(/#[^\n]*/g, ''), /\b(ip_hash|hash \$|sticky)\b/, 'no sticky sessions');
  t.match(nginx, /location \/api\/v1\/realtime \{[^}]*proxy_read_timeout (\d{4,})s;/, 'the realtime location keeps sockets open long');
  t.match(nginx, /proxy_set_header Upgrade \$http_upgrade;/, 'passes Upgrade');
  t.match(nginx, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/, 'adds X-Forwarded-For');
  t.notMatch(nginx.replace(/#[^\n]*/g, ''), /location[^{]*\{[^}]*proxy_set_header/, 'no location overrides (and so drops) the server-level headers');

  t.match(dockerfile, /^FROM \S+ AS builder$/m, 'Dockerfile: builder stage');
  t.match(dockerfile, /^RUN npm prune --omit=dev/m, 'Dockerfile: prunes dev dependencies');
  t.match(dockerfile, /^USER node$/m, 'Dockerfile: non-root');
  t.match(dockerfile, /^VOLUME \/data$/m, 'Dockerfile: /data volume');
  t.match(dockerfile, /DATA_DIR=\/data/, 'Dockerfile: DATA_DIR=/data');
  t.match(dockerfile, /^EXPOSE 3000$/m, 'Dockerfile: port 3000');
  t.match(dockerfile, /^HEALTHCHECK .*\/readyz/m, 'Dockerfile: HEALTHCHECK on /readyz');
  t.match(dockerfile, /^CMD \["start"\]$/m, 'Dockerfile: charla start (which migrates first)');
});
