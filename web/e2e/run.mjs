#!/usr/bin/env node
// The agent web app end to end (issue 8 item 5): headless Chromium (Debian's, driven by
// playwright-core) against the real `switchboard serve --demo`, with a sipp phone
// registered as the agent and a sipp customer calling the demo number from the demo
// trunk's address. One scenario, step by step, each step depending on the last:
//
//   1. log in at phone size with "save ID", from the keyboard; the main screen shows the
//      state; Ready (Space);
//   2. the phone (web/e2e/agent_answer_on_signal.xml) is registered; alice is put on
//      Break from outside; the customer calls, presses 2 (RFC 4733, menu 2 "Support")
//      and waits, counted on the main screen; Ready from the app offers the call;
//   3. the incoming-call screen (number, menu) while the phone rings; the phone answers
//      only when told (an INFO the test sends once the screen is seen): the in-call
//      screen; hold and resume from the app (GET /api/v1/me/call `held`, and the UI);
//      hang up from the app;
//   4. after-call work: a category and a note, Ready saves both (API and UI);
//   5. history lists the call with its note; its detail plays the recording (the
//      <audio> gets a blob: URL, metadata and a duration);
//   6. statistics by menu, today: menu 2's inflow >= 1;
//   6b. the callbacks list, the dial pad (/dial), More: notices, FAQ, an inquiry sent,
//       the licences and the change-password page;
//   7. the events socket dropped from the page comes back (the banner shows, then goes)
//      and an event sent meanwhile arrives by resume, no resync; a session ended from
//      outside (DELETE /api/v1/sessions/current) returns the app to login with the notice.
//
// Every screen is also shown at the same moment in three more browser contexts, each its
// own session of the same agent (phone Korean, desktop English and Korean), and
// screenshotted in all four under --screenshots. It prints `e2e-figures: …`: the main
// screen's interactive time on a cold cache (navigation start → the state buttons
// enabled) and the first load's JavaScript bytes (build-report.json and the wire).
//
// Issue 8's accessibility and app checks ride along the same run:
//   - axe-core on every screen shown (login, main, incoming, in call, held, after call,
//     history, call detail, stats, callbacks, the dial pad, More, change password, the
//     connection banner, the session-ended login) in all four views: a violation of
//     impact serious or critical fails the run (rule, target, summary printed), moderate
//     and minor ones are printed as warnings;
//   - the keyboard: the login is typed and sent from the keyboard only (Tab order,
//     Space on the checkbox, Enter/Space on the language chips, Enter sends), Ready is
//     pressed with Space; the Tab order reaches every field and button of the login, the
//     nav and the state panel, and each shows its focus (outline or box-shadow differ
//     from the same element unfocused);
//   - layout shift: the Cumulative Layout Shift of the main screen (no recent input)
//     while live updates arrive: a state change and the queue count (the customer
//     waits while alice is on Break), then the events socket dropped and resumed (the
//     banner); above 0.02 in any view fails;
//   - installable: a fresh context's service worker, the manifest and its 192/512 PNG
//     icons, Chromium's installability errors; offline, a reload still opens the shell,
//     and nothing under /api/ is cached or answered by the worker.
//
//   node e2e/run.mjs --binary ../build/lead/switchboard [--web-root dist] \
//        [--screenshots DIR] [--chromium /usr/bin/chromium] [--keep] [--headed]
//
// Exit status: 0 passed, 1 failed (its temporary directory is kept and printed, with the
// server's and sipp's logs), 77 skipped (no Chromium), 2 bad usage. Registered in ctest as
// `web_e2e` (label e2e, tests/CMakeLists.txt). Every wait has a deadline; the whole run
// has a budget (--budget seconds, default 170) after which everything is killed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import {
  AGENT_IP, CUSTOMER, DEMO_DOMAIN, DEMO_NUMBER, DEMO_ORG, Failure, Server, TRUNK_IP,
  freePort, freePortBlock, killAllNow, signalAnswer, sipp, stopAll, waitFor, writeMedia,
} from './peers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(HERE, '..');
const SIPP_DIR = path.resolve(WEB, '../tests/sipp');

const { values: opt } = parseArgs({
  options: {
    binary: { type: 'string' },
    'web-root': { type: 'string', default: path.join(WEB, 'dist') },
    screenshots: { type: 'string', default: path.join(os.tmpdir(), 'sb-e2e-screenshots') },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    budget: { type: 'string', default: '170' },
    keep: { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
  },
});

if (!fs.existsSync(opt.chromium)) {
  console.log(`SKIP: no Chromium at ${opt.chromium} (Debian: apt-get install chromium); the e2e suite needs it`);
  process.exit(77);
}
function usage(msg) {
  console.error(`e2e: ${msg}`);
  process.exit(2);
}
if (!opt.binary || !fs.existsSync(opt.binary)) usage(`no switchboard binary at ${opt.binary ?? '(none)'} (--binary)`);
const webRoot = path.resolve(opt['web-root']);
if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
  console.error(`FAIL: the web app is not built: no ${webRoot}/index.html (cd web && npm run build)`);
  process.exit(1);
}

const onPath = (name) => (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(path.join(d, name)));
for (const tool of ['sipp', 'python3']) {
  if (!onPath(tool)) {
    console.error(`FAIL: no ${tool} on PATH (scripts/setup installs it: Debian sip-tester, python3)`);
    process.exit(1);
  }
}

// playwright-core is loaded only now, so that a skip needs nothing installed.
const { chromium } = await import('playwright-core');

// ---- the views: the same agent in four browser contexts -----------------------------------

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const VIEWS = [
  { key: 'phone-en', viewport: PHONE, mobile: true, locale: 'en-US' },
  { key: 'phone-ko', viewport: PHONE, mobile: true, locale: 'ko-KR' },
  { key: 'desktop-en', viewport: DESKTOP, mobile: false, locale: 'en-US' },
  { key: 'desktop-ko', viewport: DESKTOP, mobile: false, locale: 'ko-KR' },
];

// What the English and Korean views must show (web/src/i18n/*.ts).
const TEXT = {
  en: { break: 'Break', ready: 'Ready', connected: 'Connected', held: 'Customer on hold', ended: 'Your session ended. Please log in again.', down: 'Connection lost — reconnecting…' },
  ko: { ended: '세션이 종료되었습니다. 다시 로그인하세요.' },
};
const NOT_ZERO = /^(?!0:00$)\d+:\d\d$/; // a timer past its first second
const MENU_DIGIT = '2';
const MENU_NAME = 'Support';
const CATEGORY = 'Delivery';
const NOTES = {
  'phone-en': 'Asked where the parcel is; resent the tracking number by SMS.',
  'phone-ko': '배송 위치 문의: 송장 번호를 문자로 다시 보냄.',
  'desktop-en': 'Typed in the desktop view (not saved).',
  'desktop-ko': '데스크톱 화면에서 입력 (저장하지 않음).',
};

