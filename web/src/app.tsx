// The shell: login until there is a session; then the screen of the moment — a call
// offered (full screen, D1), the call in progress (D2–F4), its after-call work (G1–G4)
// — or the screen the agent navigated to, with the main menu (bottom bar on a phone,
// side bar on a desktop) and the connection banner (A3).
import { Link } from './components/Link';
import { t, type MessageKey } from './i18n';
import { match, path } from './router';
import { AfterCall } from './screens/AfterCall';
import { CallDetail } from './screens/CallDetail';
import { Callbacks } from './screens/Callbacks';
import { DialPad } from './screens/DialPad';
import { History } from './screens/History';
import { InCall } from './screens/InCall';
import { Incoming } from './screens/Incoming';
import { Login } from './screens/Login';
import { Main } from './screens/Main';
import { More } from './screens/More';
import { Stats } from './screens/Stats';
import { boot, booting, connection, live, me, unreachable } from './session';

const tabs: { to: string; label: MessageKey; icon: string }[] = [
  { to: '/', label: 'nav.main', icon: '⌂' },
  { to: '/history', label: 'nav.history', icon: '☰' },
  { to: '/callbacks', label: 'nav.callbacks', icon: '↺' },
  { to: '/stats', label: 'nav.stats', icon: '▤' },
  { to: '/more', label: 'nav.more', icon: '…' },
];

function active(to: string, p: string): boolean {
  return to === '/' ? p === '/' || p === '/dial' : p === to || p.startsWith(`${to}/`);
}

function Nav() {
  const p = path.value;
  return (
    <nav class="nav" aria-label={t('nav.label')}>
      <span class="nav-brand" aria-hidden="true">
        {t('app.name')}
      </span>
      {tabs.map((tab) => (
        <Link key={tab.to} to={tab.to} class={active(tab.to, p) ? 'nav-item active' : 'nav-item'} current={active(tab.to, p)}>
          <span class="nav-icon" aria-hidden="true">
            {tab.icon}
          </span>
          <span class="nav-label">{t(tab.label)}</span>
        </Link>
      ))}
    </nav>
  );
}

export function ConnectionBanner() {
  const c = connection.value;
  // Always there (a live region announces the change); when the socket is down it lies
  // over the top of the screen (styles.css), so showing it shifts nothing.
  return (
    <div class={c === 'down' ? 'banner banner-down' : 'banner'} role="status" aria-live="polite">
      {c === 'down' ? t('conn.down') : ''}
    </div>
  );
}

function Routed() {
  const p = path.value;
  let params: Record<string, string> | null;
  if (p === '/' || p === '') return <Main />;
  if (p === '/dial') return <DialPad />;
  if (p === '/history') return <History />;
  if ((params = match('/history/:id', p))) return <CallDetail id={Number(params.id)} />;
  if (p === '/callbacks') return <Callbacks />;
  if (p === '/stats') return <Stats />;
  if (p === '/more' || p.startsWith('/more/')) return <More path={p} />;
  return <Main />;
}

export function App() {
  if (booting.value) return <div class="boot" aria-busy="true" />;
  const m = me.value;
  if (!m && unreachable.value) {
    return (
      <main class="login">
        <div class="login-card unreachable-card" role="alert">
          <h1 class="login-title">{t('app.name')}</h1>
          <p>{t('login.unreachable')}</p>
          <p class="muted">{t('conn.retrying')}</p>
          <button type="button" class="btn btn-primary btn-block" onClick={() => void boot()}>
            {t('error.retry')}
          </button>
        </div>
      </main>
    );
  }
  if (!m) return <Login />;
  const s = live.value;
  let screen;
  if (s.offered) screen = <Incoming offered={s.offered} />;
  else if (s.activeCall !== null) screen = <InCall call={s.activeCall} />;
  else if (s.state?.state === 'acw' && s.endedCall !== null) screen = <AfterCall call={s.endedCall} />;
  if (screen) {
    return (
      <div class="shell shell-focus">
        <ConnectionBanner />
        <main class="focus">{screen}</main>
      </div>
    );
  }
  return (
    <div class="shell">
      <Nav />
      <div class="content">
        <ConnectionBanner />
        <main class="screen">
          <Routed />
        </main>
      </div>
    </div>
  );
}
