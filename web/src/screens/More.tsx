// More (L1, B3–B4): the list, and the pages it leads to, routed here from the path:
// /more/notices and /more/notices/:id, /more/faq, /more/inquiry (contact support and
// my earlier messages), /more/terms, /more/privacy, /more/licenses (dist/licenses.json,
// written at build time), /more/password (the main screen's "must change" notice
// leads here). The list also switches the language and logs out, after a confirmation.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import {
  changePassword,
  charCount,
  checkInquiry,
  checkPasswordChange,
  filterFaq,
  getNotice,
  groupFaq,
  inquiryLimits,
  listFaq,
  listInquiries,
  listNotices,
  loadLicences,
  policyReason,
  sendInquiry,
  textBlocks,
  type Inquiry,
  type InquiryInput,
  type InquiryProblem,
  type InquiryProblems,
  type LicenceEntry,
  type Notice,
  type PasswordProblem,
} from '../api/content';
import { ApiError } from '../api/http';
import { Link } from '../components/Link';
import { date, dateTime } from '../format';
import { errorText, useLoad } from '../hooks';
import { lang, languages, setLanguage, t, type MessageKey } from '../i18n';
import { match } from '../router';
import { logOut, me, timezone } from '../session';
import './more.css';

export function More(props: { path: string }) {
  const p = props.path.replace(/\/+$/, '') || '/more';
  let params: Record<string, string> | null;
  if (p === '/more') return <MoreHome />;
  if (p === '/more/notices') return <Notices />;
  if ((params = match('/more/notices/:id', p)) && /^\d+$/.test(params.id ?? '')) return <NoticeDetail id={Number(params.id)} />;
  if (p === '/more/faq') return <Faq />;
  if (p === '/more/inquiry') return <InquiryPage />;
  if (p === '/more/terms') return <TextPage title="more.terms" text="more.terms.text" />;
  if (p === '/more/privacy') return <TextPage title="more.privacy" text="more.privacy.text" />;
  if (p === '/more/licenses') return <Licences />;
  if (p === '/more/password') return <Password />;
  return (
    <Page title={t('more.title')} back="/more">
      <p class="muted">{t('more.not_found')}</p>
    </Page>
  );
}

// ---- the frame of every page: a back link and a heading that takes focus ----

function Page(props: { title: string; back: string; backLabel?: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // A new page: move focus to its heading so that screen readers announce it and Tab starts there.
  useEffect(() => {
    heading.current?.focus({ preventScroll: false });
  }, [props.title]);
  return (
    <section class="more-page" aria-labelledby="more-page-title">
      <div class="more-bar">
        <Link to={props.back} class="more-back" label={t('more.back_to', { page: props.backLabel ?? t('more.title') })}>
          <span aria-hidden="true">‹</span> {props.backLabel ?? t('more.title')}
        </Link>
      </div>
      <h1 id="more-page-title" class="more-title" tabIndex={-1} ref={heading}>
        {props.title}
      </h1>
      {props.children}
    </section>
  );
}

function LoadError(props: { error: string | null; reload: () => void }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {t('error.generic', { detail: props.error })}{' '}
      <button type="button" class="btn btn-link" onClick={props.reload}>
        {t('error.retry')}
      </button>
    </p>
  );
}

// ---- the list ----

const helpItems: { to: string; label: MessageKey; icon: string }[] = [
  { to: '/more/notices', label: 'more.notices', icon: '⚑' },
  { to: '/more/faq', label: 'more.faq', icon: '?' },
  { to: '/more/inquiry', label: 'more.inquiry', icon: '✉' },
];
const aboutItems: { to: string; label: MessageKey; icon: string }[] = [
  { to: '/more/terms', label: 'more.terms', icon: '§' },
  { to: '/more/privacy', label: 'more.privacy', icon: '◎' },
  { to: '/more/licenses', label: 'more.licenses', icon: '©' },
];

function MoreLink(props: { to: string; label: string; icon: string; badge?: string }) {
  return (
    <li>
      <Link to={props.to} class="more-item">
        <span class="more-icon" aria-hidden="true">
          {props.icon}
        </span>
        <span class="more-label">{props.label}</span>
        {props.badge && <span class="badge badge-warn">{props.badge}</span>}
        <span class="more-chevron" aria-hidden="true">
          ›
        </span>
      </Link>
    </li>
  );
}

