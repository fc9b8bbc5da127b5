/* On a phone the filters start folded, so the results come first; on a wide screen they stay open beside them. */
(function () {
  "use strict";
  var filters = document.querySelector(".facets-toggle");
  if (filters && window.matchMedia && !window.matchMedia("(min-width: 56em)").matches) {
    filters.open = false;
  }
}());
