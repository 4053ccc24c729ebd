// The events WebSocket (docs/events.md) with what A3 asks of the app: reconnect with
// backoff, resume from the last sequence number so no event is lost or repeated, a
// resync when the server no longer has what was missed, and "session ended" (4001)
// sent back to the login screen. Pure parts (backoff, sequence bookkeeping) are
// exported for the tests.

export interface ServerEvent {
  type: string;
  seq?: number;
  [key: string]: unknown;
}

export type ConnectionStatus = 'connecting' | 'open' | 'down';

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling to 30 s, ± 20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * What to do with one message given the last sequence number processed: deliver it,
 * drop it (a repeat), or reload over HTTP (resync, or a gap). `hello` re-bases.
 */
export type Verdict = { kind: 'deliver'; seq: number } | { kind: 'skip' } | { kind: 'resync'; seq: number } | { kind: 'hello'; seq: number };

export function judge(lastSeq: number | null, msg: ServerEvent): Verdict {
  const seq = typeof msg.seq === 'number' ? msg.seq : null;
  if (msg.type === 'hello') return { kind: 'hello', seq: seq ?? 0 };
  if (msg.type === 'resync') return { kind: 'resync', seq: seq ?? 0 };
  if (msg.type === 'pong' || seq === null) return { kind: 'skip' };
  if (lastSeq !== null && seq <= lastSeq) return { kind: 'skip' };
  if (lastSeq !== null && seq > lastSeq + 1) return { kind: 'resync', seq };
  return { kind: 'deliver', seq };
}

export interface EventStreamOptions {
  token: string;
  onEvent: (event: ServerEvent) => void;
  /** Reload what the screens show over HTTP: the events since the last seen are gone. */
  onResync: () => void;
  onStatus: (status: ConnectionStatus) => void;
  onSessionEnded: () => void;
  url?: string;
  /** For tests: the WebSocket constructor and timers. */
  WebSocketImpl?: typeof WebSocket;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class EventStream {
  private socket: WebSocket | null = null;
  private lastSeq: number | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private stopped = false;
  private readonly opts: EventStreamOptions;

  constructor(opts: EventStreamOptions) {
    this.opts = opts;
  }

  get position(): number | null {
    return this.lastSeq;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000, 'bye');
      this.socket = null;
    }
  }

  /** Reconnect now (the network came back, the tab became visible). */
  nudge(): void {
    if (this.stopped || (this.socket && this.socket.readyState <= 1)) return;
    this.clear();
    this.attempt = 0;
    this.connect();
  }

  private clear(): void {
    const clearTimer = this.opts.clearTimer ?? ((h: unknown) => clearTimeout(h as number));
    if (this.retryTimer !== null) clearTimer(this.retryTimer);
    if (this.pingTimer !== null) clearTimer(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private url(): string {
    if (this.opts.url) return this.opts.url;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/api/v1/events`;
  }

  private connect(): void {
    const WS = this.opts.WebSocketImpl ?? WebSocket;
    this.opts.onStatus('connecting');
    const socket = new WS(this.url());
    this.socket = socket;
    socket.onopen = () => {
      const auth: Record<string, unknown> = { type: 'auth', token: this.opts.token };
      if (this.lastSeq !== null) auth.since = this.lastSeq;
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = (e: MessageEvent) => {
      let msg: ServerEvent;
      try {
        msg = JSON.parse(String(e.data)) as ServerEvent;
      } catch {
        return;
      }
      if (!msg || typeof msg.type !== 'string') return;
      const v = judge(this.lastSeq, msg);
      switch (v.kind) {
        case 'hello': {
          this.attempt = 0;
          this.opts.onStatus('open');
          this.schedulePing();
          // A counter that restarted below our position: what we hold is stale.
          if (this.lastSeq !== null && v.seq < this.lastSeq) {
            this.lastSeq = v.seq;
            this.opts.onResync();
          } else if (this.lastSeq === null) {
            this.lastSeq = v.seq;
          }
          break;
        }
        case 'resync':
          this.lastSeq = v.seq;
          this.opts.onResync();
          break;
        case 'deliver':
          this.lastSeq = v.seq;
          this.opts.onEvent(msg);
          break;
        case 'skip':
          break;
      }
    };
    socket.onclose = (e: CloseEvent) => {
      this.socket = null;
      this.clear();
      if (this.stopped) return;
      if (e.code === 4001 || e.code === 4003) {
        this.opts.onStatus('down');
        this.opts.onSessionEnded();
        return;
      }
      this.opts.onStatus('down');
      const setTimer = this.opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
      this.retryTimer = setTimer(() => {
        this.retryTimer = null;
        this.connect();
      }, backoffMs(this.attempt++));
    };
    socket.onerror = () => {
      /* onclose follows */
    };
  }

  // A message now and then keeps NATs and proxies from dropping an idle socket.
  private schedulePing(): void {
    const setTimer = this.opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.pingTimer = setTimer(() => {
      this.pingTimer = null;
      if (this.socket && this.socket.readyState === 1) {
        this.socket.send('{"type":"ping"}');
        this.schedulePing();
      }
    }, 25_000);
  }
}
