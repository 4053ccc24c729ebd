// B1–B2: organization, agent ID and password; "save ID" keeps the organization and ID
// (never the password) in this browser. Any wrong entry gives one notice that does not
// say which field was wrong, as the server answers.
import { useState } from 'preact/hooks';

import { ApiError } from '../api/http';
import { languages, lang, setLanguage, t, type MessageKey } from '../i18n';
import { logIn, loginNotice, savedId } from '../session';

export function Login() {
  const saved = savedId();
  const [org, setOrg] = useState(saved?.org ?? '');
  const [agent, setAgent] = useState(saved?.agent ?? '');
  const [password, setPassword] = useState('');
  const [saveId, setSaveId] = useState(saved !== null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notice: MessageKey | null = loginNotice.value;

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await logIn(org.trim(), agent.trim(), password, saveId);
    } catch (err) {
      setPassword('');
      if (err instanceof ApiError) {
        if (err.status === 401) setError(t('login.invalid'));
        else if (err.status === 403) setError(t('login.disabled'));
        else if (err.status === 429) setError(t('login.too_many', { seconds: err.retryAfterS ?? 1 }));
        else setError(t('error.generic', { detail: err.message }));
      } else {
        setError(t('login.unreachable'));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-describedby="login-error">
        <h1 class="login-title">{t('app.name')}</h1>
        <p class="login-sub">{t('login.title')}</p>
        {notice && !error && (
          <p class="notice" role="status">
            {t(notice)}
          </p>
        )}
        <label class="field">
          <span>{t('login.org')}</span>
          <input name="org" autocomplete="organization" required maxLength={200} value={org} onInput={(e) => setOrg(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('login.agent')}</span>
          <input name="agent" autocomplete="username" autocapitalize="off" required maxLength={200} value={agent} onInput={(e) => setAgent(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required maxLength={1024} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" name="save-id" checked={saveId} onChange={(e) => setSaveId(e.currentTarget.checked)} />
          <span>{t('login.save_id')}</span>
        </label>
        <p id="login-error" class="error" role="alert">
          {error ?? ''}
        </p>
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
        <div class="lang-switch" role="group" aria-label="Language / 언어">
          {languages.map((l) => (
            <button type="button" key={l} class={lang.value === l ? 'chip active' : 'chip'} aria-pressed={lang.value === l} onClick={() => setLanguage(l)}>
              {l === 'ko' ? '한국어' : 'English'}
            </button>
          ))}
        </div>
      </form>
    </main>
  );
}
