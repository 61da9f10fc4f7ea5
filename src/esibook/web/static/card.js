// The HI card page: kept for offline use by the service worker, and its one-time QR renewed every 4 minutes.
if ('serviceWorker' in navigator) { navigator.serviceWorker.register('/sw.js', {scope: '/'}).catch(() => {}); }
(function refresh() {
  fetch('/me/card/one-time.svg', {cache: 'no-store'}).then(r => r.ok ? r.text() : Promise.reject())
    .then(svg => { document.getElementById('one-time').innerHTML = svg; })
    .catch(() => {});
  setTimeout(refresh, 240000);
})();
