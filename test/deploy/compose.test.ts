/**
 * docker-compose.yml: docker-compose validates it with .env.example, required variables are enforced,
 * every service is healthchecked (or waits for healthy dependencies), state lives in named volumes,
 * no secret is written in the file, and the mounted paths exist in the repository.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

const REPO = resolve(__dirname, '../..');
const COMPOSE = join(REPO, 'docker-compose.yml');
const raw = readFileSync(COMPOSE, 'utf8');
const doc = YAML.parse(raw, { merge: true });
const services: Record<string, any> = doc.services;

function compose(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }) {
  const res = spawnSync('docker-compose', ['-f', COMPOSE, ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
  if (res.error) {
    throw new Error(`docker-compose could not be run (${(res.error as NodeJS.ErrnoException).code ?? res.error.message}); install docker-compose to run this test`);
  }
  return res;
}

function envExample(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(REPO, '.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('docker-compose config', () => {
  test('validates with .env.example', () => {
    const res = compose(['--env-file', '.env.example', 'config', '-q']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  test('refuses to start without the required secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-compose-'));
    try {
      writeFileSync(join(dir, 'empty.env'), '');
      const res = compose(['--env-file', join(dir, 'empty.env'), 'config', '-q']);
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/set [A-Z_]+ in \.env/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every ${VAR:?} the file requires is listed in .env.example', () => {
    const code = raw.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    const required = new Set([...code.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]));
    const listed = envExample();
    expect(required.size).toBeGreaterThanOrEqual(4);
    for (const name of required) expect(Object.keys(listed)).toContain(name);
  });
});

describe('docker-compose structure', () => {
  test('the expected services exist; the simulator only in the demo profile', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'collector', 'grafana', 'influxdb', 'postgres', 'prometheus', 'redis', 'simulator', 'worker']);
    expect(services.simulator.profiles).toEqual(['demo']);
    for (const [name, s] of Object.entries(services)) if (name !== 'simulator') expect(s.profiles).toBeUndefined();
  });

  test('the collector writes business records to the postgres service; Grafana reads them read-only', () => {
    expect(services.collector.environment.DATABASE_URL).toBe('postgres://chargewatch:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}@postgres:5432/chargewatch');
    expect(services.collector.depends_on.postgres).toEqual({ condition: 'service_healthy' });
    expect(services.postgres.volumes).toEqual(expect.arrayContaining(['postgres-data:/var/lib/postgresql/data', './provisioning/postgres/init:/docker-entrypoint-initdb.d:ro']));
    const init = readFileSync(join(REPO, 'provisioning/postgres/init/10-analyst-login.sh'), 'utf8');
    expect(init).toMatch(/CREATE ROLE grafana_analyst LOGIN PASSWORD :'analyst_password' IN ROLE chargewatch_analyst/);
    expect(init).toMatch(/default_transaction_read_only = on/);
    expect(services.grafana.environment.POSTGRES_ANALYST_PASSWORD).toMatch(/^\$\{POSTGRES_ANALYST_PASSWORD:\?/);
  });

  test.each(Object.keys(services))('%s has a healthcheck or depends on healthy services', (name) => {
    const s = services[name];
    const dependsHealthy =
      s.depends_on && !Array.isArray(s.depends_on) && Object.values(s.depends_on).every((d: any) => d.condition === 'service_healthy');
    expect(Boolean(s.healthcheck?.test) || dependsHealthy).toBe(true);
    if (s.depends_on) {
      for (const dep of Object.keys(s.depends_on)) expect(services[dep].healthcheck?.test).toBeDefined();
    }
  });

  test('state lives in named volumes, declared at the top level', () => {
    const declared = Object.keys(doc.volumes ?? {});
    const stateful: Record<string, string> = {
      redis: '/data',
      influxdb: '/var/lib/influxdb2',
      prometheus: '/prometheus',
      alertmanager: '/alertmanager',
      grafana: '/var/lib/grafana',
    };
    for (const [svc, path] of Object.entries(stateful)) {
      const mount = (services[svc].volumes as string[]).find((v) => v.split(':')[1] === path);
      expect({ svc, mount }).toEqual({ svc, mount: expect.stringMatching(/^[a-z][a-z0-9-]*:/) });
      expect(declared).toContain(mount!.split(':')[0]);
    }
  });

  test('Redis persists with AOF; InfluxDB is a 2.x image set up with org and bucket chargewatch', () => {
    expect(services.redis.image).toMatch(/^redis:7/);
    expect(services.redis.command.join(' ')).toContain('--appendonly yes');
    expect(services.influxdb.image).toMatch(/^influxdb:2\.\d+/);
    expect(services.influxdb.environment).toMatchObject({
      DOCKER_INFLUXDB_INIT_MODE: 'setup',
      DOCKER_INFLUXDB_INIT_ORG: 'chargewatch',
      DOCKER_INFLUXDB_INIT_BUCKET: 'chargewatch',
    });
  });

  test('no literal secret: every secret-like variable comes from the environment', () => {
    const secretKey = /(TOKEN|PASSWORD|SECRET|_KEY)$/;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries((s.environment ?? {}) as Record<string, string>)) {
        if (!secretKey.test(key) || key.endsWith('_USER')) continue;
        expect({ service: name, key, value }).toEqual({ service: name, key, value: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]*\}$/) });
      }
    }
    // Values from .env.example must not appear in the compose file.
    for (const [key, value] of Object.entries(envExample())) {
      if (secretKey.test(key) && value.length >= 8) expect(raw).not.toContain(value);
    }
    expect(raw).not.toMatch(/(password|token|secret)\s*[:=]\s*['"]?[A-Za-z0-9+/]{16,}/i);
  });

  test('the collector runs the project\'s image with the documented configuration', () => {
    expect(services.collector.build).toBe('.');
    // Compose's `command` replaces only the image's CMD: binary and subcommand together must read as one call.
    expect([...services.collector.entrypoint, ...services.collector.command]).toEqual(['node', 'cli/bin/chargewatch.js', 'collector']);
    for (const key of ['OCPP_PORT', 'API_PORT', 'API_TOKEN', 'REDIS_URL', 'INFLUX_URL', 'INFLUX_API', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN', 'INFLUX_DATABASE', 'COLLECTOR_ID', 'UNKNOWN_STATIONS', 'LOG_LEVEL']) {
      expect(Object.keys(services.collector.environment)).toContain(key);
    }
  });

  test('the worker runs the collector\'s image with the shared configuration and takes over the sweep', () => {
    const w = services.worker;
    expect(w.build).toBe('.');
    expect(w.image).toBe(services.collector.image);
    expect([...w.entrypoint, ...w.command]).toEqual(['node', 'cli/bin/chargewatch.js', 'worker']);
    // The shared anchor: same Redis and prefix as the collector, or the two would not share a state.
    expect(w.environment.REDIS_URL).toBe(services.collector.environment.REDIS_URL);
    expect(w.environment.REDIS_PREFIX).toBe(services.collector.environment.REDIS_PREFIX);
    expect(w.environment.WORKER_METRICS_PORT).toBe('9102');
    expect(w.depends_on.redis).toEqual({ condition: 'service_healthy' });
    // The worker writes InfluxDB (INFLUX_WRITER=worker); both services must read the same placement.
    expect(w.environment.INFLUX_WRITER).toBe('${INFLUX_WRITER:-worker}');
    expect(services.collector.environment.INFLUX_WRITER).toBe(w.environment.INFLUX_WRITER);
    expect(w.depends_on.influxdb).toEqual({ condition: 'service_healthy' });
    for (const key of ['INFLUX_URL', 'INFLUX_API', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN', 'INFLUX_DATABASE']) {
      expect(w.environment[key]).toBe(services.collector.environment[key]);
    }
    expect(w.healthcheck.test.join(' ')).toContain('127.0.0.1:9102/healthz');
    // Only one process sweeps on a timer: the worker's scheduler.
    expect(services.collector.environment.TX_STALE_SWEEP_INTERVAL_SEC).toBe('0');
    const prom = YAML.parse(readFileSync(join(REPO, 'provisioning/prometheus/prometheus.yml'), 'utf8'));
    const job = (prom.scrape_configs as any[]).find((j) => j.job_name === 'chargewatch-worker');
    expect(job?.static_configs).toEqual([{ targets: ['worker:9102'] }]);
  });

  test('the simulator runs the development image (the production image has no @chargewatch/tools)', () => {
    expect(services.simulator.build).toEqual({ context: '.', target: 'dev' });
    expect(services.simulator.image).not.toBe(services.collector.image);
    expect([...services.simulator.entrypoint, ...services.simulator.command].slice(0, 3)).toEqual(['node', 'cli/bin/chargewatch.js', 'simulate']);
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM \S+ AS dev$/m);
    // The last stage is what `build: .` produces: it must not copy tools.
    const production = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(production).not.toMatch(/\btools\b/);
    expect(production).toMatch(/^CMD \["collector"\]$/m);
  });

  test('Grafana loads the provisioning, the generated dashboards and the unsigned plugins', () => {
    const g = services.grafana;
    expect(g.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe('chargewatch-fleet-app,chargewatch-statusgrid-panel');
    // the plugin proxy forwards the signed-in login (X-Grafana-User) for the collector's audit log
    expect(g.environment.GF_DATAPROXY_SEND_USER_HEADER).toBe('true');
    const mounts = (g.volumes as string[]).map((v) => v.split(':'));
    const dashboardsProvider = YAML.parse(readFileSync(join(REPO, 'provisioning/dashboards/dashboards.yml'), 'utf8'));
    const dashboardsPath = dashboardsProvider.providers[0].options.path;
    expect(mounts).toContainEqual(['./dashboards/generated', dashboardsPath, 'ro']);
    expect(mounts.some(([src, dst]) => src === './grafana-plugin/dist' && dst.startsWith(g.environment.GF_PATHS_PLUGINS))).toBe(true);
  });

  test('every bind-mounted repository path exists (except build outputs)', () => {
    for (const s of Object.values(services)) {
      for (const v of (s.volumes ?? []) as string[]) {
        const src = v.split(':')[0];
        if (!src.startsWith('./') || src === './grafana-plugin/dist') continue;
        expect({ src, exists: existsSync(join(REPO, src)) }).toEqual({ src, exists: true });
      }
    }
  });

  test('Prometheus mounts the alert rules where its configuration reads them', () => {
    const prom = YAML.parse(readFileSync(join(REPO, 'provisioning/prometheus/prometheus.yml'), 'utf8'));
    expect(prom.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(services.prometheus.volumes).toContain('./alerting/rules:/etc/prometheus/rules:ro');
  });
});
