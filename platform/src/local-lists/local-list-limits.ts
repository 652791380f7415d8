/**
 * What a station's local list takes, asked through the command bus (GetSettings):
 * - 1.6: configuration keys LocalAuthListEnabled (false or unknown: no list), LocalAuthListMaxLength
 *   (capacity), SendLocalListMaxLength (entries per SendLocalList);
 * - 2.0.1: LocalAuthListCtrlr.Enabled (unknown component or false: no list), Entries (capacity: its
 *   maxLimit is a characteristic only a GetBaseReport reports, so its MaxSet attribute is asked and
 *   a station that has none leaves the capacity unknown), ItemsPerMessage, BytesPerMessage.
 */
import type { CommandRecord, SettingRef } from '@chargewatch/model';
import type { LocalListLimits } from './local-list-store';

export type LearnedLimits = { supported: true; limits: LocalListLimits } | { supported: false; reason: string };

const CTRLR = { name: 'LocalAuthListCtrlr' };

export function limitSettings(protocol: string): SettingRef[] {
  if (protocol === 'ocpp1.6') return [{ key: 'LocalAuthListEnabled' }, { key: 'LocalAuthListMaxLength' }, { key: 'SendLocalListMaxLength' }];
  return [
    { component: CTRLR, variable: { name: 'Enabled' } },
    { component: CTRLR, variable: { name: 'Entries' }, attribute: 'MaxSet' },
    { component: CTRLR, variable: { name: 'ItemsPerMessage' } },
    { component: CTRLR, variable: { name: 'BytesPerMessage' } },
  ];
}

interface SettingItem {
  key?: string;
  variable?: { name?: string };
  value?: unknown;
  status?: string;
  reason?: string;
}

const positive = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\s*\d{1,9}\s*$/.test(v) ? Number(v) : undefined;
  return n !== undefined && n >= 0 ? n : undefined;
};

/** The limits from an accepted GetSettings answer (undefined: the command did not end accepted). */
export function readLimits(protocol: string, cmd: CommandRecord): LearnedLimits | undefined {
  if (cmd.result?.status !== 'accepted') return undefined;
  const items = (Array.isArray(cmd.result.data?.settings) ? cmd.result.data.settings : []) as SettingItem[];
  const find = (name: string) => items.find((i) => (protocol === 'ocpp1.6' ? i.key === name : i.variable?.name === name));
  const value = (name: string) => {
    const i = find(name);
    return i?.status === 'accepted' ? i.value : undefined;
  };
  const enabled = find(protocol === 'ocpp1.6' ? 'LocalAuthListEnabled' : 'Enabled');
  if (!enabled || enabled.status !== 'accepted') return { supported: false, reason: `the station has no local authorization list (${protocol === 'ocpp1.6' ? 'LocalAuthListEnabled' : 'LocalAuthListCtrlr.Enabled'} ${enabled?.reason ?? enabled?.status ?? 'not reported'})` };
  if (String(enabled.value).trim().toLowerCase() !== 'true') return { supported: false, reason: 'the station has its local authorization list disabled' };
  const limits: LocalListLimits = {};
  const max = positive(value(protocol === 'ocpp1.6' ? 'LocalAuthListMaxLength' : 'Entries'));
  const items_ = positive(value(protocol === 'ocpp1.6' ? 'SendLocalListMaxLength' : 'ItemsPerMessage'));
  const bytes = protocol === 'ocpp1.6' ? undefined : positive(value('BytesPerMessage'));
  if (max !== undefined) limits.maxEntries = max;
  if (items_ !== undefined && items_ > 0) limits.itemsPerMessage = items_;
  if (bytes !== undefined && bytes > 0) limits.bytesPerMessage = bytes;
  return { supported: true, limits };
}
