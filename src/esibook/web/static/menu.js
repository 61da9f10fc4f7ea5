// The menu starts open on wide screens (a closed <details> on phones).
if (matchMedia('(min-width: 900px)').matches) document.getElementById('menu').open = true;
