/** A tiny in-process CSMS for simulator tests: ocpp-rpc RPCServer in strict mode, both protocols. */
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';
import { PROFILES, type OcppVersion, type StationIdentity } from '../../../src/simulator/profiles';
import { SimulatedStation, type StationOptions } from '../../../src/simulator/station';

export interface Recorded {
  identity: string;
  action: string;
  params: any;
  seq: number;
}

type Reply = Record<string, unknown>;
type Handler = (identity: string, params: any, protocol: string) => Reply | undefined;

export class FakeCsms {
  readonly calls: Recorded[] = [];
  readonly validationFailures: unknown[] = [];
  readonly clients = new Map<string, any>();
  /** Per-action overrides; return undefined to fall back to the default reply. */
  readonly handlers: Record<string, Handler> = {};
  private seq = 0;
  private txId = 1000;
  private httpServer: any;

  private constructor(readonly server: any) {}

  static async start(): Promise<FakeCsms> {
    const server = new RPCServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'], strictMode: true });
    const csms = new FakeCsms(server);
    server.on('client', (client: any) => csms.attach(client));
    csms.httpServer = await server.listen(0, '127.0.0.1');
    return csms;
  }

  get url(): string {
    const port = (this.httpServer.address() as AddressInfo).port;
    return `ws://127.0.0.1:${port}/ocpp`;
  }

  private attach(client: any): void {
    const identity: string = client.identity;
    this.clients.set(identity, client);
    client.on('strictValidationFailure', (e: unknown) => this.validationFailures.push(e));
    client.on('close', () => {
      if (this.clients.get(identity) === client) this.clients.delete(identity);
    });
    client.handle(({ method, params }: { method: string; params: any }) => {
      this.calls.push({ identity, action: method, params, seq: ++this.seq });
      const custom = this.handlers[method]?.(identity, params, client.protocol);
      if (custom) return custom;
      return this.defaultReply(method, params, client.protocol);
    });
  }

  private defaultReply(action: string, params: any, protocol: string): Reply {
    const now = new Date().toISOString();
    switch (action) {
      case 'BootNotification':
        return { status: 'Accepted', interval: 300, currentTime: now };
      case 'Heartbeat':
        return { currentTime: now };
      case 'Authorize':
        return protocol === 'ocpp1.6' ? { idTagInfo: { status: 'Accepted' } } : { idTokenInfo: { status: 'Accepted' } };
      case 'StartTransaction':
        return { transactionId: ++this.txId, idTagInfo: { status: 'Accepted' } };
      case 'StopTransaction':
        return { idTagInfo: { status: 'Accepted' } };
      case 'TransactionEvent':
        return params.idToken ? { idTokenInfo: { status: 'Accepted' } } : {};
      case 'DataTransfer':
        return { status: 'Accepted' };
      case 'SignCertificate':
        return { status: 'Rejected' };
      default:
        return {};
    }
  }

  /** Marks a point in the recorded sequence (e.g. "the reply to my command arrived here"). */
  mark(): number {
    return ++this.seq;
  }

  callsFor(identity: string, action?: string | string[]): Recorded[] {
    const actions = action === undefined ? undefined : Array.isArray(action) ? action : [action];
    return this.calls.filter((c) => c.identity === identity && (!actions || actions.includes(c.action)));
  }

  async command(identity: string, action: string, params: Record<string, unknown>): Promise<any> {
    const client = this.clients.get(identity);
    if (!client) throw new Error(`${identity} not connected`);
    const res = await client.call(action, params);
    return res;
  }

  async close(): Promise<void> {
    await this.server.close({ force: true });
  }
}

export async function waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function identity(opts: { id: string; protocol: OcppVersion; profile?: number; connectors?: number; seed?: number }): StationIdentity {
  const profile = PROFILES[opts.profile ?? 0];
  return {
    stationId: opts.id,
    protocol: opts.protocol,
    profile,
    firmwareVersion: profile.firmwareVersions[0],
    serialNumber: `${profile.serialPrefix}00000001`,
    meterSerialNumber: 'M0000000001',
    connectors: opts.connectors ?? 2,
    seed: opts.seed ?? 42,
  };
}

/** A fast, quiet station: speed 1000, 10 s meter interval, no random sessions, faults or drops. */
export function makeStation(
  csms: FakeCsms,
  o: { id: string; protocol: OcppVersion; profile?: number; connectors?: number; seed?: number } & Partial<StationOptions>,
): SimulatedStation {
  return new SimulatedStation({
    identity: identity(o),
    url: csms.url,
    speed: 1000,
    meterIntervalSec: 10,
    autoSessions: false,
    faultProbability: 0,
    disconnectProbability: 0,
    ...o,
  });
}

/** Starts a station, waits until its boot is accepted and its first messages are out; `keep` collects it for stopping. */
export async function startStation(...[csms, o, keep]: [...Parameters<typeof makeStation>, SimulatedStation[]]): Promise<SimulatedStation> {
  const s = makeStation(csms, o);
  keep.push(s);
  await s.start();
  await s.whenAccepted();
  await s.flush();
  return s;
}

/** Energy register in Wh from a 1.6 or 2.0.1 MeterValue. */
export function energyWh(meterValue: any): number {
  const sv = meterValue.sampledValue.find((s: any) => s.measurand === 'Energy.Active.Import.Register');
  const unit = sv.unit ?? sv.unitOfMeasure?.unit ?? 'Wh';
  const v = Number(sv.value);
  return unit === 'kWh' ? Math.round(v * 1000) : v;
}