// axe-core, from node_modules (a dev dependency, npm ci). The page's CSP (script-src
// 'self') refuses an inline script, and bypassing the CSP would hide the app's own CSP
// mistakes, so each context serves the file at a same-origin URL of its own.
const AXE_FILE = path.join(WEB, 'node_modules', 'axe-core', 'axe.min.js');
const AXE_URL = '/__e2e/axe.min.js';
// What fails the run; anything else axe finds is printed as a warning.
const AXE_FAIL = new Set(['serious', 'critical']);
const CLS_LIMIT = 0.02;
if (!fs.existsSync(AXE_FILE)) {
  console.error(`FAIL: no ${AXE_FILE} (cd web && npm ci): the accessibility checks need axe-core`);
  process.exit(1);
}
const axeSource = fs.readFileSync(AXE_FILE, 'utf8');
const axeVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(AXE_FILE), 'package.json'), 'utf8')).version;

// Records every events socket of a page and what it received, and can point new ones
// at a closed port (window.__e2eWs.block) to keep a dropped socket down for a moment.
function wsProbe() {
  const Native = window.WebSocket;
  const log = { sockets: [], messages: [], block: null };
  Object.defineProperty(window, '__e2eWs', { value: log });
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(log.block ?? url, protocols);
      const index = log.sockets.push(this) - 1;
      this.addEventListener('message', (e) => log.messages.push({ socket: index, data: String(e.data) }));
    }
  };
}

// ---- the run ---------------------------------------------------------------------------

const started = Date.now();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));
const shotDir = path.resolve(opt.screenshots);
fs.mkdirSync(shotDir, { recursive: true });
for (const f of fs.readdirSync(shotDir)) if (f.endsWith('.png') || f === 'figures.txt') fs.rmSync(path.join(shotDir, f));

let browser = null;
let server = null;
const pages = {}; // view key → { page, context, view, token }
const peers = {};
let shotCount = 0;
const figures = {}; // issue 8's figures of this run, printed at its end

const watchdog = setTimeout(() => {
  console.log(`FAIL: the suite ran over its budget of ${opt.budget} s; killing everything (kept ${dir})`);
  killAllNow();
  process.exit(1);
}, Number(opt.budget) * 1000);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.log(`e2e: ${sig}, stopping (kept ${dir})`);
    killAllNow();
    process.exit(1);
  });
}
process.on('exit', killAllNow);

async function step(name, fn) {
  const t = Date.now();
  try {
    await fn();
  } catch (e) {
    console.log(`FAIL ${name} (${Date.now() - t} ms): ${e instanceof Failure ? e.message : (e?.stack ?? e)}`);
    throw e;
  }
  console.log(`ok   ${name} (${Date.now() - t} ms)`);
}

function each(fn) {
  return Promise.all(VIEWS.map((v) => fn(pages[v.key], v)));
}

const main = () => pages['phone-en'];

async function shoot(screen) {
  shotCount++;
  const n = String(shotCount).padStart(2, '0');
  await each((p) => p.page.screenshot({ path: path.join(shotDir, `${n}-${screen}-${p.view.key}.png`), timeout: 10_000 }));
  await axeCheck(screen);
}

/** Waits until the first match of selector in page has text matching want. */
async function seeText(page, selector, want, what, ms = 10_000) {
  let last = null;
  try {
    return await waitFor(what, async () => {
      last = await page.locator(selector).first().textContent({ timeout: 300 }).catch(() => null);
      return last !== null && (want instanceof RegExp ? want.test(last) : last.includes(want)) ? last : false;
    }, ms);
  } catch (e) {
    throw new Failure(`${e.message}; ${selector} shows ${JSON.stringify(last)}, expected ${want}`);
  }
}

async function visible(page, selector, what, ms = 10_000) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: ms });
  } catch {
    throw new Failure(`${what}: ${selector} not visible within ${ms} ms (the page shows: ${JSON.stringify((await page.locator('body').innerText().catch(() => '')).slice(0, 300))})`);
  }
}

