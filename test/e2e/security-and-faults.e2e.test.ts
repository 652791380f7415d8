/**
 * End to end with the simulated fleet of `npm test`: 1.6 Security Whitepaper stations report their
 * start-up (SecurityEventNotification) and ask for a certificate (SignCertificate, refused), and 2.0.1
 * stations' faults, reported through NotifyEvent Problem items, become connector errors — in Prometheus
 * (scraped by the stack's Prometheus) and in InfluxDB.
 *
 * Needs E2E_PROMETHEUS_URL, E2E_INFLUX_URL and E2E_INFLUX_DB (set by scripts/test.mjs).
 */
import { eventually, influxQuery, promQuery } from '@chargewatch/tools';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this end-to-end test needs the running stack (run it through \`npm test\`)`);
  return value;
}

const prom = async (q: string) => (await promQuery(env('E2E_PROMETHEUS_URL'), q))[0]?.value ?? 0;
const influx = (q: string) => influxQuery(env('E2E_INFLUX_URL'), env('E2E_INFLUX_DB'), q);

describe('security messages and 2.0.1 faults from the simulated fleet', () => {
  it('1.6 Security Whitepaper stations report security events and have their certificate requests refused', async () => {
    await eventually(async () => {
      expect(await prom('sum(chargewatch_security_events_total{event_type="StartupOfTheDevice", source="station"})')).toBeGreaterThan(0);
      expect(await prom('sum(chargewatch_certificate_signing_requests_total{certificate_type="Unspecified", result="Rejected"})')).toBeGreaterThan(0);
    }, 60_000, 1000);
    const rows = await influx(`SELECT count(tech_info) FROM security_event WHERE event_type = 'StartupOfTheDevice' AND source = 'station'`);
    expect(Number(rows[0]?.count ?? 0)).toBeGreaterThan(0);
  });

  it('2.0.1 stations raise and clear connector errors through NotifyEvent Problem items', async () => {
    await eventually(async () => {
      expect(await prom('sum(chargewatch_connector_errors_total{error_code="Problem"})')).toBeGreaterThan(0);
      const rows = await influx(`SELECT error_code, vendor_error_code FROM connector_status WHERE error_code = 'Problem' LIMIT 1`);
      expect(rows).toHaveLength(1);
      // A cleared problem: a later status of the same connector is back to NoError.
      const cleared = await influx(`SELECT count(actual_value) FROM device_event WHERE variable = 'Problem' AND cleared = true`);
      expect(Number(cleared[0]?.count ?? 0)).toBeGreaterThan(0);
    }, 150_000, 2000);
  });
});
