/**
 * Reads one metric from the collector's /metrics (or /metrics/stations for the per-station series,
 * named chargewatch_station_* and chargewatch_connector_{status_code,error}), summed over the series
 * whose labels match.
 */
export async function metric(target: { apiUrl: string }, name: string, labels: Record<string, string> = {}): Promise<number> {
  const perStation = /^chargewatch_(station_|connector_status_code$|connector_error$)/.test(name);
  const text = await (await fetch(`${target.apiUrl}/metrics${perStation ? '/stations' : ''}`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}
