// What the end-to-end suite (run.mjs) runs besides the browser: `switchboard serve
// --demo` on free loopback ports in a temporary data directory, and sipp processes (the
// agent's phone, its registration, the customer) built as tests/sipp/harness.py builds
// them, with the same scenario files where they fit. Every child runs in its own process
// group and is killed by stopAll(), also on failure. Waits poll a condition with a
// deadline; nothing sleeps and hopes.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const TRUNK_IP = '127.0.0.10'; // the demo trunk: calls from here are customer calls
export const AGENT_IP = '127.0.0.1'; // the agents' phones
export const DEMO_ORG = 'Demo';
export const DEMO_DOMAIN = 'demo.switchboard.test';
export const DEMO_NUMBER = '0215880000';
export const CUSTOMER = '01099990000'; // the From of tests/sipp/scenarios/trunk_keys.xml

export class Failure extends Error {}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls fn until it returns a truthy value (returned) or `ms` pass (throws with what). */
export async function waitFor(what, fn, ms = 10_000, every = 50) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : last !== undefined ? ` (last: ${JSON.stringify(last)})` : '';
      throw new Failure(`${what}: not within ${ms} ms${why}`);
    }
    await sleep(every);
  }
}

// ---- ports ------------------------------------------------------------------------------

function bindUdp(ip, port) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind({ address: ip, port, exclusive: true }, () => resolve(s));
  });
}

function bindTcp(ip, port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen({ host: ip, port, exclusive: true }, () => resolve(s));
  });
}

async function closeAll(socks) {
  await Promise.all(socks.filter(Boolean).map((s) => new Promise((r) => s.close(() => r()))));
}

/** A port free for both UDP and TCP on ip (sipp binds both). */
export async function freePort(ip) {
  for (let i = 0; i < 50; i++) {
    const u = await bindUdp(ip, 0);
    if (!u) continue;
    const port = u.address().port;
    const t = await bindTcp(ip, port);
    await closeAll([u, t]);
    if (t) return port;
  }
  throw new Failure(`no free port on ${ip}`);
}

/** The first of `count` consecutive free UDP ports on ip, even, inside [lo, hi): the
 * server's --rtp-ports (10000–15999) and sipp's -mp (16000–19999), below the kernel's
 * ephemeral ports, as harness.py takes them. */
export async function freePortBlock(ip, count, lo, hi) {
  for (let i = 0; i < 100; i++) {
    const base = 2 * Math.floor((lo + Math.random() * (hi - count - lo)) / 2);
    const socks = [];
    let ok = true;
    for (let p = base; p < base + count && ok; p++) {
      const s = await bindUdp(ip, p);
      if (s) socks.push(s);
      else ok = false;
    }
    await closeAll(socks);
    if (ok) return base;
  }
  throw new Failure(`no ${count} free consecutive UDP ports on ${ip}`);
}

/** sipp's remote-control port (-cp, UDP on 127.0.0.1), from a range below the ephemeral ports. */
async function controlPort() {
  for (let i = 0; i < 100; i++) {
    const port = 24000 + Math.floor(Math.random() * 7000);
    const s = await bindUdp('127.0.0.1', port);
    if (s) {
      await closeAll([s]);
      return port;
    }
  }
  throw new Failure('no free sipp control port');
}

// ---- processes --------------------------------------------------------------------------

const children = [];

