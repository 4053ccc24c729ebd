// The service worker: caches the app shell (index.html, the hashed assets, icons) so
// the app opens at once and offline shows itself rather than the browser's error page.
// It never caches API data, events or recordings: every /api/ request goes to the
// network untouched. The build (scripts/postbuild.mjs) writes the shell's file list
// and a version into SHELL below.
const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL: { version: string; files: string[] } = { version: 'dev', files: ['/'] };
const CACHE = `sb-shell-${SHELL.version}`;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.files))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('sb-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/sip' || url.pathname === '/metrics' || url.pathname === '/healthz') return;
  if (req.mode === 'navigate') {
    // The newest shell when online; the cached one when not.
    event.respondWith(
      fetch(req).catch(async () => (await caches.match('/', { cacheName: CACHE })) ?? Response.error()),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/') || SHELL.files.includes(url.pathname)) {
    event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit ?? fetch(req)));
  }
});
