// A small history-API router: the path is a signal, links and code navigate with
// navigate(), the back button works. Screens match on the path's segments.
import { signal } from '@preact/signals';

export const path = signal<string>(typeof location === 'undefined' ? '/' : location.pathname);
/** The query string, "" or "?tab=all": screens keep their tabs and filters there. */
export const search = signal<string>(typeof location === 'undefined' ? '' : location.search);

export function navigate(to: string, replace = false): void {
  const q = to.indexOf('?');
  const nextPath = q < 0 ? to : to.slice(0, q) || '/';
  const nextSearch = q < 0 ? '' : to.slice(q);
  if (nextPath === path.value && nextSearch === search.value) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  path.value = nextPath;
  search.value = nextSearch;
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    path.value = location.pathname;
    search.value = location.search;
  });
}

/** "/calls/42" against "/calls/:id" → {id: "42"}; null when it does not match. */
export function match(pattern: string, p: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = p.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const seg = a[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(b[i]!);
    else if (seg !== b[i]) return null;
  }
  return params;
}
