/**
 * OCPP 2.0.1 messages and command handlers of a simulated station (one connector per EVSE). Message
 * shapes are in messages201.ts, the device model behind Get/SetVariables in device-model201.ts.
 */
import type { RPCClient } from 'ocpp-rpc';
import { registerCommands201 } from './commands201';
import { buildDeviceModel201, type VariableDef } from './device-model201';
import { END_TRIGGER, STOPPED_REASON, connectorStatus201, meterValue201 } from './messages201';
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

export class Protocol201 implements ProtocolDriver {
  readonly version = 'ocpp2.0.1' as const;
  readonly variables: VariableDef[];
  /** Boolean device-model variables, read by the command handlers (commands201.ts) and the device model. */
  readonly flags: Record<string, boolean> = {
    LocalAuthListEnabled: true,
    LocalAuthorizeOffline: true,
    LocalPreAuthorize: false,
    OfflineTxForUnknownIdEnabled: true,
    AuthorizeRemoteStart: true,
    StopTxOnInvalidId: true,
    StopTxOnEVSideDisconnect: true,
    // Absent or false: EVSEs not in use go Unavailable while a firmware install waits for transactions to end.
    AllowNewSessionsPendingFirmwareUpdate: false,
  };
  private notifySeq = 0;

  constructor(private readonly st: StationContext) {
    this.variables = buildDeviceModel201(st, this.flags);
  }

  // -------------------------------------------------------------- station → CSMS

  bootParams(reason: string): Params {
    const st = this.st;
    return {
      reason,
      chargingStation: {
        serialNumber: st.serialNumber,
        model: st.profile.model,
        vendorName: st.profile.vendor,
        firmwareVersion: st.firmwareVersion,
      },
    };
  }

  heartbeat(): void {
    void this.st.enqueue('Heartbeat', () => ({}));
  }

  sendStatus(c: ConnectorSim, force = false): void {
    const status = connectorStatus201(c.status);
    if (!force && c.reported === status) return;
    if (!this.st.isOnline()) return;
    c.reported = status;
    const params = { timestamp: this.st.nowIso(), connectorStatus: status, evseId: c.id, connectorId: 1 };
    void this.st.enqueue('StatusNotification', () => params);
  }

  sendAllStatuses(): void {
    for (const c of this.st.connectors) this.sendStatus(c, true);
  }

  async authorize(idTag: string, type: 'ISO14443' | 'KeyCode' = 'ISO14443'): Promise<string> {
    const local = this.flags.LocalAuthListEnabled ? this.st.localList.entries.get(idTag) : undefined;
    if (!this.st.isOnline()) {
      if (local) return this.flags.LocalAuthorizeOffline ? local : 'Invalid';
      return this.flags.OfflineTxForUnknownIdEnabled ? 'Accepted' : 'Invalid';
    }
    if (local === 'Accepted' && this.flags.LocalPreAuthorize) return 'Accepted';
    const res = await this.st.enqueue('Authorize', () => ({ idToken: { idToken: idTag, type } }));
    if (!res) return local ?? (this.flags.OfflineTxForUnknownIdEnabled ? 'Accepted' : 'Invalid');
    return res.idTokenInfo?.status ?? 'Invalid';
  }

  private idToken(tx: TxSim): Params {
    return { idToken: tx.idTag, type: tx.plan.remote ? 'Central' : (tx.plan.idTokenType ?? 'ISO14443') };
  }

  /** Builds now (offline flag and seqNo fixed at the time of the event) and queues for replay. */
  private transactionEvent(c: ConnectorSim, tx: TxSim, p: Params): Promise<any> {
    const params: Params = {
      ...p,
      seqNo: tx.seqNo++,
      evse: { id: c.id, connectorId: 1 },
    };
    if (!this.st.isOnline()) params.offline = true;
    return this.st.enqueue('TransactionEvent', () => params, { queueOffline: true });
  }

  txStarted(c: ConnectorSim, tx: TxSim, sample: MeterSample, onRejected: () => void): void {
    const info: Params = { transactionId: String(tx.transactionId), chargingState: tx.chargingState };
    if (tx.plan.remoteStartId !== undefined) info.remoteStartId = tx.plan.remoteStartId;
    void this.transactionEvent(c, tx, {
      eventType: 'Started',
      timestamp: sample.timestamp,
      triggerReason: tx.plan.remote ? 'RemoteStart' : 'Authorized',
      transactionInfo: info,
      idToken: this.idToken(tx),
      meterValue: [meterValue201(sample)],
      ...(this.st.profile.kind === 'AC' ? { numberOfPhasesUsed: this.st.profile.phases } : {}),
    }).then((res) => {
      const status = res?.idTokenInfo?.status;
      if (status && status !== 'Accepted' && this.flags.StopTxOnInvalidId) onRejected();
    });
    this.sendStatus(c);
  }

