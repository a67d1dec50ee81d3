// The overview: a click anywhere on a compound's row opens its page (the name is the link).
(function () {
  "use strict";
  document.querySelectorAll("table.overview tr.row-link").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      var link = row.querySelector("a");
      if (link) { window.location.href = link.href; }
    });
  });
})();