async function apiOk(method, p, token, want, body) {
  const r = await server.api(method, p, { token, body });
  if (r.status !== want) throw new Failure(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}, expected ${want}`);
  return r.body;
}

// ---- accessibility, keyboard, layout shift ----------------------------------------------

const a11y = { screens: 0, runs: 0, ms: 0, failures: [], warnings: [] };

/** axe-core on the screen every view shows now; prints what it finds (once per rule and
 * target, with the views that have it) and keeps the serious and critical ones, which
 * fail the run at its end (so that one run reports every screen). */
async function axeCheck(screen) {
  const t = Date.now();
  const found = new Map();
  await each(async ({ page, view }) => {
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ url: AXE_URL });
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary ?? '').replace(/\s*\n\s*/g, ' ') })),
      }));
    });
    for (const v of violations) {
      for (const n of v.nodes) {
        const key = `${v.impact} ${v.id} ${n.target}`;
        if (!found.has(key)) found.set(key, { ...v, node: n, views: [] });
        found.get(key).views.push(view.key);
      }
    }
  });
  a11y.screens++;
  a11y.runs += VIEWS.length;
  a11y.ms += Date.now() - t;
  for (const f of [...found.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const line = `${screen}: ${f.impact} ${f.id} ${f.node.target} [${f.views.join(', ')}] — ${f.help}: ${f.node.summary}`;
    if (AXE_FAIL.has(f.impact)) {
      a11y.failures.push(line);
      console.log(`     a11y FAIL ${line}`);
    } else {
      a11y.warnings.push(line);
      console.log(`     a11y warn ${line}`);
    }
  }
}

/** Presses key and tells which of `selectors` the element focused now matches (-1: none,
 * null: nothing focused), and for the element focused before, now left: whether its focus
 * showed (its outline or box-shadow while focused differ from those it has now). */
async function press(page, key, selectors) {
  await page.keyboard.press(key);
  return page.evaluate((sels) => {
    const look = (el) => {
      const c = getComputedStyle(el);
      const outline = c.outlineStyle !== 'none' && parseFloat(c.outlineWidth) > 0 ? `${c.outlineStyle} ${c.outlineWidth} ${c.outlineColor}` : 'none';
      return { outline, shadow: c.boxShadow };
    };
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}` +
      `${el.classList.length ? `.${[...el.classList].join('.')}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`;
    const kb = window.__e2eKb ?? (window.__e2eKb = { prev: null });
    const el = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
    let left = null;
    if (kb.prev && kb.prev.el !== el) {
      const focused = kb.prev.look;
      const unfocused = look(kb.prev.el);
      const shows = (focused.outline !== 'none' && focused.outline !== unfocused.outline) || (focused.shadow !== 'none' && focused.shadow !== unfocused.shadow);
      left = { name: kb.prev.name, index: kb.prev.index, focused, unfocused, shows };
    }
    const index = el ? sels.findIndex((s) => el.matches(s)) : null;
    kb.prev = el ? { el, name: name(el), look: look(el), index } : null;
    return { index, name: el ? name(el) : null, left };
  }, selectors);
}

/** Tabs through page (from wherever focus is; past the end it comes round) until every
 * one of `expected` ({sel, what}) was focused in that order, then once more; fails if one
 * never is or comes out of order, or if anything focused on the way shows no focus.
 * Returns the number of Tab presses. */
async function tabOrder(page, who, expected, maxPresses = 60) {
  const sels = expected.map((e) => e.sel);
  await page.evaluate(() => {
    window.__e2eKb = { prev: null };
  });
  let next = 0;
  const seen = [];
  const hidden = [];
  for (let n = 1; n <= maxPresses; n++) {
    const r = await press(page, 'Tab', sels);
    if (r.left && !r.left.shows) {
      hidden.push(`${r.left.name} (focused: outline ${r.left.focused.outline}, box-shadow ${r.left.focused.shadow}; unfocused: outline ${r.left.unfocused.outline}, box-shadow ${r.left.unfocused.shadow})`);
    }
    if (next === expected.length) {
      if (hidden.length) throw new Failure(`${who}: no visible focus on ${hidden.join('; ')}`);
      return n;
    }
    seen.push(r.name ?? '(nothing)');
    if (r.index === next) next++;
    else if (r.index !== null && r.index > next) {
      throw new Failure(`${who}: Tab reached ${expected[r.index].what} (${r.name}) before ${expected[next].what}; the order: ${seen.join(' → ')}`);
    }
  }
  throw new Failure(`${who}: ${maxPresses} Tab presses never reached ${expected[next].what} (${expected[next].sel}); the order: ${seen.join(' → ')}`);
}

/** Presses key until the element focused matches sel (at most max presses). */
async function focusBy(page, key, sel, what, max = 10) {
  for (let i = 0; i < max; i++) {
    const r = await press(page, key, [sel]);
    if (r.index === 0) return;
  }
  throw new Failure(`${max} × ${key} never focused ${what} (${sel})`);
}

/** Starts counting layout shifts in page that no input caused (a new count each call). */
async function clsStart(page) {
  await page.evaluate(() => {
    window.__e2eCls?.observer.disconnect();
    const cls = { value: 0, withInput: 0, shifts: [], observer: null };
    const describe = (n) => (!n ? '?' : n.nodeType !== 1 ? n.nodeName : `${n.tagName.toLowerCase()}${n.id ? `#${n.id}` : ''}${n.classList.length ? `.${[...n.classList].join('.')}` : ''}`);
    const add = (entries) => {
      for (const e of entries) {
        if (e.hadRecentInput) {
          cls.withInput += e.value;
          continue;
        }
        cls.value += e.value;
        cls.shifts.push(`${e.value.toFixed(4)} at ${Math.round(e.startTime)} ms: ${(e.sources ?? []).map((s) => `${describe(s.node)} y ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)} h ${Math.round(s.previousRect.height)}→${Math.round(s.currentRect.height)}`).join(', ')}`);
      }
    };
    cls.observer = new PerformanceObserver((list) => add(list.getEntries()));
    cls.observer.observe({ type: 'layout-shift' });
    cls.add = add;
    Object.defineProperty(window, '__e2eCls', { value: cls, configurable: true });
  });
}

/** The layout shift counted since clsStart in every view, after two frames; fails above
 * CLS_LIMIT with the shifts and what moved. */
async function clsCheck(what) {
  const got = {};
  await each(async ({ page, view }) => {
    got[view.key] = await page.evaluate(async () => {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const cls = window.__e2eCls;
      cls.add(cls.observer.takeRecords());
      cls.observer.disconnect();
      return { value: cls.value, withInput: cls.withInput, shifts: cls.shifts };
    });
  });
  const worst = Math.max(...Object.values(got).map((g) => g.value));
  console.log(`     cls ${what}: ${VIEWS.map((v) => `${v.key} ${got[v.key].value.toFixed(4)}`).join(', ')} (limit ${CLS_LIMIT})`);
  const over = VIEWS.filter((v) => got[v.key].value > CLS_LIMIT);
  if (over.length) throw new Failure(`layout shift ${what} over ${CLS_LIMIT}: ${over.map((v) => `${v.key} ${got[v.key].value.toFixed(4)}: ${got[v.key].shifts.join('; ')}`).join(' | ')}`);
  return worst;
}

async function run() {
  await step('start the server (--demo) and write the SIP peers\' media', async () => {
    const captures = writeMedia({ sippDir: SIPP_DIR, dir, promptsDir: path.join(dir, 'data', 'prompts', DEMO_DOMAIN), keys: MENU_DIGIT });
    server = await Server.start({ binary: path.resolve(opt.binary), webRoot, dir });
    // The customer: trunk_keys.xml with the key written in (as run.py's keys_scenario) and
    // a wait for the server's BYE long enough for the whole call through the app.
    const plays = captures.map((c) => `<nop>\n    <action>\n      <exec play_pcap_audio="${c}"/>\n    </action>\n  </nop>`);
    const template = fs.readFileSync(path.join(SIPP_DIR, 'scenarios', 'trunk_keys.xml'), 'utf8');
    if (!template.includes('<!-- KEYS -->') || !template.includes('<recv request="BYE" timeout="20000"/>')) {
      throw new Failure('tests/sipp/scenarios/trunk_keys.xml changed: no KEYS comment or BYE wait to rewrite');
    }
    fs.writeFileSync(path.join(dir, 'customer.xml'), template.replace('<!-- KEYS -->', plays.join('\n  <pause milliseconds="800"/>\n  '))
      .replace('<recv request="BYE" timeout="20000"/>', '<recv request="BYE" timeout="120000"/>'));
  });

  await step('launch Chromium; the login screen in four views', async () => {
    browser = await chromium.launch({
      executablePath: opt.chromium,
      headless: !opt.headed,
      timeout: 30_000,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-default-apps',
        '--disable-sync', '--disable-domain-reliability', '--disable-client-side-phishing-detection', '--no-first-run',
        '--no-default-browser-check', '--disable-breakpad', '--metrics-recording-only', '--no-proxy-server', '--mute-audio',
        '--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions'],
    });
    for (const view of VIEWS) {
      const context = await browser.newContext({ viewport: view.viewport, isMobile: view.mobile, hasTouch: view.mobile,
        deviceScaleFactor: 1, locale: view.locale, timezoneId: 'Asia/Seoul' });
      context.setDefaultTimeout(10_000);
      await context.addInitScript(wsProbe);
      await context.route(`**${AXE_URL}`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }));
      const page = await context.newPage();
      pages[view.key] = { page, context, view, token: null, errors: [], console: [] };
      page.on('pageerror', (e) => pages[view.key].errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') pages[view.key].console.push(`${m.text()} ${m.location()?.url ?? ''}`);
      });
    }
    await each(async ({ page }) => {
      await page.goto(`${server.url}/`, { timeout: 15_000 });
      await visible(page, 'form.login-card input[name=org]', 'the login form');
    });
    await shoot('login');
  });

  await step('figures: a cold load of the main screen (new context, stored session)', measureColdLoad);

  await step('installable: manifest, icons, service worker; offline the shell opens, no /api/ cached', checkInstallable);

  await step('1. log in at phone size with "save ID" from the keyboard; the main screen shows the state; Ready', async () => {
    const { page } = main();
    // The login from the keyboard only: the Tab order and the focus of every control
    // first, then typed, Space ticks "save ID", Enter and Space switch the language
    // there and back, Enter sends.
    const login = [
      { sel: 'input[name=org]', what: 'the organization' },
      { sel: 'input[name=agent]', what: 'the agent ID' },
      { sel: 'input[name=password]', what: 'the password' },
      { sel: 'input[name=save-id]', what: '"save ID"' },
      { sel: 'form.login-card button[type=submit]', what: 'the log-in button' },
      { sel: '.lang-switch button:nth-child(1)', what: '한국어' },
      { sel: '.lang-switch button:nth-child(2)', what: 'English' },
    ];
    await tabOrder(page, 'the login screen (phone-en)', login);
    await focusBy(page, 'Tab', login[0].sel, login[0].what, 12);
    await page.keyboard.type(DEMO_ORG);
    await focusBy(page, 'Tab', login[1].sel, login[1].what, 1);
    await page.keyboard.type('alice');
    await focusBy(page, 'Tab', login[2].sel, login[2].what, 1);
    await page.keyboard.type(server.passwords.alice);
    await focusBy(page, 'Tab', login[3].sel, login[3].what, 1);
    await page.keyboard.press('Space');
    if (!(await page.isChecked('input[name=save-id]'))) throw new Failure('Space on "save ID" did not tick it');
    await focusBy(page, 'Tab', login[5].sel, login[5].what, 2);
    await page.keyboard.press('Enter');
    await visible(page, `${login[5].sel}[aria-pressed=true]`, 'Korean chosen with Enter', 3000);
    await seeText(page, 'form.login-card button[type=submit]', '로그인', 'the login screen in Korean', 3000);
    await focusBy(page, 'Tab', login[6].sel, login[6].what, 1);
    await page.keyboard.press('Space');
    await visible(page, `${login[6].sel}[aria-pressed=true]`, 'English chosen again with Space', 3000);
    await seeText(page, 'form.login-card button[type=submit]', 'Log in', 'the login screen in English again', 3000);
    await focusBy(page, 'Shift+Tab', login[4].sel, login[4].what, 2);
    await page.keyboard.press('Enter');
    await visible(page, '.state-card', 'the main screen after login');
    await seeText(page, '.state-now .state-name', TEXT.en.break, 'the state after login (the demo org: Break)');
    const saved = await page.evaluate(() => localStorage.getItem('sb.saved-id'));
    if (JSON.stringify(JSON.parse(saved ?? 'null')) !== JSON.stringify({ org: DEMO_ORG, agent: 'alice' })) {
      throw new Failure(`"save ID" stored ${saved}, expected the org and agent`);
    }
    main().token = await page.evaluate(() => localStorage.getItem('sb.token'));
    // The other views: their own sessions of alice, stored as the app stores one.
    await Promise.all(VIEWS.slice(1).map(async (v) => {
      const p = pages[v.key];
      p.token = await server.login('alice');
      await p.page.evaluate((t) => localStorage.setItem('sb.token', t), p.token);
      await p.page.reload();
      await visible(p.page, '.state-card', `the main screen (${v.key})`);
    }));
    // The main screen from the keyboard: the nav and the state panel in Tab order with
    // their focus shown (phone: the bottom bar; desktop: the side bar, and the graph's
    // tabs with Enter and Space), then Space on Ready.
    const nav = ['/', '/history', '/callbacks', '/stats', '/more'].map((to) => ({ sel: `nav a[href="${to}"]`, what: `the nav's ${to}` }));
    const states = ['ready', 'break', 'acw'].map((st) => ({ sel: `.state-actions .btn-${st}`, what: `the ${st} button` }));
    const graph = [1, 2, 3].map((i) => ({ sel: `.segmented [role=tab]:nth-child(${i})`, what: `graph tab ${i}` }));
    await visible(page, '.menu-counts li', 'the menus waiting (phone-en)');
    await tabOrder(page, 'the main screen (phone-en)', [...nav, ...states]);
    await focusBy(page, 'Shift+Tab', states[0].sel, states[0].what, 4);
    await page.keyboard.press('Space');
    await waitFor('alice Ready (GET /api/v1/me/state)', async () => (await apiOk('GET', '/api/v1/me/state', main().token, 200)).state === 'ready');
    const desk = pages['desktop-en'].page;
    await visible(desk, '.menu-counts li', 'the menus waiting (desktop-en)');
    await tabOrder(desk, 'the main screen (desktop-en)', [...nav, ...states, ...graph]);
    await focusBy(desk, 'Shift+Tab', graph[0].sel, graph[0].what, 6);
    await desk.keyboard.press('Enter');
    await visible(desk, `${graph[0].sel}[aria-selected=true]`, 'the first graph tab chosen with Enter', 3000);
    await focusBy(desk, 'Tab', graph[1].sel, graph[1].what, 1);
    await desk.keyboard.press('Space');
    await visible(desk, `${graph[1].sel}[aria-selected=true]`, 'the second graph tab chosen with Space', 3000);
    await each(async ({ page: pg, view }) => {
      await visible(pg, '.btn-state.btn-ready[aria-pressed=true]', `Ready pressed (${view.key})`);
      await visible(pg, '.state-now.state-ready', `the state shown as Ready (${view.key})`);
      await visible(pg, '.menu-counts li', `the menus waiting (${view.key})`);
    });
    await seeText(page, '.state-now .state-name', TEXT.en.ready, 'the state name');
    await shoot('main-ready');
    // From here to the call offered (step 2): the layout shift of live updates.
    await each(({ page: pg }) => clsStart(pg));
  });

  let callId = null;
  await step('2. the phone registers as alice; on Break, the customer calls, presses 2 and waits; Ready offers the call', async () => {
    // Break from outside (an event to every view, no input in any page): the customer
    // then waits in the queue and the main screen's count changes while it is shown.
    await apiOk('PUT', '/api/v1/me/state', main().token, 200, { state: 'break' });
    await each(({ page, view }) => visible(page, '.state-now.state-break', `Break, from the event (${view.key})`));
    peers.phone = await sipp(dir, 'phone', path.join(HERE, 'agent_answer_on_signal.xml'), AGENT_IP, {
      keys: { user: 'alice' }, pauseMs: 200, timeout: '150s',
      extra: ['-aa', '-mi', AGENT_IP, '-mp', String(await freePortBlock(AGENT_IP, 4, 16000, 20000))],
    });
    peers.register = await sipp(dir, 'register', path.join(SIPP_DIR, 'scenarios', 'register.xml'), AGENT_IP, {
      target: server.sip,
      keys: { user: 'alice', domain: DEMO_DOMAIN, contact: `sip:alice@${AGENT_IP}:${peers.phone.port}`, expires: '3600' },
      extra: ['-au', 'alice', '-ap', server.secrets.alice, '-auth_uri', DEMO_DOMAIN, '-default_behaviors', 'all,-bye'],
    });
    await peers.register.expectExit(15_000);
    if (!peers.phone.alive()) throw new Failure(`the phone exited (${peers.phone.code})`);
    await waitFor('sb_sip_registrations 1', async () => (await server.metrics()).sb_sip_registrations === 1, 5000);
    peers.customer = await sipp(dir, 'customer', path.join(dir, 'customer.xml'), TRUNK_IP, {
      target: server.sip, pauseMs: 700, timeout: '150s',
      extra: ['-s', DEMO_NUMBER, '-mi', TRUNK_IP, '-mp', String(await freePortBlock(TRUNK_IP, 4, 16000, 20000))],
    });
    const waitingCount = 'section[aria-labelledby=waiting-title] .big-number';
    const menuCount = `.menu-counts li:has(.menu-digit:text-is("${MENU_DIGIT}")) .menu-waiting`;
    await each(async ({ page, view }) => {
      await seeText(page, waitingCount, /^1$/, `one customer waiting on the main screen (${view.key})`, 20_000);
      await seeText(page, menuCount, /^1$/, `one waiting for menu ${MENU_DIGIT} (${view.key})`, 5000);
    });
    await new Promise((r) => setTimeout(r, 300));
    const cls = await clsCheck('on the main screen while the state and the queue count change');
    figures.cls_live_updates = cls;
    if (!peers.customer.alive()) throw new Failure(`the customer hung up while waiting (${peers.customer.code})`);
    await main().page.click('.btn-state.btn-ready');
  });

  await step('3a. the incoming-call screen (caller, menu) while the phone rings', async () => {
    await each(async ({ page, view }) => {
      await visible(page, '.call-screen.incoming', `the incoming-call screen (${view.key})`, 20_000);
      await seeText(page, '#incoming-title', '010-9999-0000', `the caller's number (${view.key})`);
      await seeText(page, '.incoming .call-menu', `${MENU_DIGIT}. ${MENU_NAME}`, `the menu (${view.key})`);
    });
    await seeText(main().page, '.incoming .call-menu', `Menu: ${MENU_DIGIT}. ${MENU_NAME}`, 'the menu line');
    const call = await apiOk('GET', '/api/v1/me/call', main().token, 200);
    callId = call.id;
    await shoot('incoming');
    if (!(await peers.phone.alive())) throw new Failure(`the phone exited while ringing (${peers.phone.code})`);
  });

  await step('3b. the phone answers (told by the test): the in-call screen', async () => {
    const idFile = path.join(dir, 'invite-call-id');
    const sipCallId = await waitFor('the phone writing the INVITE\'s Call-ID', () => fs.existsSync(idFile) && fs.readFileSync(idFile, 'utf8').trim(), 5000);
    // One INFO on loopback arrives; a second, should the first be lost, is answered by
    // sipp's -aa and changes nothing.
    for (let attempt = 0; ; attempt++) {
      await signalAnswer(peers.phone.port, sipCallId);
      try {
        await visible(main().page, '.call-screen.incall', 'the in-call screen', attempt === 0 ? 4000 : 10_000);
        break;
      } catch (e) {
        if (attempt >= 1) throw e;
      }
    }
    await each(async ({ page, view }) => {
      await visible(page, '.call-screen.incall', `the in-call screen (${view.key})`);
      await seeText(page, '#incall-title', '010-9999-0000', `the number in call (${view.key})`);
    });
    await seeText(main().page, '.incall .call-status', TEXT.en.connected, 'the call status');
    await seeText(main().page, '.incall .call-menu', `${MENU_DIGIT}. ${MENU_NAME}`, 'the menu in call');
    // A second of talk, so that the recording and the timers have something to show.
    await seeText(main().page, '.incall .call-timer', NOT_ZERO, 'the talk timer counting', 5000);
    const call = await apiOk('GET', '/api/v1/me/call', main().token, 200);
    if (call.id !== callId || call.stage !== 'connected' || call.held !== false) {
      throw new Failure(`GET /api/v1/me/call: ${JSON.stringify(call)}, expected call ${callId} connected, not held`);
    }
    await shoot('in-call');
  });

  await step('3c. hold and resume from the app (the server\'s `held` and the UI)', async () => {
    const { page, token } = main();
    const holdButton = page.locator('.call-actions .call-action').first();
    await holdButton.click();
    await waitFor('GET /api/v1/me/call held: true', async () => (await apiOk('GET', '/api/v1/me/call', token, 200)).held === true, 5000);
    await each(async ({ page: pg, view }) => visible(pg, '.incall .call-status.is-held', `the held status (${view.key})`));
    await seeText(page, '.incall .call-status', TEXT.en.held, 'the held status text');
    await seeText(page, '.call-actions .call-action >> nth=0', 'Resume', 'the hold button now resumes');
    await seeText(page, '.incall .call-facts div:nth-child(2) dd', NOT_ZERO, 'the hold timer counting', 5000);
    await shoot('in-call-held');
    await holdButton.click();
    await waitFor('GET /api/v1/me/call held: false', async () => (await apiOk('GET', '/api/v1/me/call', token, 200)).held === false, 5000);
    await each(async ({ page: pg, view }) => seeText(pg, '.incall .call-status:not(.is-held)', /\S/, `the status after resuming (${view.key})`));
    await seeText(page, '.incall .call-status', TEXT.en.connected, 'connected again');
  });

  await step('3d. hang up from the app: the after-call screen', async () => {
    const { page, token } = main();
    await page.click('.call-actions .call-hangup');
    await page.click('#hangup-confirm .btn-danger');
    await each(async ({ page: pg, view }) => {
      await visible(pg, '.call-screen.acw', `the after-call screen (${view.key})`);
      await seeText(pg, '.acw-number', '010-9999-0000', `the call's number after the call (${view.key})`);
    });
    const state = await apiOk('GET', '/api/v1/me/state', token, 200);
    if (state.state !== 'acw') throw new Failure(`after the hang-up alice is ${state.state}, expected acw`);
    const r = await server.api('GET', '/api/v1/me/call', { token });
    if (r.status !== 404) throw new Failure(`GET /api/v1/me/call after the hang-up: ${r.status}, expected 404`);
    // Both SIP peers got the server's BYE and finished their scenarios cleanly.
    await peers.customer.expectExit(15_000);
    await peers.phone.expectExit(15_000);
  });

  await step('4. after-call work: a category, a note, Ready saves both', async () => {
    await each(async ({ page, view }) => {
      await page.selectOption('.acw-form select[name=category]', CATEGORY);
      await page.fill('.acw-form textarea[name=text]', NOTES[view.key]);
      await seeText(page, '#note-count', String([...NOTES[view.key]].length), `the note's counter (${view.key})`);
    });
    await shoot('after-call');
    const { page, token } = main();
    await page.click('.acw-actions .btn-ok');
    await each(async ({ page: pg, view }) => {
      await visible(pg, '.state-card', `back on the main screen (${view.key})`);
      await visible(pg, '.state-now.state-ready', `Ready after the after-call work (${view.key})`);
    });
    await seeText(page, '.state-now .state-name', TEXT.en.ready, 'Ready shown');
    const state = await apiOk('GET', '/api/v1/me/state', token, 200);
    if (state.state !== 'ready') throw new Failure(`GET /api/v1/me/state: ${state.state}, expected ready`);
    const detail = await apiOk('GET', `/api/v1/calls/${callId}`, token, 200);
    const note = detail.notes?.find((n) => n.text === NOTES['phone-en']);
    if (!note || note.category !== CATEGORY || detail.notes.length !== 1) {
      throw new Failure(`call ${callId}'s notes: ${JSON.stringify(detail.notes)}, expected one: ${CATEGORY} "${NOTES['phone-en']}"`);
    }
    if (detail.result !== 'answered' || detail.menu?.digit !== MENU_DIGIT || detail.customer !== CUSTOMER || detail.hold_ms < 900) {
      throw new Failure(`call ${callId}: ${JSON.stringify(detail)}: expected answered, menu ${MENU_DIGIT}, customer ${CUSTOMER}, hold_ms >= 900 (held past a second)`);
    }
    if (!detail.recording_url) throw new Failure(`call ${callId} has no recording_url`);
  });

  await step('5. history lists the call with its note; the detail plays the recording', async () => {
    await each(async ({ page, view }) => {
      await page.click('nav a[href="/history"]');
      const row = `a.hist-row[href="/history/${callId}"]`;
      await visible(page, row, `the call in history (${view.key})`);
      await visible(page, `${row} .hrow-note`, `the note mark on the row (${view.key})`);
      await seeText(page, `${row} .hrow-menu`, MENU_NAME, `the row's menu (${view.key})`);
    });
    await shoot('history');
    await each(async ({ page, view }) => {
      await page.click(`a.hist-row[href="/history/${callId}"]`);
      await seeText(page, '.cnote-text', NOTES['phone-en'], `the note on the detail (${view.key})`);
      await seeText(page, '.cnote-category', CATEGORY, `the note's category (${view.key})`);
      await page.click('.cd-player-load');
      const audio = await waitFor(`the recording loaded into <audio> (${view.key})`, () => page.evaluate(() => {
        const a = document.querySelector('audio.cd-player-audio');
        return a && a.src.startsWith('blob:') && a.readyState >= 1 && a.duration > 0 ? { src: a.src, duration: a.duration, state: a.readyState } : false;
      }), 10_000);
      if (view.key === 'phone-en') console.log(`     recording: ${audio.duration.toFixed(2)} s, readyState ${audio.state}`);
      await page.evaluate(() => document.querySelector('audio.cd-player-audio')?.pause());
    });
    await shoot('call-detail');
  });

  await step('6. statistics by menu, today: the call is in menu 2\'s inflow', async () => {
    const report = await apiOk('GET', '/api/v1/stats?by=menu&period=today', main().token, 200);
    const row = report.rows.find((r) => r.key === MENU_DIGIT);
    if (!row || row.inflow < 1 || row.answered < 1) throw new Failure(`GET /api/v1/stats by menu today: menu ${MENU_DIGIT} is ${JSON.stringify(row)}, expected inflow >= 1`);
    await each(async ({ page, view }) => {
      await page.click('nav a[href="/stats"]');
      const cell = `table.stats-menu tbody tr:has(th .menu-digit:text-is("${MENU_DIGIT}")) td >> nth=0`;
      const text = await seeText(page, cell, /^\d+$/, `menu ${MENU_DIGIT}'s inflow in the table (${view.key})`);
      if (Number(text) < 1) throw new Failure(`menu ${MENU_DIGIT}'s inflow shows ${text} (${view.key}), expected >= 1`);
    });
    await shoot('stats');
  });

  await step('6b. the callbacks list, the dial pad, More: notices, FAQ, an inquiry, licences, change password', async () => {
    await each(async ({ page, view }) => {
      await page.click('nav a[href="/callbacks"]');
      await visible(page, '#callbacks-title', `the callbacks list (${view.key})`);
    });
    await shoot('callbacks');
    // /dial: a phone's dial pad (a desktop has it beside the main screen), opened as a
    // link would (the history API and popstate, which the router follows).
    await each(async ({ page, view }) => {
      await page.evaluate(() => {
        history.pushState(null, '', '/dial');
        dispatchEvent(new PopStateEvent('popstate'));
      });
      await visible(page, '.dialpad-page .keypad', `the dial pad (${view.key})`);
    });
    await shoot('dial');
    await each(async ({ page, view }) => {
      await page.click('nav a[href="/more"]');
      await visible(page, '.more-home', `the More list (${view.key})`);
    });
    await shoot('more');
    // More's own pages (L1): the demo org's notices and one of them, the FAQ, an
    // inquiry sent and listed, the open-source licences; each opened from the More list.
    const openMore = async (page, to) => {
      await page.click('nav a[href="/more"]');
      await visible(page, '.more-home', 'the More list');
      await page.click(`.more-home a[href="${to}"]`);
    };
    await each(async ({ page, view }) => {
      await openMore(page, '/more/notices');
      await visible(page, '.notice-list .notice-item', `the demo org's notices (${view.key})`);
    });
    await shoot('more-notices');
    await each(async ({ page, view }) => {
      await page.click('.notice-list .notice-item >> nth=0');
      await visible(page, 'article.notice-body', `a notice's text (${view.key})`);
    });
    await shoot('more-notice');
    await each(async ({ page, view }) => {
      await openMore(page, '/more/faq');
      await visible(page, 'details.faq-item', `the demo org's FAQ (${view.key})`);
    });
    await shoot('more-faq');
    await each(async ({ page, view }) => {
      await openMore(page, '/more/inquiry');
      await visible(page, 'form.inquiry-form', `the inquiry form (${view.key})`);
      if (view.key !== 'phone-en') return;
      await page.fill('input[name=subject]', 'e2e: headset crackles');
      await page.fill('textarea[name=body]', 'The left ear crackles on long calls.');
      await page.click('form.inquiry-form button[type=submit]');
      await visible(page, '.inquiry-list li:has-text("e2e: headset crackles")', 'the inquiry sent and listed');
    });
    const inquiries = await apiOk('GET', '/api/v1/inquiries', main().token, 200);
    if (!inquiries.items?.some((i) => i.subject === 'e2e: headset crackles')) throw new Failure('the inquiry is not stored');
    await shoot('more-inquiry');
    await each(async ({ page, view }) => {
      await openMore(page, '/more/licenses');
      await visible(page, 'details.licence', `the open-source licences (${view.key})`);
      const names = await page.locator('.licence-name').allTextContents();
      for (const want of ['preact', 'uplot']) {
        if (!names.includes(want)) throw new Failure(`the licences do not list ${want} (${view.key}): ${names.join(', ')}`);
      }
    });
    await shoot('more-licenses');
    await each(async ({ page, view }) => {
      await openMore(page, '/more/password');
      await visible(page, 'form.password-form', `the change-password page (${view.key})`);
    });
    await shoot('more-password');
  });

  await step('7a. the events socket dropped: banner, resume, the event sent meanwhile arrives', async () => {
    await each(async ({ page, view }) => {
      await page.click('nav a[href="/"]');
      await visible(page, '.state-now.state-ready', `the main screen, Ready (${view.key})`);
      await visible(page, '.menu-counts li', `the menus waiting (${view.key})`);
    });
    // From the drop to the resume: the layout shift of the banner and the state event.
    await new Promise((r) => setTimeout(r, 600)); // past the click's input window
    await each(({ page }) => clsStart(page));
    const closed = await freePort(AGENT_IP); // nothing listens there: reconnects fail while blocked
    const before = {};
    await each(async ({ page, view }) => {
      const got = await page.evaluate((blockUrl) => {
        const log = window.__e2eWs;
        const open = log.sockets.filter((s) => s.readyState === WebSocket.OPEN);
        if (open.length !== 1) return { error: `${open.length} open events sockets` };
        log.block = blockUrl;
        open[0].close();
        return { sockets: log.sockets.length };
      }, `ws://127.0.0.1:${closed}/api/v1/events`);
      if (got.error) throw new Failure(`${view.key}: ${got.error}`);
      before[view.key] = got.sockets;
      await visible(page, '.banner.banner-down', `the connection banner (${view.key})`);
    });
    await seeText(main().page, '.banner.banner-down', TEXT.en.down, 'the banner text');
    // Sent while no page has a socket: only a resume can bring it.
    await apiOk('PUT', '/api/v1/me/state', main().token, 200, { state: 'break' });
    await shoot('connection-lost');
    await each(async ({ page, view }) => {
      await page.evaluate(() => {
        window.__e2eWs.block = null;
      });
      await waitFor(`the banner to go (${view.key})`, async () => (await page.locator('.banner.banner-down').count()) === 0, 10_000);
      await visible(page, '.state-now.state-break', `Break, from the event sent while down (${view.key})`);
      const got = await page.evaluate((n) => {
        const log = window.__e2eWs;
        const open = log.sockets.map((s, i) => [s, i]).filter(([s]) => s.readyState === WebSocket.OPEN).map(([, i]) => i);
        return { open, messages: log.messages.filter((m) => m.socket >= n).map((m) => JSON.parse(m.data)) };
      }, before[view.key]);
      const types = got.messages.map((m) => m.type);
      const state = got.messages.find((m) => m.type === 'agent.state' && m.agent === 'alice');
      if (got.open.length !== 1 || got.open[0] < before[view.key] || types[0] !== 'hello' || types.includes('resync') || state?.state !== 'break') {
        throw new Failure(`${view.key} after the resume: open sockets ${JSON.stringify(got.open)} (new from ${before[view.key]}), messages ${JSON.stringify(got.messages)}; expected hello, then agent.state break, no resync`);
      }
    });
    await seeText(main().page, '.state-now .state-name', TEXT.en.break, 'Break shown');
    figures.cls_reconnect = await clsCheck('on the main screen while the socket drops and resumes (banner, state event)');
  });

  await step('7b. a session ended from outside returns the app to login with the notice', async () => {
    await each(async (p) => {
      const token = await p.page.evaluate(() => localStorage.getItem('sb.token'));
      if (token !== p.token) throw new Failure(`${p.view.key}: the stored token changed`);
      await apiOk('DELETE', '/api/v1/sessions/current', token, 204);
    });
    await each(async ({ page, view }) => {
      await visible(page, 'form.login-card', `the login screen (${view.key})`);
      await seeText(page, 'form.login-card .notice', view.locale.startsWith('ko') ? TEXT.ko.ended : TEXT.en.ended, `the session-ended notice (${view.key})`);
      const token = await page.evaluate(() => localStorage.getItem('sb.token'));
      if (token !== null) throw new Failure(`${view.key}: the token is still stored after the session ended`);
    });
    const { page } = main();
    const fields = await page.evaluate(() => [document.querySelector('input[name=org]').value, document.querySelector('input[name=agent]').value, document.querySelector('input[name=save-id]').checked]);
    if (JSON.stringify(fields) !== JSON.stringify([DEMO_ORG, 'alice', true])) throw new Failure(`the login form after the session ended: ${JSON.stringify(fields)}, expected the saved ID`);
    await shoot('session-ended');
  });

  await step('the server is idle and stops cleanly', async () => {
    const idle = { sb_sip_calls: 0, sb_sip_dialogs: 0, sb_acd_calls: 0, sb_acd_waiting: 0, sb_media_legs: 0, sb_media_calls: 0 };
    await waitFor(`gauges ${JSON.stringify(idle)}`, async () => {
      const m = await server.metrics();
      return Object.entries(idle).every(([k, v]) => m[k] === v);
    }, 8000);
    const errors = VIEWS.flatMap((v) => pages[v.key].errors.map((e) => `${v.key}: ${e}`));
    if (errors.length) throw new Failure(`uncaught errors in the pages: ${errors.join('; ')}`);
    // Console errors are shown, not failed on: a 404 the app expects (no call in progress,
    // a record not written yet) and the reconnects refused on purpose (7a) are among them.
    const seen = new Map();
    for (const v of VIEWS) for (const m of pages[v.key].console) seen.set(m, (seen.get(m) ?? 0) + 1);
    for (const [m, n] of seen) console.log(`     console error ×${n}: ${m}`);
    server.proc.signal('SIGTERM');
    const code = await server.proc.wait(10_000);
    if (code !== 0) throw new Failure(`the server exited with ${code} on SIGTERM`);
  });

  await step(`accessibility: axe-core ${axeVersion}, no serious or critical violation on any screen`, async () => {
    const line = `e2e-figures: cls_live_updates=${figures.cls_live_updates?.toFixed(4)} cls_reconnect=${figures.cls_reconnect?.toFixed(4)}` +
      ` (worst view; limit ${CLS_LIMIT}) axe_screens=${a11y.screens} axe_runs=${a11y.runs} axe_ms=${a11y.ms}` +
      ` axe_serious_or_critical=${a11y.failures.length} axe_warnings=${a11y.warnings.length} installable=${figures.installable ?? 'n/a'}`;
    console.log(line);
    fs.appendFileSync(path.join(shotDir, 'figures.txt'), `${new Date().toISOString()} ${line}\n`);
    if (a11y.failures.length) throw new Failure(`${a11y.failures.length} serious or critical accessibility violations:\n  ${a11y.failures.join('\n  ')}`);
  });
}

