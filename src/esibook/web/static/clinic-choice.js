// Filters a clinic <select> by what is typed in the search field above it, with accents or without.
// Without JavaScript the field stays hidden and the select works on its own.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  document.querySelectorAll("input.clinic-filter").forEach(function (input) {
    var select = document.getElementById(input.dataset.filters);
    if (!select) return;
    input.hidden = false;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = fold(option.text);
        var shown = option.value === "" || words.every(function (w) { return text.indexOf(w) >= 0; });
        option.hidden = !shown;
        option.disabled = !shown;
        if (shown && option.value && first === null) first = option;
      });
      if (words.length && first && select.selectedOptions[0] && select.selectedOptions[0].hidden) first.selected = true;
      if (words.length && first && !select.value) first.selected = true;
    });
  });
})();
