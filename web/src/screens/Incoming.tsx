// D1: the incoming-call screen, full screen and clearly a contact-center call (the
// organization's name, the menu), not a personal one. It shows the caller's number,
// the menu, how long the customer has waited (counting on), who transfers it or, for
// an internal call, which colleague calls. The agent answers on their registered SIP
// phone: the API has no answer or decline action, so the screen says so and offers
// neither. The shell shows it while `live.offered` is set (the agent's phone rings)
// and leaves it when the state leaves `ringing`.
import { useEffect, useRef } from 'preact/hooks';

import { ApiError } from '../api/http';
import { getMyCall, listAgents, waitedMs, type OrgAgent } from '../api/calls';
import { duration, phone } from '../format';
import { useLoad, useNow } from '../hooks';
import { t } from '../i18n';
import { me } from '../session';
import type { OfferedCall } from '../state/live';
import { colleagueName, menuLabel } from './InCall';
import './call.css';

export function Incoming(props: { offered: OfferedCall }) {
  const o = props.offered;
  const now = useNow(1000);
  const heading = useRef<HTMLHeadingElement>(null);
  const org = me.value?.org;
  const transfer = o.transfer_from !== null;
  const internal = o.direction === 'internal';
  const colleagueId = internal ? o.from : o.transfer_from;

  // Names for the colleague's id; earlier contacts while it rings (D2 starts here).
  const agents = useLoad<OrgAgent[]>((signal) => (colleagueId ? listAgents(signal) : Promise.resolve([])), [colleagueId]);
  const live = useLoad(
    (signal) =>
      getMyCall(signal).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    [o.call],
  );
  const colleague = colleagueId ? colleagueName(colleagueId, agents.data) : null;
  const earlier = live.data && live.data.id === o.call ? live.data.earlier_contacts : [];

  // Keyboard and screen-reader users start on the heading.
  useEffect(() => {
    heading.current?.focus();
  }, [o.call]);

  // A customer's time waited; a transfer or a colleague's call: time ringing.
  const counting = !transfer && !internal ? waitedMs(o, now) : Math.max(0, now - o.offered_at);
  const who = internal ? (colleague ?? t('call.incoming.kind_internal')) : phone(o.customer) || t('call.unknown_number');
  const kind = internal
    ? t('call.incoming.kind_internal')
    : transfer
      ? t('call.incoming.kind_transfer')
      : o.direction === 'outbound'
        ? t('call.incoming.kind_outbound')
        : t('call.incoming.kind_customer');
  const menu = menuLabel(o.menu);
  const announce = [kind, who, menu ? t('call.menu_is', { menu }) : '', t('call.incoming.answer_on_phone')]
    .filter(Boolean)
    .join('. ');

  return (
    <section class="call-screen incoming" aria-labelledby="incoming-title">
      <p class="sr-only" role="alert">
        {announce}
      </p>
      <header class="incoming-head">
        <span class="call-org">{org?.name ?? ''}</span>
        <span class={`call-badge ${internal ? 'badge-internal' : transfer ? 'badge-transfer' : 'badge-customer'}`}>{kind}</span>
      </header>
      <div class="incoming-ring" aria-hidden="true">
        <span class="ring-icon">☎</span>
      </div>
      <h1 ref={heading} id="incoming-title" class="call-number incoming-number" tabIndex={-1}>
        <span class="sr-only">{t('call.incoming.title')}: </span>
        {who}
      </h1>
      {internal && colleague && colleagueId && colleague !== colleagueId && <p class="call-sub">{colleagueId}</p>}
      {!internal && <p class="call-menu">{menu ? t('call.menu_is', { menu }) : t('call.no_menu')}</p>}
      {transfer && !internal && (
        <p class="call-sub">{t('call.incoming.from_colleague', { name: colleague ?? o.transfer_from ?? '' })}</p>
      )}
      <div class="call-timer-box">
        <span class="call-timer-label">{!transfer && !internal ? t('call.incoming.waited') : t('call.incoming.ringing_for')}</span>
        <span class="call-timer" aria-live="off">
          {duration(counting)}
        </span>
      </div>
      <p class="answer-hint">
        <span class="answer-hint-icon" aria-hidden="true">☎</span>
        <strong>{t('call.incoming.answer_on_phone')}</strong>
        <span class="answer-hint-sub">{t('call.incoming.answer_on_phone_sub')}</span>
      </p>
      {earlier.length > 0 && (
        <p class="incoming-earlier">
          {t('call.incoming.earlier', { count: earlier.length })}
          {earlier[0]?.note?.category ? ` · ${t('call.incoming.last_category', { category: earlier[0].note.category })}` : ''}
        </p>
      )}
    </section>
  );
}