function MoreHome() {
  const m = me.value;
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirmLogOut() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      // logOut ends the session locally whatever the server answers: the login screen follows.
      await logOut();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  }

  return (
    <section class="more-home" aria-labelledby="more-title">
      <h1 id="more-title" class="more-title">
        {t('more.title')}
      </h1>
      {m && <p class="muted more-who">{t('more.signed_in', { name: m.agent.name, id: m.agent.id, org: m.agent.org })}</p>}

      <h2 class="more-group" id="more-help">
        {t('more.group.help')}
      </h2>
      <ul class="more-list" aria-labelledby="more-help">
        {helpItems.map((i) => (
          <MoreLink key={i.to} to={i.to} label={t(i.label)} icon={i.icon} />
        ))}
      </ul>

      <h2 class="more-group" id="more-account">
        {t('more.group.account')}
      </h2>
      <ul class="more-list" aria-labelledby="more-account">
        <MoreLink to="/more/password" label={t('more.password')} icon="✱" badge={m?.must_change_password ? t('more.password_due') : undefined} />
        <li class="more-item more-static">
          <span class="more-icon" aria-hidden="true">
            ⇄
          </span>
          <span class="more-label" id="more-lang-label">
            {t('more.language')}
          </span>
          <span class="more-lang" role="group" aria-labelledby="more-lang-label">
            {languages.map((l) => (
              <button
                type="button"
                key={l}
                lang={l}
                class={lang.value === l ? 'chip active' : 'chip'}
                aria-pressed={lang.value === l}
                onClick={() => setLanguage(l)}
              >
                {l === 'ko' ? '한국어' : 'English'}
              </button>
            ))}
          </span>
        </li>
        <li>
          <button type="button" class="more-item more-logout" onClick={() => dialog.current?.showModal()}>
            <span class="more-icon" aria-hidden="true">
              ⇥
            </span>
            <span class="more-label">{t('more.logout')}</span>
          </button>
        </li>
      </ul>
      {error && (
        <p class="error" role="alert">
          {t('error.generic', { detail: error })}
        </p>
      )}

      <h2 class="more-group" id="more-about">
        {t('more.group.about')}
      </h2>
      <ul class="more-list" aria-labelledby="more-about">
        {aboutItems.map((i) => (
          <MoreLink key={i.to} to={i.to} label={t(i.label)} icon={i.icon} />
        ))}
      </ul>

      <dialog ref={dialog} class="more-dialog" aria-labelledby="logout-title" aria-describedby="logout-text">
        <h2 id="logout-title">{t('more.logout.confirm_title')}</h2>
        <p id="logout-text">{t('more.logout.confirm_text')}</p>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => dialog.current?.close()} autoFocus>
            {t('common.cancel')}
          </button>
          <button type="button" class="btn btn-danger" onClick={confirmLogOut} disabled={busy}>
            {busy ? t('more.logout.busy') : t('more.logout')}
          </button>
        </div>
      </dialog>
    </section>
  );
}

// ---- notices ----

