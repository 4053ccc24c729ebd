// The API's shapes the app reads (docs/openapi.yaml is the reference). Screens that
// need more declare it next to their own calls (src/api/*.ts).

export type AgentStateName = 'offline' | 'ready' | 'break' | 'acw' | 'ringing' | 'on_call';

export interface AgentSummary {
  id: string;
  name: string;
  org: string;
  admin: boolean;
  menus: string[];
}

export interface Menu {
  digit: string;
  name: string;
}

export interface Org {
  name: string;
  timezone: string;
  country_code: string;
  menus: Menu[];
  categories: string[];
  after_call?: string;
  service_level_s?: number;
  [key: string]: unknown;
}

export interface AgentStateInfo {
  state: AgentStateName;
  since: string;
}

export interface Me {
  agent: AgentSummary;
  org: Org;
  session: { expires_at: string };
  must_change_password: boolean;
  state: AgentStateInfo;
}

export interface LoginResponse {
  token: string;
  expires_at: string;
  agent: AgentSummary;
  must_change_password: boolean;
}

export interface CallFigures {
  inflow: number;
  answered: number;
  unconnected: number;
  answer_rate: number | null;
  service_level: number | null;
  service_level_inflow?: number | null;
  avg_wait_ms: number | null;
  max_wait_ms: number | null;
  [key: string]: unknown;
}

export interface AgentFigures {
  answered: number;
  outbound: number;
  talk_ms: number;
  avg_talk_ms: number | null;
  hold_ms: number;
  acw_ms: number;
  break_ms: number;
  missed: number;
  [key: string]: unknown;
}

export interface HourPoint {
  hour: number;
  from?: string;
  inflow: number;
  answered: number;
  avg_wait_ms: number | null;
  max_wait_ms: number | null;
}

export interface Dashboard {
  state: AgentStateInfo;
  waiting: { menus: (Menu & { waiting: number })[]; total: number };
  today: { from: string; inflow: number; answered: number; answer_rate: number | null };
  hourly: { yesterday: HourPoint[]; today: HourPoint[]; both: HourPoint[] };
  mine: AgentFigures;
  timezone: string;
}

// ---- call records (docs/openapi.yaml `Call`, `CallDetail`) ----

export interface CallAgent {
  id: string;
  name: string;
}

/** The menu the caller chose; `name` is null when the org no longer has it. */
export interface CallMenu {
  digit: string;
  name: string | null;
}

export type CallDirection = 'inbound' | 'outbound' | 'internal';
export type CallResult = 'answered' | 'unconnected' | 'callback' | 'no_agent' | 'rejected' | 'failed' | 'interrupted';
export type EndedBy = 'customer' | 'agent' | 'system';
export type OfferOutcome = 'ringing' | 'answered' | 'missed' | 'withdrawn';

export interface CallNote {
  /** Null when its author no longer exists. */
  author: CallAgent | null;
  category: string;
  text: string;
  created_at: string;
  updated_at: string;
  /** The caller wrote it, so may change it (G5). */
  editable: boolean;
}

export interface CallOffer {
  agent: CallAgent | null;
  at: string;
  outcome: OfferOutcome;
}

/** A call record (schema `Call`); times UTC, durations ms. */
export interface CallRecord {
  id: number;
  direction: CallDirection;
  /** Empty for an internal call. */
  customer: string;
  org_number: string;
  menu: CallMenu | null;
  agent: CallAgent | null;
  result: CallResult;
  arrived_at: string;
  answered_at: string | null;
  ended_at: string;
  wait_ms: number;
  talk_ms: number;
  hold_ms: number;
  ended_by: EndedBy;
  end_reason: string;
  offers: CallOffer[];
  note: CallNote | null;
  notes: CallNote[];
  callback: number | null;
  from_call: number | null;
  recording_url: string | null;
}

export interface CallDetail extends CallRecord {
  earlier_contacts: CallRecord[];
}

/** POST of a dial (the dial pad, a call-back, a callback): the call being placed. */
export interface DialResponse {
  id: number;
  stage: 'dialing';
}
