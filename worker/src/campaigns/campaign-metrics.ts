/**
 * Firmware campaign metrics of the worker, read from PostgreSQL after each campaign tick, so every
 * worker reports the same figures (alert rules take max, not sum). Labels are bounded: campaign status
 * and pause reason are fixed sets; `campaign` (the id) appears only on campaigns that are running or
 * paused — a handful at a time — and its series are removed when the campaign ends.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Pool } from 'pg';

export class CampaignMetrics {
  private readonly campaigns: Gauge<'status'>;
  private readonly paused: Gauge<'reason'>;
  private readonly waveFailed: Gauge<'campaign'>;
  private readonly stations: Gauge<'campaign' | 'state'>;
  private readonly notBack: Gauge;
  readonly steps: Counter<'step'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.campaigns = new Gauge({ name: 'chargewatch_firmware_campaigns', help: 'Firmware campaigns by status (running, paused, completed, cancelled)', labelNames: ['status'], registers });
    this.paused = new Gauge({ name: 'chargewatch_firmware_campaigns_paused', help: 'Paused firmware campaigns by why they paused: gate_failed, no_return (the campaign paused itself) or operator', labelNames: ['reason'], registers });
    this.waveFailed = new Gauge({ name: 'chargewatch_firmware_campaign_wave_failed_percent', help: "Share of the current wave's stations whose update failed, per running or paused campaign (id)", labelNames: ['campaign'], registers });
    this.stations = new Gauge({ name: 'chargewatch_firmware_campaign_stations', help: 'Stations of each running or paused campaign by state (pending, updating, verified, failed, cancelled)', labelNames: ['campaign', 'state'], registers });
    this.notBack = new Gauge({ name: 'chargewatch_firmware_updates_not_back', help: 'Firmware updates of the last 24 h whose station did not come back after installing (no_return)', registers });
    this.steps = new Counter({ name: 'chargewatch_firmware_campaign_steps_total', help: 'Steps campaign ticks carried out: dispatch, advance, pause, complete', labelNames: ['step'], registers });
  }

  async refresh(pool: Pool): Promise<void> {
    const [byStatus, paused, waves, stations, notBack] = await Promise.all([
      pool.query(`SELECT status, count(*)::int AS n FROM firmware_campaigns GROUP BY status`),
      pool.query(`SELECT pause_reason AS reason, count(*)::int AS n FROM firmware_campaigns WHERE status = 'paused' GROUP BY pause_reason`),
      pool.query(
        `SELECT c.id, count(*) FILTER (WHERE cs.state <> 'cancelled')::int AS size, count(*) FILTER (WHERE cs.state = 'failed')::int AS failed
           FROM firmware_campaigns c JOIN firmware_campaign_stations cs ON cs.campaign_id = c.id AND cs.wave = c.current_wave
          WHERE c.status IN ('running', 'paused') GROUP BY c.id`,
      ),
      pool.query(
        `SELECT cs.campaign_id AS id, cs.state, count(*)::int AS n FROM firmware_campaign_stations cs JOIN firmware_campaigns c ON c.id = cs.campaign_id
          WHERE c.status IN ('running', 'paused') GROUP BY cs.campaign_id, cs.state`,
      ),
      pool.query(`SELECT count(*)::int AS n FROM firmware_updates WHERE failure_reason = 'no_return' AND finished_at > now() - interval '24 hours'`),
    ]);
    // Reset first: an ended campaign's series go away, and every fixed label value reads 0 when absent.
    this.campaigns.reset();
    for (const status of ['running', 'paused', 'completed', 'cancelled']) this.campaigns.set({ status }, 0);
    for (const r of byStatus.rows) this.campaigns.set({ status: r.status }, r.n);
    this.paused.reset();
    for (const reason of ['gate_failed', 'no_return', 'operator']) this.paused.set({ reason }, 0);
    for (const r of paused.rows) if (r.reason) this.paused.set({ reason: r.reason }, r.n);
    this.waveFailed.reset();
    for (const r of waves.rows) this.waveFailed.set({ campaign: String(r.id) }, r.size ? Math.floor((r.failed * 100) / r.size) : 0);
    this.stations.reset();
    for (const r of stations.rows) this.stations.set({ campaign: String(r.id), state: r.state }, r.n);
    this.notBack.set(notBack.rows[0].n);
  }
}