/** Item 6's figures, printed and not asserted: a new context (empty cache, no service
 * worker) with a stored session loads `/`, three times; the time from navigation start
 * until the state buttons are enabled (each, and the median), and the JavaScript the
 * first load fetched (bytes on the wire, with their encoding). */
async function measureColdLoad() {
  const token = await server.login('alice');
  const times = [];
  let js = null;
  try {
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-US', timezoneId: 'Asia/Seoul' });
      try {
        await context.addInitScript((t) => localStorage.setItem('sb.token', t), token);
        const page = await context.newPage();
        const fetched = [];
        page.on('requestfinished', async (req) => {
          const url = new URL(req.url()).pathname;
          if (!/\.m?js$/.test(url) || url === '/sw.js') return; // sw.js: the worker's, after the load
          const res = await req.response();
          const sizes = await req.sizes().catch(() => null);
          fetched.push({ url, encoding: res?.headers()['content-encoding'] ?? 'identity', bytes: sizes?.responseBodySize ?? -1 });
        });
        await page.goto(`${server.url}/`, { waitUntil: 'commit', timeout: 15_000 });
        const interactive = await page.waitForFunction(() => {
          const b = document.querySelector('.state-actions .btn-state.btn-ready');
          return b && !b.disabled ? performance.now() : false;
        }, null, { polling: 'raf', timeout: 15_000 });
        times.push(Math.round(await interactive.jsonValue()));
        await page.waitForLoadState('load');
        await waitFor('the sizes of the JavaScript fetched', () => fetched.length > 0, 5000);
        js ??= fetched;
      } finally {
        await context.close();
      }
    }
  } finally {
    await apiOk('DELETE', '/api/v1/sessions/current', token, 204);
  }
  const reportFile = path.join(webRoot, 'build-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : {};
  const wire = js.reduce((n, j) => n + j.bytes, 0);
  const median = [...times].sort((a, b) => a - b)[1];
  const line = `e2e-figures: main_interactive_ms=${median} (median of ${times.join(', ')}; cold cache, loopback, 390x844,` +
    ` navigation start to the state buttons enabled) first_load_js_wire_bytes=${wire}` +
    ` (${js.map((j) => `${j.url} ${j.encoding} ${j.bytes}`).join(', ')})` +
    ` build_report_js_gzip_bytes=${report.js_gzip_bytes ?? 'n/a'} build_report_js_brotli_bytes=${report.js_brotli_bytes ?? 'n/a'}`;
  console.log(line);
  fs.writeFileSync(path.join(shotDir, 'figures.txt'), `${new Date().toISOString()} ${line}\n`);
}

