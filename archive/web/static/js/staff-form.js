// The describe form: "add another" buttons for original-language rows and people, the lang attribute of a text
// following its language tag, focus on the error summary, and confirmation before disabling an account.
(function () {
  "use strict";
  var counter = 1000;

  function addRow(container) {
    var rows = container.querySelectorAll("[data-row]");
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    counter += 1;
    copy.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (field.tagName === "SELECT") field.selectedIndex = 0;
      else field.value = "";
      field.removeAttribute("lang");
      var label = copy.querySelector('label[for="' + field.id + '"]');
      field.id = field.id.replace(/-\d+$/, "-" + counter);
      if (label) label.htmlFor = field.id;
    });
    last.after(copy);
    var first = copy.querySelector("input, textarea, select");
    if (first) first.focus();
  }

  document.querySelectorAll("[data-rows]").forEach(function (container) {
    var button = container.querySelector("[data-add-row]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () { addRow(container); });
  });

  document.addEventListener("input", function (event) {
    var tag = event.target;
    if (!tag.matches || !tag.matches('input[name$=".tag"]')) return;
    var row = tag.closest("[data-row]");
    var text = row && row.querySelector('[name$=".text"]');
    if (!text) return;
    if (/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag.value.trim())) text.lang = tag.value.trim();
    else text.removeAttribute("lang");
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