  txUpdated(c: ConnectorSim, tx: TxSim, sample: MeterSample, trigger: 'periodic' | 'chargingState' | 'trigger'): void {
    void this.transactionEvent(c, tx, {
      eventType: 'Updated',
      timestamp: sample.timestamp,
      triggerReason: trigger === 'periodic' ? 'MeterValuePeriodic' : trigger === 'trigger' ? 'Trigger' : 'ChargingStateChanged',
      transactionInfo: { transactionId: String(tx.transactionId), chargingState: tx.chargingState },
      meterValue: [meterValue201(sample)],
    });
  }

  txEnded(c: ConnectorSim, tx: TxSim, sample: MeterSample, reason: StopReason, fault?: FaultInfo): void {
    let stoppedReason = STOPPED_REASON[reason];
    if (reason === 'Fault' && fault) {
      if (fault.code === 'GroundFailure') stoppedReason = 'GroundFault';
      else if (fault.code === 'OverCurrentFailure') stoppedReason = 'OvercurrentFault';
    }
    const p: Params = {
      eventType: 'Ended',
      timestamp: sample.timestamp,
      triggerReason: END_TRIGGER[reason],
      transactionInfo: {
        transactionId: String(tx.transactionId),
        chargingState: reason === 'EVDisconnected' ? 'Idle' : 'EVConnected',
        stoppedReason,
        timeSpentCharging: Math.round(tx.timeSpentChargingSec),
      },
      meterValue: [meterValue201(sample, true)],
    };
    if (reason === 'Local') p.idToken = this.idToken(tx);
    void this.transactionEvent(c, tx, p);
  }

  private notifyProblem(c: ConnectorSim, fault: FaultInfo, cleared: boolean): void {
    const eventData: Params = {
      eventId: cleared ? this.st.nextEventId() : fault.eventId,
      timestamp: this.st.nowIso(),
      trigger: 'Alerting',
      actualValue: cleared ? 'false' : 'true',
      techCode: fault.vendorErrorCode,
      techInfo: fault.code,
      cleared,
      eventNotificationType: 'HardWiredNotification',
      component: { name: 'Connector', evse: { id: c.id, connectorId: 1 } },
      variable: { name: 'Problem' },
    };
    if (cleared) eventData.cause = fault.eventId;
    const params = { generatedAt: this.st.nowIso(), seqNo: 0, tbc: false, eventData: [eventData] };
    this.notifySeq++;
    void this.st.enqueue('NotifyEvent', () => params);
  }

  faultRaised(c: ConnectorSim, fault: FaultInfo): void {
    this.sendStatus(c);
    this.notifyProblem(c, fault, false);
  }

  faultCleared(c: ConnectorSim, fault: FaultInfo): void {
    this.notifyProblem(c, fault, true);
    this.sendStatus(c);
  }

  firmwareStatus(status: string): void {
    const requestId = this.st.firmware.requestId;
    void this.st.enqueue('FirmwareStatusNotification', () => (status === 'Idle' || requestId === undefined ? { status } : { status, requestId }));
  }

  securityEvent(type: string, techInfo?: string): void {
    const timestamp = this.st.nowIso();
    void this.st.enqueue('SecurityEventNotification', () => (techInfo === undefined ? { type, timestamp } : { type, timestamp, techInfo: techInfo.slice(0, 255) }));
  }

  allowNewSessionsPendingFirmwareUpdate(): boolean {
    return this.flags.AllowNewSessionsPendingFirmwareUpdate;
  }

  meterValues(c: ConnectorSim): void {
    const sample = this.st.sample(c, 'Trigger');
    if (c.tx) {
      this.txUpdated(c, c.tx, sample, 'trigger');
    } else {
      void this.st.enqueue('MeterValues', () => ({ evseId: c.id, meterValue: [meterValue201(sample)] }));
    }
  }

  logStatus(upload: LogUpload): void {
    void this.st.enqueue('LogStatusNotification', () => (upload.requestId === undefined ? { status: upload.status } : { status: upload.status, requestId: upload.requestId }));
  }

  // -------------------------------------------------------------- CSMS → station

  register(client: RPCClient): void {
    registerCommands201(client, this.st, this);
  }
}