/** Issue 8: installable, the shell cached and nothing else. A new context loads `/` (the
 * login screen) and its service worker gets ready; the manifest linked from the page
 * parses and names 192 and 512 px PNG icons that load, and Chromium lists no
 * installability error; a stored session's main screen then loads through the worker
 * (its API requests pass it untouched); offline, a reload still opens the app's own
 * screen from the cached shell. No /api/ response came from the worker, and none is in
 * its caches. */
async function checkInstallable() {
  const token = await server.login('alice');
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-US', timezoneId: 'Asia/Seoul' });
  try {
    const page = await context.newPage();
    const apiFromWorker = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/') && r.fromServiceWorker()) apiFromWorker.push(r.url());
    });
    await page.goto(`${server.url}/`, { timeout: 15_000 });
    await visible(page, 'form.login-card', 'the login screen (first load)');
    const worker = await page.evaluate(() => Promise.race([
      navigator.serviceWorker.ready.then((r) => ({ scope: r.scope, script: r.active?.scriptURL, state: r.active?.state })),
      new Promise((resolve) => setTimeout(() => resolve(null), 10_000)),
    ]));
    if (!worker || worker.scope !== `${server.url}/` || !worker.script?.endsWith('/sw.js')) throw new Failure(`navigator.serviceWorker.ready: ${JSON.stringify(worker)}, expected /sw.js active for ${server.url}/`);

    const href = await page.evaluate(() => document.querySelector('link[rel=manifest]')?.href ?? null);
    if (!href) throw new Failure('no <link rel=manifest> in the page');
    const res = await context.request.get(href);
    if (res.status() !== 200) throw new Failure(`GET ${href}: ${res.status()}`);
    let manifest;
    try {
      manifest = JSON.parse(await res.text());
    } catch (e) {
      throw new Failure(`the manifest ${href} does not parse: ${e.message}`);
    }
    if (!manifest.name && !manifest.short_name) throw new Failure('the manifest has no name');
    if (!['standalone', 'fullscreen', 'minimal-ui'].includes(manifest.display)) throw new Failure(`the manifest's display is ${manifest.display}`);
    if (new URL(manifest.start_url ?? '', href).href !== `${server.url}/`) throw new Failure(`the manifest's start_url is ${manifest.start_url}`);
    const icons = [];
    for (const size of [192, 512]) {
      const icon = (manifest.icons ?? []).find((i) => i.type === 'image/png' && String(i.sizes).split(/\s+/).includes(`${size}x${size}`) && (i.purpose ?? 'any').split(/\s+/).includes('any'));
      if (!icon) throw new Failure(`the manifest names no ${size}x${size} PNG icon (purpose any): ${JSON.stringify(manifest.icons)}`);
      const url = new URL(icon.src, href).href;
      const r = await context.request.get(url);
      const body = await r.body();
      const type = r.headers()['content-type'] ?? '';
      const png = body.length > 24 && body.subarray(1, 4).toString('latin1') === 'PNG' ? [body.readUInt32BE(16), body.readUInt32BE(20)] : null;
      if (r.status() !== 200 || !type.startsWith('image/png') || !png || png[0] !== size || png[1] !== size) {
        throw new Failure(`icon ${url}: ${r.status()} ${type}, ${png ? png.join('x') : 'not a PNG'}; expected 200 image/png ${size}x${size}`);
      }
      icons.push(`${size}:${body.length}B`);
    }
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // Playwright's contexts are off the record, which Chromium counts against installing.
    const errors = installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito');
    if (errors.length) throw new Failure(`Chromium's installability errors: ${JSON.stringify(installabilityErrors)}`);
    await cdp.detach();
    const chromiumSays = installabilityErrors.length ? `${installabilityErrors.map((e) => e.errorId).join(', ')} (ignored)` : 'none';

    // The main screen online, under the worker: the API's answers pass it untouched.
    await page.evaluate((t) => localStorage.setItem('sb.token', t), token);
    const online = await page.reload();
    await visible(page, '.menu-counts li', 'the main screen, loaded under the worker');
    if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) throw new Failure('the page is not controlled by the service worker after a reload');

    await context.setOffline(true);
    const offline = await page.reload().catch((e) => {
      throw new Failure(`offline reload: ${e.message}`);
    });
    if (page.url().startsWith('chrome-error:')) throw new Failure('offline, the reload shows the browser\'s error page');
    // Offline the app keeps the stored session and says it is retrying (not the login form).
    await visible(page, '.unreachable-card', 'offline: the app\'s own "cannot reach the server" screen from the cached shell');
    const kept = await page.evaluate(() => localStorage.getItem('sb.token'));
    if (!kept) throw new Failure('offline, the app forgot the session');
    if (!offline?.fromServiceWorker()) throw new Failure(`offline, the page was not answered by the service worker (${offline?.status()})`);
    const cached = await page.evaluate(async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const req of await cache.keys()) urls.push(new URL(req.url).pathname);
      }
      return urls;
    });
    const api = cached.filter((u) => u.startsWith('/api/') || u === '/sip' || u.startsWith('/recordings'));
    if (api.length) throw new Failure(`the service worker's caches hold ${api.join(', ')}`);
    if (!cached.includes('/') || !cached.some((u) => u.startsWith('/assets/'))) throw new Failure(`the shell is not cached: ${cached.join(', ')}`);
    if (apiFromWorker.length) throw new Failure(`responses under /api/ came from the service worker: ${apiFromWorker.join(', ')}`);
    // Back online, the kept session resumes by itself: the main screen, no new login.
    await context.setOffline(false);
    await visible(page, '.state-card', 'back online: the main screen with the kept session');
    figures.installable = `ok(icons ${icons.join(',')}; shell ${cached.length} files cached, none under /api/)`;
    console.log(`     installable: worker ${worker.state}, manifest ${manifest.display}, icons ${icons.join(', ')}, Chromium's installability errors: ${chromiumSays}, online reload ${online?.status()}${online?.fromServiceWorker() ? ' (from the worker)' : ''}, offline reload from the worker; cached: ${cached.join(' ')}`);
  } finally {
    await context.close();
    await apiOk('DELETE', '/api/v1/sessions/current', token, 204);
  }
}

