/**
 * The messages the page receives on `/subscribe` (docs/PROTOCOL.md, "Publish:
 * subscribers", and the page additions of issue 19): the wire contract as the
 * browser sees it, declared here rather than imported from the server so that
 * the page depends on the protocol, not on the server's modules.
 */

/** A unit id: a number where the source's ids are whole numbers, else its text. */
export type UnitId = string | number;

/** One pair of an update's `pairs` (bits). */
export interface PairRecord {
  a: UnitId;
  b: UnitId;
  joint: number;
  ia: number;
  ib: number;
  synergy: number;
  normalized?: number | null;
  excess?: number;
  p?: number;
  p_fwer?: number;
  p_fwer_tail?: number;
  q?: number;
}

export interface GroupRecord {
  name: string;
  /** Units in the group (a count; a list of ids is accepted too). */
  units: number | UnitId[];
  measured?: number;
  method?: string;
  samples?: number;
  oinfo: number | null;
  tc: number | null;
  dtc: number | null;
  sinfo?: number | null;
  synergy: number | null;
  doinfo_y: number | null;
  p?: Partial<Record<'oinfo' | 'tc' | 'dtc' | 'sinfo' | 'synergy' | 'doinfo_y', number>>;
  note?: string;
}

export interface SubnetworkRecord {
  id: number;
  units: UnitId[];
  order: number;
  criterion?: string;
  oinfo: number | null;
  doinfo_y: number | null;
  p: number;
  since?: number;
  hops?: number;
}

export interface RegionRecord {
  a: string;
  b: string;
  difference: number;
  p: number;
  permutations?: number;
}

/** `{"type":"synergy"}`: one update of the sliding-window analysis. */
export interface SynergyUpdate {
  type: 'synergy';
  source?: string;
  t: number;
  window: [number, number];
  samples: number;
  labels: Record<string, number>;
  estimator?: string;
  levels?: number;
  dropped?: { unlabeled: number; late: number };
  units: number;
  pairsComputed: number;
  surrogates?: number;
  alpha?: number;
  significant?: number;
  pairs: PairRecord[];
  groups?: GroupRecord[];
  subnetworks?: SubnetworkRecord[];
  regions?: RegionRecord[];
  /** This subscriber was too slow: how many older updates this one replaced. */
  conflated?: number;
}

export interface AlertEvent {
  type: 'alert';
  state: 'raised' | 'cleared';
  kind: string;
  t: number;
  a?: UnitId;
  b?: UnitId;
  value?: number;
  p?: number;
  p_fwer?: number;
  source?: string;
  message: string;
}

export interface SourceStatus {
  name: string;
  connected: boolean;
  lost: boolean;
  ended: boolean;
  messages: number;
  spikes: number;
  missing: number;
  rejected: number;
  latestTime: number | null;
  progress?: number;
}

export interface StatusMessage {
  type: 'status';
  wallMs: number;
  sources: SourceStatus[];
}

export interface EndMessage {
  type: 'end';
  source: string | null;
  t: number | null;
  updates: number;
  message: string;
}

export interface RunHeader {
  type: 'run';
  version?: string;
  command?: string;
  source?: string;
  format?: string;
  options?: Record<string, unknown>;
  seed?: number;
  started?: string;
  /** Named groups of unit ids: the matrix can be ordered by them (the commands write them as options.groupUnits, [{name, units}]; unitOrder.ts, runGroupUnits). */
  groupUnits?: Record<string, UnitId[]>;
  /** Pairs the run knows to be planted (a simulated rig), when it says so. */
  planted?: Array<{ a: UnitId; b: UnitId; kind: string }>;
}

export interface WelcomeMessage {
  type: 'welcome';
  protocol: number;
  topics?: string[];
  analysis?: Record<string, unknown>;
  run?: RunHeader | null;
}

export interface HistoryMessage {
  type: 'history';
  alerts: AlertEvent[];
  updates: SynergyUpdate[];
  ended: EndMessage[];
}

export interface SubscribedMessage {
  type: 'subscribed';
  topics: string[];
  top?: number | null;
}

export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

export type ServerMessage = WelcomeMessage | SubscribedMessage | HistoryMessage | SynergyUpdate | AlertEvent | StatusMessage | EndMessage | ErrorMessage;

/** What the page asks for: every topic, the strongest 50 pairs, and the past. */
export const SUBSCRIBE_REQUEST = { type: 'subscribe', topics: ['synergy', 'alerts', 'matrix', 'status'], top: 50, history: true } as const;

/** One key for a pair in canonical order ("3|12"); ids are compared as text so that 3 and "3" meet. */
export function pairKey(a: UnitId, b: UnitId): string {
  return compareUnitIds(a, b) <= 0 ? `${a}|${b}` : `${b}|${a}`;
}

const WHOLE_NUMBER = /^(0|-?[1-9]\d{0,15})$/;

function asNumber(id: UnitId): number | undefined {
  if (typeof id === 'number') return id;
  return WHOLE_NUMBER.test(id) ? Number(id) : undefined;
}

/** The server's canonical order of unit ids: whole numbers numerically, then text in code point order. */
export function compareUnitIds(x: UnitId, y: UnitId): number {
  const nx = asNumber(x);
  const ny = asNumber(y);
  if (nx !== undefined && ny !== undefined) return nx - ny;
  if (nx !== undefined) return -1;
  if (ny !== undefined) return 1;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}