export class Proc {
  constructor(dir, name, argv, opts = {}) {
    this.name = name;
    this.argv = argv;
    this.out = path.join(dir, `${name}.out`);
    this.err = path.join(dir, `${name}.stderr`);
    const out = fs.openSync(this.out, 'w');
    const err = fs.openSync(this.err, 'w');
    this.child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd ?? dir, stdio: ['ignore', out, err], detached: true, env: opts.env ?? process.env });
    fs.closeSync(out);
    fs.closeSync(err);
    this.code = null;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, sig) => {
        this.code = code ?? (sig ? `signal ${sig}` : null);
        resolve(this.code);
      });
      this.child.once('error', (e) => {
        this.code = `spawn error: ${e.message}`;
        resolve(this.code);
      });
    });
    children.push(this);
  }

  alive() {
    return this.code === null;
  }

  stdout() {
    return fs.existsSync(this.out) ? fs.readFileSync(this.out, 'utf8') : '';
  }

  stderr() {
    return fs.existsSync(this.err) ? fs.readFileSync(this.err, 'utf8') : '';
  }

  signal(sig) {
    try {
      process.kill(-this.child.pid, sig); // the whole group (sipp's exec'd commands too)
    } catch {
      /* gone already */
    }
  }

  /** Waits for the exit; the exit code, or throws when it runs longer than ms. */
  async wait(ms) {
    const timer = sleep(ms).then(() => 'timeout');
    const got = await Promise.race([this.exited, timer]);
    if (got === 'timeout' && this.alive()) throw new Failure(`${this.name} did not exit within ${ms} ms`);
    return this.code;
  }

  /** SIGTERM to the group, SIGKILL after grace ms. */
  async stop(grace = 3000) {
    if (this.alive()) {
      this.signal('SIGTERM');
      await Promise.race([this.exited, sleep(grace)]);
    }
    this.signal('SIGKILL');
    await Promise.race([this.exited, sleep(2000)]);
  }
}

export async function stopAll() {
  await Promise.all(children.map((c) => c.stop()));
}

/** Last resort (process exit, a signal): SIGKILL every group started, synchronously. */
export function killAllNow() {
  for (const c of children) if (c.alive()) c.signal('SIGKILL');
}

// ---- the server -------------------------------------------------------------------------

export class Server {
  /** `serve --demo` in dir/data with short prompts (prompts/<domain>/, as harness.py
   * writes them) on free loopback ports; reads the ports and the demo passwords from
   * its stdout and the SIP secrets from `admin agent list`. */
  static async start({ binary, webRoot, dir }) {
    const data = path.join(dir, 'data');
    const rtpLow = await freePortBlock(AGENT_IP, 100, 10000, 16000);
    const argv = [binary, 'serve', '--demo', '--data-dir', data, '--http', '127.0.0.1:0', '--sip', '127.0.0.1:0',
      '--rtp-ports', `${rtpLow}-${rtpLow + 99}`, '--web-root', webRoot, '--log-level', 'debug'];
    const proc = new Proc(dir, 'server', argv);
    const s = new Server(proc, data, binary);
    await waitFor('the server printing its http and sip ports', () => {
      if (!proc.alive()) throw new Failure(`the server exited (${proc.code}): ${proc.stderr().slice(-2000)}`);
      const out = proc.stdout();
      const http = /switchboard: http listening on 127\.0\.0\.1:(\d+)/.exec(out);
      const sip = /switchboard: sip listening on 127\.0\.0\.1:(\d+) \(udp, tcp\)/.exec(out);
      if (!http || !sip) return false;
      s.httpPort = Number(http[1]);
      s.sipPort = Number(sip[1]);
      for (const m of out.matchAll(/demo:\s+org Demo\s+agent (\w+)\s+password (\S+)/g)) s.passwords[m[1]] = m[2];
      return true;
    }, 20_000);
    if (!s.passwords.alice) throw new Failure(`no demo password for alice in the server's stdout:\n${proc.stdout()}`);
    const list = spawnSync(binary, ['admin', '--data-dir', data, 'agent', 'list', DEMO_ORG], { encoding: 'utf8', timeout: 20_000 });
    if (list.status !== 0) throw new Failure(`admin agent list failed (${list.status}): ${list.stderr}`);
    for (const line of list.stdout.split('\n').slice(1)) {
      const cols = line.split('\t');
      if (cols.length >= 5) s.secrets[cols[0]] = cols[4];
    }
    if (!s.secrets.alice) throw new Failure(`no SIP secret for alice in:\n${list.stdout}`);
    return s;
  }

  constructor(proc, data, binary) {
    this.proc = proc;
    this.data = data;
    this.binary = binary;
    this.passwords = {};
    this.secrets = {};
  }