function tail(file, lines = 80) {
  if (!fs.existsSync(file)) return '';
  const all = fs.readFileSync(file, 'utf8').split('\n');
  return all.slice(-lines).join('\n');
}

let passed = false;
try {
  await run();
  passed = true;
} catch {
  // the step printed why; the logs follow
  for (const p of Object.values(pages)) {
    await p.page.screenshot({ path: path.join(shotDir, `FAILED-${p.view.key}.png`), timeout: 5000 }).catch(() => undefined);
  }
  for (const name of ['server.out', 'server.stderr', 'phone.errors.log', 'phone.stderr', 'customer.errors.log', 'customer.stderr', 'register.errors.log']) {
    const text = tail(path.join(dir, name));
    if (text.trim()) console.log(`---- ${name} (last lines)\n${text}`);
  }
} finally {
  await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 5000))]).catch(() => undefined);
  await stopAll();
  clearTimeout(watchdog);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (passed) {
  console.log(`e2e: passed in ${seconds} s; ${shotCount} screens × ${VIEWS.length} views in ${shotDir}`);
  if (!opt.keep) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`e2e: kept ${dir}`);
} else {
  console.log(`e2e: FAILED after ${seconds} s; logs kept in ${dir}, screenshots in ${shotDir}`);
}
process.exit(passed ? 0 : 1);
