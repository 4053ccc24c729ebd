import { render } from 'preact';

import { App } from './app';
import { lang } from './i18n';
import { boot } from './session';
import './styles.css';

document.documentElement.lang = lang.value;
render(<App />, document.getElementById('app')!);
void boot();

// The service worker caches the app shell (never API data or recordings): the app
// opens at once and offline shows its own screen rather than the browser's.
if ('serviceWorker' in navigator && location.protocol !== 'file:' && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  });
}
