/** Misuse metrics: only rule and severity as labels, the open gauge follows the table. */
import { Registry } from 'prom-client';
import type { IncidentStore } from '@chargewatch/platform';
import { MisuseMetrics } from '../../src/misuse/misuse-metrics';

describe('MisuseMetrics', () => {
  test('counts opened incidents and mirrors the open ones by rule and severity', async () => {
    const registry = new Registry();
    const m = new MisuseMetrics(registry);
    m.opened('pin_guessing', 'critical');
    m.opened('pin_guessing', 'critical');
    let counts = [{ rule: 'security_event' as const, severity: 'critical' as const, count: 3 }];
    const store = { openCounts: async () => counts } as unknown as IncidentStore;
    await m.refresh(store);
    const text = await registry.metrics();
    expect(text).toContain('chargewatch_misuse_incidents_total{rule="pin_guessing",severity="critical"} 2');
    expect(text).toContain('chargewatch_misuse_incidents_total{rule="idle_bay",severity="info"} 0');
    expect(text).toContain('chargewatch_misuse_incidents_open{rule="security_event",severity="critical"} 3');
    expect(text).toContain('chargewatch_misuse_incidents_open{rule="pin_guessing",severity="critical"} 0');
    counts = [];
    await m.refresh(store);
    const after = await registry.metrics();
    expect(after).not.toContain('chargewatch_misuse_incidents_open{rule="security_event",severity="critical"} 3');
    for (const line of after.split('\n').filter((l) => l.startsWith('chargewatch_misuse'))) {
      expect(Object.keys(Object.fromEntries([...line.matchAll(/(\w+)="/g)].map((x) => [x[1], 1])))).toEqual(['rule', 'severity']);
    }
  });
});
