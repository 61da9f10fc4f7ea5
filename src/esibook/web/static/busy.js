// A form marked data-busy says it is working once sent: its button is disabled (no second submit) and the
// status line below it reads the data-busy text (the register's check or import can take a minute).
document.querySelectorAll('form[data-busy]').forEach(function (form) {
  form.addEventListener('submit', function () {
    var button = form.querySelector('button[type=submit]');
    var status = form.querySelector('[data-busy-status]');
    if (status) status.textContent = form.getAttribute('data-busy');
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });
});
