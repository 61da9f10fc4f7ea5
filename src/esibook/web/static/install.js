// Makes esibook installable and readable offline: registers the service worker (/sw.js) on every page.
if ('serviceWorker' in navigator) { navigator.serviceWorker.register('/sw.js', {scope: '/'}).catch(() => {}); }
