/** OCPP 1.6J messages and command handlers of a simulated station; configuration keys in config16.ts. */
import type { RPCClient } from 'ocpp-rpc';
import { registerCommands16 } from './commands16';
import { buildConfiguration16, type ConfigKey } from './config16';
import type {
  ConnectorSim,
  FaultInfo,
  LogUpload,
  MeterSample,
  ProtocolDriver,
  StationContext,
  StopReason,
  TriggerKind,
  TxSim,
} from './model';

type Params = Record<string, any>;

const STOP_REASON_16: Record<StopReason, string> = {
  Local: 'Local',
  EVDisconnected: 'EVDisconnected',
  Remote: 'Remote',
  SoftReset: 'SoftReset',
  HardReset: 'HardReset',
  ImmediateReset: 'HardReset',
  Reboot: 'Reboot',
  DeAuthorized: 'DeAuthorized',
  PowerLoss: 'PowerLoss',
  SOCLimitReached: 'EVDisconnected',
  Fault: 'Other',
  UnlockCommand: 'UnlockCommand',
};

export function formatEnergy16(wh: number, unit: 'Wh' | 'kWh'): string {
  return unit === 'kWh' ? (wh / 1000).toFixed(3) : String(Math.round(wh));
}

/** A 1.6 MeterValue: energy register, power, and voltage/current per phase (AC) or SoC (DC). */
export function meterValue16(s: MeterSample, energyOnly = false): Params {
  const sv: Params[] = [
    {
      value: formatEnergy16(s.energyWh, s.unit),
      context: s.context,
      measurand: 'Energy.Active.Import.Register',
      location: 'Outlet',
      unit: s.unit,
    },
  ];
  if (!energyOnly) {
    sv.push({ value: String(s.powerW), context: s.context, measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' });
    if (s.kind === 'AC') {
      const phases = ['L1', 'L2', 'L3'];
      s.voltages.forEach((v, i) =>
        sv.push({ value: v.toFixed(1), context: s.context, measurand: 'Voltage', phase: `${phases[i]}-N`, location: 'Outlet', unit: 'V' }),
      );
      s.currents.forEach((a, i) =>
        sv.push({ value: a.toFixed(2), context: s.context, measurand: 'Current.Import', phase: phases[i], location: 'Outlet', unit: 'A' }),
      );
    } else {
      sv.push({ value: s.voltages[0].toFixed(1), context: s.context, measurand: 'Voltage', location: 'Outlet', unit: 'V' });
      sv.push({ value: s.currents[0].toFixed(1), context: s.context, measurand: 'Current.Import', location: 'Outlet', unit: 'A' });
      if (s.soc !== undefined) sv.push({ value: s.soc.toFixed(1), context: s.context, measurand: 'SoC', location: 'EV', unit: 'Percent' });
    }
  }
  return { timestamp: s.timestamp, sampledValue: sv };
}

/** A PEM-shaped certificate signing request for the station (its content is not a real key). */
export function certificateRequest(stationId: string): string {
  const body = Buffer.from(`CN=${stationId},O=ChargeWatch simulator`).toString('base64');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

export class Protocol16 implements ProtocolDriver {
  readonly version = 'ocpp1.6' as const;
  readonly config: Map<string, ConfigKey>;
  /** Boolean configuration keys, read by the command handlers (commands16.ts) and the configuration. */
  readonly flags: Record<string, boolean> = {
    LocalAuthListEnabled: true,
    LocalAuthorizeOffline: true,
    LocalPreAuthorize: false,
    AllowOfflineTxForUnknownId: true,
    AuthorizeRemoteTxRequests: true,
    StopTransactionOnEVSideDisconnect: true,
    StopTransactionOnInvalidId: true,
    UnlockConnectorOnEVSideDisconnect: true,
  };
  private station0Reported?: string;
  private certificateRequested = false;

  constructor(private readonly st: StationContext) {
    this.config = buildConfiguration16(st, this.flags);
  }

  flag(name: string): boolean {
    return !!this.flags[name];
  }

  // -------------------------------------------------------------- station → CSMS

  bootParams(): Params {
    const st = this.st;
    return {
      chargePointVendor: st.profile.vendor,
      chargePointModel: st.profile.model,
      chargePointSerialNumber: st.serialNumber,
      chargeBoxSerialNumber: st.serialNumber,
      firmwareVersion: st.firmwareVersion,
      meterType: st.profile.meterType.slice(0, 25),
      meterSerialNumber: st.meterSerialNumber,
    };
  }

  heartbeat(): void {
    void this.st.enqueue('Heartbeat', () => ({}));
  }

  /**
   * A Security Whitepaper station reports its start-up as a security event and, once, asks for a
   * signed certificate; a refusal leaves it on its factory certificate.
   */
  booted(reason: string): void {
    if (!this.st.profile.securityWhitepaper16) return;
    this.securityEvent(reason === 'PowerUp' ? 'StartupOfTheDevice' : 'ResetOrReboot', `boot reason ${reason}`);
    if (this.certificateRequested) return;
    this.certificateRequested = true;
    void this.st.enqueue('SignCertificate', () => ({ csr: certificateRequest(this.st.id) }));
  }

  sendStatus(c: ConnectorSim, force = false): void {
    const key = `${c.status}/${c.fault?.code ?? 'NoError'}`;
    if (!force && c.reported === key) return;
    if (!this.st.isOnline()) return;
    c.reported = key;
    const params: Params = {
      connectorId: c.id,
      errorCode: c.fault && c.status === 'Faulted' ? c.fault.code : 'NoError',
      status: c.status,
      timestamp: this.st.nowIso(),
    };
    if (c.fault && c.status === 'Faulted') {
      params.vendorId = this.st.profile.vendor;
      params.vendorErrorCode = c.fault.vendorErrorCode;
      params.info = `${c.fault.code} detected`;
    }
    void this.st.enqueue('StatusNotification', () => params);
  }

  sendAllStatuses(): void {
    if (!this.st.isOnline()) return;
    const allDown = this.st.connectors.every((c) => !c.operative);
    const s0 = allDown ? 'Unavailable' : 'Available';
    this.station0Reported = s0;
    void this.st.enqueue('StatusNotification', () => ({
      connectorId: 0,
      errorCode: 'NoError',
      status: s0,
      timestamp: this.st.nowIso(),
    }));
    for (const c of this.st.connectors) this.sendStatus(c, true);
  }

  async authorize(idTag: string): Promise<string> {
    const local = this.flags.LocalAuthListEnabled ? this.st.localList.entries.get(idTag) : undefined;
    if (!this.st.isOnline()) {
      if (local) return this.flags.LocalAuthorizeOffline ? local : 'Invalid';
      return this.flags.AllowOfflineTxForUnknownId ? 'Accepted' : 'Invalid';
    }
    if (local === 'Accepted' && this.flags.LocalPreAuthorize) return 'Accepted';
    const res = await this.st.enqueue('Authorize', () => ({ idTag }));
    if (!res) return local ?? (this.flags.AllowOfflineTxForUnknownId ? 'Accepted' : 'Invalid');
    return res.idTagInfo?.status ?? 'Invalid';
  }

  txStarted(c: ConnectorSim, tx: TxSim, sample: MeterSample, onRejected: () => void): void {
    void this.st
      .enqueue(
        'StartTransaction',
        () => ({ connectorId: c.id, idTag: tx.idTag, meterStart: Math.round(tx.meterStartWh), timestamp: sample.timestamp }),
        {
          queueOffline: true,
          // Synchronous, so the queued MeterValues/StopTransaction right behind it see the id.
          onReply: (res) => {
            tx.transactionId = res.transactionId;
          },
        },
      )
      .then((res) => {
        if (!res) {
          tx.startFailed = true;
          return;
        }
        if (res.idTagInfo?.status !== 'Accepted' && this.flags.StopTransactionOnInvalidId) onRejected();
      });
    this.sendStatus(c);
  }

  private txMessage(tx: TxSim, build: (id: number) => Params): () => Params | null {
    return () => (typeof tx.transactionId === 'number' && !tx.startFailed ? build(tx.transactionId) : null);
  }

  txUpdated(c: ConnectorSim, tx: TxSim, sample: MeterSample, trigger: 'periodic' | 'chargingState' | 'trigger'): void {
    if (trigger === 'chargingState') this.sendStatus(c);
    const mv = meterValue16(sample);
    void this.st.enqueue(
      'MeterValues',
      this.txMessage(tx, (id) => ({ connectorId: c.id, transactionId: id, meterValue: [mv] })),
      { queueOffline: true },
    );
  }

  txEnded(c: ConnectorSim, tx: TxSim, sample: MeterSample, reason: StopReason): void {
    const begin = meterValue16(tx.beginSample, true);
    const end = meterValue16(sample, true);
    void this.st.enqueue(
      'StopTransaction',
      this.txMessage(tx, (id) => ({
        transactionId: id,
        idTag: tx.idTag,
        meterStop: Math.round(sample.energyWh),
        timestamp: sample.timestamp,
        reason: STOP_REASON_16[reason],
        transactionData: [begin, end],
      })),
      { queueOffline: true },
    );
  }

  faultRaised(c: ConnectorSim, _fault: FaultInfo): void {
    this.sendStatus(c);
  }

  faultCleared(c: ConnectorSim, _fault: FaultInfo): void {
    this.sendStatus(c);
  }

  firmwareStatus(status: string): void {
    const { signed, requestId } = this.st.firmware;
    // A secure update is reported in the Security Whitepaper's message, with its request id.
    if (signed && status !== 'Idle') void this.st.enqueue('SignedFirmwareStatusNotification', () => ({ status, requestId }));
    else void this.st.enqueue('FirmwareStatusNotification', () => ({ status }));
  }

  securityEvent(type: string, techInfo?: string): void {
    const timestamp = this.st.nowIso();
    void this.st.enqueue('SecurityEventNotification', () => (techInfo === undefined ? { type, timestamp } : { type, timestamp, techInfo: techInfo.slice(0, 255) }));
  }

  meterValues(c: ConnectorSim): void {
    const tx = c.tx;
    const mv = meterValue16(this.st.sample(c, 'Trigger'));
    if (tx && typeof tx.transactionId === 'number') {
      const id = tx.transactionId;
      void this.st.enqueue('MeterValues', () => ({ connectorId: c.id, transactionId: id, meterValue: [mv] }));
    } else {
      void this.st.enqueue('MeterValues', () => ({ connectorId: c.id, meterValue: [mv] }));
    }
  }

  logStatus(upload: LogUpload): void {
    if (upload.kind === 'diagnostics') {
      void this.st.enqueue('DiagnosticsStatusNotification', () => ({ status: upload.status }));
    } else {
      void this.st.enqueue('LogStatusNotification', () => (upload.requestId === undefined ? { status: upload.status } : { status: upload.status, requestId: upload.requestId }));
    }
  }

  // -------------------------------------------------------------- CSMS → station

  register(client: RPCClient): void {
    registerCommands16(client, this.st, this);
  }
}
