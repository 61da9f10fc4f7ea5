// esibook's service worker (served as /sw.js, scope "/"): the book, the HI card and the contribution history,
// once opened, read offline. Network first: a fresh answer replaces the kept copy; without a connection the
// kept copy (and the styles, scripts and icons it uses) is shown. Logging out deletes every kept copy.
const CACHE = 'esibook-offline-v2';
const PAGES = ['/me/book', '/me/card', '/me/contributions'];
const kept = url => PAGES.includes(url.pathname) || url.pathname.startsWith('/static/') || url.pathname === '/manifest.webmanifest';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', e => e.waitUntil(
  caches.keys().then(names => Promise.all(names.filter(n => n !== CACHE).map(n => caches.delete(n))))
    .then(() => self.clients.claim())));

self.addEventListener('fetch', e => {
  const url = new URL(e.request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/auth/logout') { e.waitUntil(caches.delete(CACHE)); return; }
  if (e.request.method !== 'GET' || !kept(url)) return;
  e.respondWith(fetch(e.request).then(response => {
    if (response.ok && !response.redirected && response.type === 'basic') {
      const copy = response.clone();
      e.waitUntil(caches.open(CACHE).then(c => c.put(e.request, copy)));
    }
    return response;
  }).catch(() => caches.match(e.request).then(found => found || caches.match(e.request, {ignoreSearch: true}))
    .then(found => found || Response.error())));
});
