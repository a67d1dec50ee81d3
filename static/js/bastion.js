// Behaviour shared by every page. No inline handlers anywhere: the content security policy
// (bastion/middleware.py) forbids inline script, so each one lives here, keyed on a data-
// attribute.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Logging out (or in as someone else) wipes the gate's offline copy of the compound,
  // also where no service worker runs (plain HTTP); gate-sw.js does the same.
  document.querySelectorAll("form.logout, form[data-login]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (window.indexedDB) window.indexedDB.deleteDatabase("bastion-gate-snapshot");
    });
  });
  // A field that matters in one mode only (the rules' days or hours): shown in that mode.
  document.querySelectorAll("[data-show-when]").forEach(function (box) {
    var rule = box.dataset.showWhen.split("=");
    var control = document.getElementById(rule[0]);
    if (!control) return;
    var apply = function () { box.hidden = control.value !== rule[1]; };
    control.addEventListener("change", apply);
    apply();
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