function Notices() {
  const [items, setItems] = useState<Notice[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const first = useLoad(async (signal) => {
    const page = await listNotices(null, signal);
    setItems(page.items);
    setCursor(page.next_cursor);
    return page;
  });
  const tz = timezone.value;

  async function loadMore() {
    if (!cursor || more.busy) return;
    setMore({ busy: true, error: null });
    try {
      const page = await listNotices(cursor);
      setItems((old) => [...old, ...page.items.filter((n) => !old.some((o) => o.id === n.id))]);
      setCursor(page.next_cursor);
      setMore({ busy: false, error: null });
    } catch (e) {
      setMore({ busy: false, error: errorText(e) });
    }
  }

  return (
    <Page title={t('more.notices')} back="/more">
      <LoadError error={first.error} reload={first.reload} />
      {first.data === null ? (
        !first.error && (
          <p class="muted list-placeholder" aria-busy="true">
            {t('common.loading')}
          </p>
        )
      ) : items.length === 0 ? (
        <p class="muted list-placeholder">{t('more.notices.empty')}</p>
      ) : (
        <ul class="more-list notice-list">
          {items.map((n) => (
            <li key={n.id}>
              <Link to={`/more/notices/${n.id}`} class="more-item notice-item">
                <span class="notice-main">
                  <span class="notice-title">
                    {n.pinned && <span class="badge">{t('more.notices.pinned')}</span>} {n.title}
                  </span>
                  <span class="notice-date muted">
                    <time dateTime={n.published_at}>{date(n.published_at, tz, lang.value)}</time>
                  </span>
                </span>
                <span class="more-chevron" aria-hidden="true">
                  ›
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="btn btn-block load-more" onClick={loadMore} disabled={more.busy}>
          {more.busy ? t('common.loading') : t('more.notices.load_more')}
        </button>
      )}
      {more.error && (
        <p class="error" role="alert">
          {t('error.generic', { detail: more.error })}
        </p>
      )}
    </Page>
  );
}

function NoticeDetail(props: { id: number }) {
  // A notice that is not (or no longer) there is data too: null, not an error.
  const n = useLoad(
    (signal) =>
      getNotice(props.id, signal).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    [props.id],
  );
  const tz = timezone.value;
  const d = n.data;
  return (
    <Page title={d?.title ?? t('more.notices')} back="/more/notices" backLabel={t('more.notices')}>
      {d ? (
        <article class="card notice-body">
          <p class="muted notice-meta">
            {d.pinned && <span class="badge">{t('more.notices.pinned')}</span>}{' '}
            <time dateTime={d.published_at}>{t('more.notices.published', { date: dateTime(d.published_at, tz, lang.value) })}</time>
          </p>
          <div class="prose-text">{d.body ?? ''}</div>
        </article>
      ) : n.loading ? (
        <p class="muted list-placeholder" aria-busy="true">
          {t('common.loading')}
        </p>
      ) : n.error ? (
        <LoadError error={n.error} reload={n.reload} />
      ) : (
        <p class="muted list-placeholder">{t('more.notices.gone')}</p>
      )}
    </Page>
  );
}

// ---- FAQ ----

function Faq() {
  const faq = useLoad((signal) => listFaq(signal));
  const [text, setText] = useState('');
  const entries = faq.data ?? [];
  const shown = groupFaq(filterFaq(entries, text));
  const several = new Set(entries.map((e) => (e.category ?? '').trim())).size > 1;
  return (
    <Page title={t('more.faq')} back="/more">
      <LoadError error={faq.error} reload={faq.reload} />
      {entries.length > 0 && (
        <label class="field faq-search">
          <span>{t('more.faq.search')}</span>
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} autocomplete="off" />
        </label>
      )}
      {faq.data === null ? (
        !faq.error && (
          <p class="muted list-placeholder" aria-busy="true">
            {t('common.loading')}
          </p>
        )
      ) : entries.length === 0 ? (
        <p class="muted list-placeholder">{t('more.faq.empty')}</p>
      ) : shown.length === 0 ? (
        <p class="muted list-placeholder" role="status">
          {t('more.faq.no_match', { text })}
        </p>
      ) : (
        shown.map((g) => (
          <div key={g.category} class="faq-group">
            {several && <h2 class="more-group">{g.category || t('more.faq.general')}</h2>}
            {g.entries.map((e) => (
              <details key={e.id} class="faq-item">
                <summary>{e.question}</summary>
                <div class="prose-text">{e.answer}</div>
              </details>
            ))}
          </div>
        ))
      )}
      <p class="faq-ask">
        {t('more.faq.ask')} <Link to="/more/inquiry">{t('more.inquiry')} ›</Link>
      </p>
    </Page>
  );
}

// ---- contact support ----

function problemText(p: InquiryProblem | undefined, max: number, value: string): string {
  if (!p) return '';
  if (p === 'too_long') return t('more.inquiry.too_long', { max, count: charCount(value.trim()) });
  return t(`more.inquiry.${p}` as MessageKey);
}

function InquiryPage() {
  const empty: InquiryInput = { subject: '', body: '', contact: '' };
  const [form, setForm] = useState<InquiryInput>(empty);
  const [problems, setProblems] = useState<InquiryProblems>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [mine, setMine] = useState<Inquiry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const list = useLoad(async (signal) => {
    const page = await listInquiries(null, signal);
    setMine(page.items);
    setCursor(page.next_cursor);
    return page;
  });
  const tz = timezone.value;

  function set<K extends keyof InquiryInput>(k: K, v: string) {
    setForm((f) => ({ ...f, [k]: v }));
    // A field's problem goes once it is edited; it is checked again on sending.
    if (problems[k]) setProblems((p) => ({ ...p, [k]: undefined }));
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    setStatus('');
    setError('');
    const p = checkInquiry(form);
    setProblems(p);
    if (Object.keys(p).length > 0) {
      setError(t('more.inquiry.fix'));
      const firstBad = (['subject', 'body', 'contact'] as const).find((k) => p[k]);
      if (firstBad) document.getElementById(`inquiry-${firstBad}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const saved = await sendInquiry(form);
      setForm(empty);
      setStatus(t('more.inquiry.sent'));
      if (saved && typeof saved === 'object' && 'id' in saved) setMine((old) => [saved, ...old.filter((i) => i.id !== saved.id)]);
      else list.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        setError(t('more.inquiry.too_many', { minutes: Math.max(1, Math.ceil((err.retryAfterS ?? 60) / 60)) }));
      } else {
        setError(t('error.generic', { detail: errorText(err) }));
      }
    } finally {
      setBusy(false);
    }
  }

  async function loadMore() {
    if (!cursor || moreBusy) return;
    setMoreBusy(true);
    try {
      const page = await listInquiries(cursor);
      setMine((old) => [...old, ...page.items.filter((n) => !old.some((o) => o.id === n.id))]);
      setCursor(page.next_cursor);
    } catch (err) {
      setError(t('error.generic', { detail: errorText(err) }));
    } finally {
      setMoreBusy(false);
    }
  }

  const field = (k: keyof InquiryInput) => ({
    id: `inquiry-${k}`,
    'aria-invalid': problems[k] ? true : undefined,
    'aria-describedby': `inquiry-${k}-note`,
    value: form[k],
    onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => set(k, e.currentTarget.value),
  });
  const counter = (k: 'subject' | 'body', max: number) => {
    const n = charCount(form[k]);
    return (
      <span class={n > max ? 'counter over' : 'counter'} aria-hidden="true">
        {t('more.inquiry.count', { count: n, max })}
      </span>
    );
  };

  return (
    <Page title={t('more.inquiry')} back="/more">
      <p class="muted">{t('more.inquiry.intro')}</p>
      <form class="card inquiry-form" onSubmit={submit} noValidate>
        <label class="field" for="inquiry-subject">
          <span class="field-head">
            <span>{t('more.inquiry.subject')}</span>
            {counter('subject', inquiryLimits.subject)}
          </span>
          <input {...field('subject')} name="subject" required autocomplete="off" />
          <span id="inquiry-subject-note" class="field-error">
            {problemText(problems.subject, inquiryLimits.subject, form.subject)}
          </span>
        </label>
        <label class="field" for="inquiry-body">
          <span class="field-head">
            <span>{t('more.inquiry.body')}</span>
            {counter('body', inquiryLimits.body)}
          </span>
          <textarea {...field('body')} name="body" required rows={7} />
          <span id="inquiry-body-note" class="field-error">
            {problemText(problems.body, inquiryLimits.body, form.body)}
          </span>
        </label>
        <label class="field" for="inquiry-contact">
          <span>{t('more.inquiry.contact')}</span>
          <input {...field('contact')} name="contact" autocomplete="email" inputMode="email" />
          <span id="inquiry-contact-note" class={problems.contact ? 'field-error' : 'field-hint muted'}>
            {problems.contact ? problemText(problems.contact, inquiryLimits.contact, form.contact) : t('more.inquiry.contact_hint')}
          </span>
        </label>
        <p class="error" role="alert">
          {error}
        </p>
        <p class="ok" role="status">
          {status}
        </p>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('more.inquiry.sending') : t('more.inquiry.send')}
        </button>
      </form>

      <h2 class="more-group">{t('more.inquiry.mine')}</h2>
      <LoadError error={list.error} reload={list.reload} />
      {list.data === null ? (
        !list.error && (
          <p class="muted list-placeholder" aria-busy="true">
            {t('common.loading')}
          </p>
        )
      ) : mine.length === 0 ? (
        <p class="muted list-placeholder">{t('more.inquiry.mine_empty')}</p>
      ) : (
        <ul class="inquiry-list">
          {mine.map((i) => (
            <li key={i.id}>
              <details class="faq-item">
                <summary>
                  <span class="inquiry-subject">{i.subject}</span>{' '}
                  <time class="muted inquiry-date" dateTime={i.created_at}>
                    {dateTime(i.created_at, tz, lang.value)}
                  </time>
                </summary>
                <div class="prose-text">{i.body}</div>
                {i.contact && <p class="muted">{t('more.inquiry.reply_to', { contact: i.contact })}</p>}
              </details>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="btn btn-block load-more" onClick={loadMore} disabled={moreBusy}>
          {moreBusy ? t('common.loading') : t('more.notices.load_more')}
        </button>
      )}
    </Page>
  );
}

// ---- terms and privacy ----

function TextPage(props: { title: MessageKey; text: MessageKey }) {
  return (
    <Page title={t(props.title)} back="/more">
      <p class="muted">{t('more.terms.updated')}</p>
      <article class="card prose">
        {textBlocks(t(props.text)).map((b, i) =>
          b.kind === 'h' ? (
            <h2 key={i}>{b.text}</h2>
          ) : b.kind === 'ul' ? (
            <ul key={i}>
              {b.items.map((item, j) => (
                <li key={j}>{item}</li>
              ))}
            </ul>
          ) : (
            <p key={i}>{b.text}</p>
          ),
        )}
      </article>
    </Page>
  );
}

// ---- open-source licences ----

function LicenceItem(props: { entry: LicenceEntry }) {
  // The texts run to hundreds of kilobytes in all: each is put in the page when opened.
  const [open, setOpen] = useState(false);
  const e = props.entry;
  return (
    <details class="faq-item licence" onToggle={(ev) => setOpen((ev.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <span class="licence-name">{e.name}</span>
        {e.version && <span class="muted licence-version"> {e.version}</span>}
        <span class="licence-id">{e.license || t('more.licenses.unknown')}</span>
      </summary>
      {open &&
        (e.text ? (
          <pre class="licence-text" tabIndex={0} aria-label={`${t('more.licenses.show_text')}: ${e.name}`}>
            {e.text}
          </pre>
        ) : (
          <p class="muted">{t('more.licenses.no_text', { source: e.source || '—' })}</p>
        ))}
    </details>
  );
}

function Licences() {
  const lic = useLoad((signal) => loadLicences(signal));
  const d = lic.data;
  return (
    <Page title={t('more.licenses')} back="/more">
      <p class="muted">{t('more.licenses.intro')}</p>
      {lic.error && !d ? (
        <p class="muted list-placeholder">{t('more.licenses.missing')}</p>
      ) : !d ? (
        <p class="muted list-placeholder" aria-busy="true">
          {t('common.loading')}
        </p>
      ) : (
        (
          [
            ['app', d.app],
            ['server', d.server],
          ] as const
        ).map(([k, list]) => (
          <div key={k} class="licence-group">
            <h2 class="more-group">{t(k === 'app' ? 'more.licenses.app' : 'more.licenses.server', { count: list.length })}</h2>
            {list.length === 0 ? <p class="muted">{t('more.licenses.none')}</p> : list.map((e) => <LicenceItem key={`${e.source}:${e.name}`} entry={e} />)}
          </div>
        ))
      )}
    </Page>
  );
}

// ---- change password (B3–B4) ----

function passwordProblemText(p: PasswordProblem | undefined): string {
  return p ? t(`more.password.${p}` as MessageKey) : '';
}

function PasswordField(props: {
  id: string;
  name: string;
  label: string;
  value: string;
  show: boolean;
  autocomplete: 'current-password' | 'new-password';
  problem: PasswordProblem | undefined;
  hint?: string;
  onInput: (v: string) => void;
}) {
  const note = `${props.id}-note`;
  const hint = `${props.id}-hint`;
  return (
    <label class="field" for={props.id}>
      <span>{props.label}</span>
      <input
        id={props.id}
        name={props.name}
        type={props.show ? 'text' : 'password'}
        value={props.value}
        autocomplete={props.autocomplete}
        autocapitalize="off"
        spellcheck={false}
        required
        aria-invalid={props.problem ? true : undefined}
        aria-describedby={props.hint ? `${hint} ${note}` : note}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.hint && (
        <span id={hint} class="field-hint muted">
          {props.hint}
        </span>
      )}
      <span id={note} class="field-error">
        {passwordProblemText(props.problem)}
      </span>
    </label>
  );
}

function Password() {
  const m = me.value;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [show, setShow] = useState(false);
  const [problems, setProblems] = useState<ReturnType<typeof checkPasswordChange>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);

  function edit(k: 'current' | 'next' | 'confirm', setter: (v: string) => void, v: string) {
    setter(v);
    // A field's problem goes once it is edited; it is checked again on sending.
    if (problems[k]) setProblems((p) => ({ ...p, [k]: undefined }));
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    setDone(false);
    setError('');
    const p = checkPasswordChange(current, next, confirm);
    setProblems(p);
    const firstBad = (['current', 'next', 'confirm'] as const).find((k) => p[k]);
    if (firstBad) {
      document.getElementById(`pw-${firstBad}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setProblems({});
      setDone(true);
      // The session goes on; the server no longer asks for a change (B3).
      if (me.value) me.value = { ...me.value, must_change_password: false };
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.code === 'wrong-password' || err.status === 403) {
          setCurrent('');
          setProblems({});
          setError(t('more.password.wrong'));
          document.getElementById('pw-current')?.focus();
        } else if (err.status === 429) {
          setError(t('more.password.too_many', { seconds: err.retryAfterS ?? 60 }));
        } else if (err.status === 503) {
          setError(t('more.password.busy_server'));
        } else if (err.code === 'weak-password') {
          const reason = policyReason(err.problem.detail);
          setError(reason ? t(`more.password.${reason}` as MessageKey) : t('more.password.rejected', { detail: err.message }));
          document.getElementById('pw-next')?.focus();
        } else {
          // invalid-input and the rest: the server's detail lists every problem at once.
          setError(t('error.generic', { detail: err.message }));
        }
      } else {
        setError(t('error.generic', { detail: errorText(err) }));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('more.password')} back="/more">
      {m?.must_change_password && !done && (
        <p class="notice notice-warn" role="status">
          {t('login.must_change')}
        </p>
      )}
      <p class="muted">{t('more.password.intro')}</p>
      <form class="card password-form" onSubmit={submit} noValidate>
        {/* A hidden username lets password managers file the new password under the right account. */}
        <input type="text" name="username" autocomplete="username" value={m?.agent.id ?? ''} readOnly hidden />
        <PasswordField
          id="pw-current"
          name="current"
          label={t('more.password.current')}
          value={current}
          show={show}
          autocomplete="current-password"
          problem={problems.current}
          onInput={(v) => edit('current', setCurrent, v)}
        />
        <PasswordField
          id="pw-next"
          name="new"
          label={t('more.password.new')}
          value={next}
          show={show}
          autocomplete="new-password"
          problem={problems.next}
          hint={t('more.password.rules')}
          onInput={(v) => edit('next', setNext, v)}
        />
        <PasswordField
          id="pw-confirm"
          name="confirm"
          label={t('more.password.confirm')}
          value={confirm}
          show={show}
          autocomplete="new-password"
          problem={problems.confirm}
          onInput={(v) => edit('confirm', setConfirm, v)}
        />
        <label class="check">
          <input type="checkbox" checked={show} onChange={(e) => setShow(e.currentTarget.checked)} />
          <span>{t('more.password.show')}</span>
        </label>
        <p class="error" role="alert">
          {error}
        </p>
        <p class="ok" role="status">
          {done ? t('more.password.done') : ''}
        </p>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('more.password.busy') : t('more.password.submit')}
        </button>
      </form>
    </Page>
  );
}
