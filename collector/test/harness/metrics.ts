/** Reads one metric from the collector's /metrics, summed over the series whose labels match. */
export async function metric(target: { apiUrl: string }, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${target.apiUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}
