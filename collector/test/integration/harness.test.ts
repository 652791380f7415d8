import { influxQuery, promQuery } from '@chargewatch/tools';

describe('test harness services', () => {
  it('runs real Redis, InfluxDB and Prometheus', async () => {
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
    const ping = await fetch(`${process.env.TEST_INFLUX_URL}/ping`);
    expect(ping.headers.get('x-influxdb-version')).toMatch(/^\d/);
    await influxQuery(process.env.TEST_INFLUX_URL!, '_internal', 'SHOW DATABASES');
    const up = await promQuery(process.env.TEST_PROMETHEUS_URL!, 'vector(1)');
    expect(up[0]!.value).toBe(1);
  });
});
