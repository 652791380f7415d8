/**
 * Processor of the firmware queue's `campaign-ticks` job (one job scheduler, so one tick job at a time
 * however many workers run): ticks every running campaign in turn. One campaign's failure is logged and
 * does not stop the others; the job fails only when the list of campaigns cannot be read.
 */
import type { CampaignStore, Logger } from '@chargewatch/platform';
import { tickCampaign, type CampaignTickDeps, type TickOutcome } from './campaign-tick';

export interface CampaignTicksResult {
  campaigns: number;
  outcomes: TickOutcome[];
  failed: string[];
}

export function campaignTicksProcessor(deps: CampaignTickDeps & { campaigns: CampaignStore; logger: Logger }): () => Promise<CampaignTicksResult> {
  return async () => {
    const ids = await deps.campaigns.runningIds();
    const outcomes: TickOutcome[] = [];
    const failed: string[] = [];
    for (const id of ids) {
      try {
        outcomes.push(await tickCampaign(deps, id));
      } catch (err) {
        failed.push(id);
        deps.logger.warn({ campaign: id, err: (err as Error).message }, 'firmware campaign tick failed; the next tick tries again');
      }
    }
    return { campaigns: ids.length, outcomes, failed };
  };
}
