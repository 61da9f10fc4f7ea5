// The officer's queue from the keyboard: j / k (or the arrow keys on a link) move between dossiers, Enter opens.
(function () {
  var links = Array.prototype.slice.call(document.querySelectorAll('a.queue-link'));
  if (!links.length) return;
  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
    var at = links.indexOf(target);
    var down = event.key === 'j' || (at >= 0 && event.key === 'ArrowDown');
    var up = event.key === 'k' || (at >= 0 && event.key === 'ArrowUp');
    if (!down && !up) return;
    event.preventDefault();
    var next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + (down ? 1 : -1)));
    links[next].focus();
  });
})();