  get url() {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get sip() {
    return `127.0.0.1:${this.sipPort}`;
  }

  /** (status, JSON body or null) of one API request. */
  async api(method, p, { token, body } = {}) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, body: json };
  }

  async login(agent) {
    const r = await this.api('POST', '/api/v1/sessions', { body: { org: DEMO_ORG, agent, password: this.passwords[agent] } });
    if (r.status !== 201) throw new Failure(`login of ${agent}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  async metrics() {
    const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const values = {};
    for (const line of (await res.text()).split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const [name, value] = line.split(/\s+/);
      const base = name.split('{')[0];
      values[base] = (values[base] ?? 0) + Number(value);
    }
    return values;
  }
}

// ---- sipp --------------------------------------------------------------------------------

export class Sipp extends Proc {
  constructor(dir, name, argv) {
    super(dir, name, argv);
    this.messages = path.join(dir, `${name}.messages.log`);
    this.errors = path.join(dir, `${name}.errors.log`);
  }

  /** Asserts a clean exit (0: every call went as the scenario says) within ms. */
  async expectExit(ms) {
    const code = await this.wait(ms);
    if (code !== 0) throw new Failure(`${this.name} exited with ${code} (sipp: 1 = a call failed, 255 = fatal)`);
  }
}

/** A sipp with harness.py's options: bound to ip, one call, traces in dir. */
export async function sipp(dir, name, scenario, ip, { target, keys = {}, extra = [], pauseMs = 200, timeout = '60s' } = {}) {
  const port = await freePort(ip);
  const argv = ['sipp', '-sf', scenario];
  if (target) argv.push(target);
  argv.push('-i', ip, '-p', String(port), '-bind_local', '-t', 'u1', '-m', '1', '-nostdin', '-cp', String(await controlPort()),
    '-d', String(pauseMs), '-timeout', timeout, '-timeout_error', '-max_invite_retrans', '7', '-rtcheck', 'loose',
    '-trace_msg', '-message_file', `${name}.messages.log`, '-trace_err', '-error_file', `${name}.errors.log`);
  for (const [k, v] of Object.entries(keys)) argv.push('-key', k, v);
  argv.push(...extra);
  const p = new Sipp(dir, name, argv);
  p.ip = ip;
  p.port = port;
  return p;
}

/** tests/sipp/rtp_tool.py and harness.py write what the SIP peers play: the server's
 * short prompts (0.3 s tones), the phone's 2 kHz G.711 tone, and RFC 4733 captures of
 * the keys pressed (sipp's own, renumbered). Returns the capture paths. */
export function writeMedia({ sippDir, dir, promptsDir, keys }) {
  const py = `
import sys, json
from pathlib import Path
sys.path.insert(0, ${JSON.stringify(sippDir)})
sys.dont_write_bytecode = True
import harness, rtp_tool
folder = Path(${JSON.stringify(promptsDir)})
folder.mkdir(parents=True, exist_ok=True)
for name, freq in harness.PROMPT_TONES.items():
    rtp_tool.write_wav(folder / f"{name}.wav", rtp_tool.tone(freq, harness.PROMPT_SECONDS, 8000))
d = Path(${JSON.stringify(dir)})
rtp_tool.write_tone_file(d / "agent-tone.ulaw", 2000, rtp_tool.PCMU)
print(json.dumps([str(p) for p in rtp_tool.write_dtmf_pcaps(d, ${JSON.stringify(keys)}, "menu")]))
`;
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Failure(`writing prompts, tone and DTMF captures failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

/** The phone's go-ahead: an INFO in the ringing call's dialog (same Call-ID), which
 * agent_answer_on_signal.xml waits for before it answers. */
export async function signalAnswer(phonePort, callId) {
  const s = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address: AGENT_IP, port: 0 }, resolve);
  });
  const me = s.address().port;
  const msg = [
    `INFO sip:alice@${AGENT_IP}:${phonePort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${AGENT_IP}:${me};branch=z9hG4bK-e2e-${Date.now()}`,
    'Max-Forwards: 70',
    `From: <sip:e2e@${AGENT_IP}>;tag=e2e${me}`,
    `To: <sip:alice@${AGENT_IP}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INFO',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  await new Promise((resolve, reject) => s.send(msg, phonePort, AGENT_IP, (e) => (e ? reject(e) : resolve())));
  s.close();
}
