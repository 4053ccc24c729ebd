// An in-app link: a real <a href> (open in a new tab works) that navigates without a reload.
import type { ComponentChildren } from 'preact';

import { navigate } from '../router';

export function Link(props: { to: string; class?: string; children: ComponentChildren; label?: string; current?: boolean }) {
  return (
    <a
      href={props.to}
      class={props.class}
      aria-label={props.label}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
