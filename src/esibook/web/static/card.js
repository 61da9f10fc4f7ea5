// The HI card page: its one-time QR renewed every 4 minutes; without a connection (a copy kept offline by the
// service worker) the one-time QR cannot be renewed, so the QR for use offline is opened in its place.
(function refresh() {
  fetch(document.getElementById('one-time').dataset.renew, {cache: 'no-store'}).then(r => r.ok ? r.text() : Promise.reject())
    .then(svg => { const qr = document.getElementById('one-time'); qr.innerHTML = svg; qr.hidden = false;
      document.getElementById('qr-note').hidden = false; document.getElementById('qr-stale').hidden = true; })
    .catch(() => {
      document.getElementById('one-time').hidden = true;
      document.getElementById('qr-note').hidden = true;
      document.getElementById('qr-stale').hidden = false;
      document.getElementById('offline').open = true;
    });
  setTimeout(refresh, 240000);
})();
