/* The deep-zoom surface as assistive technology announces it, for the item viewer (viewer.js) and the exhibit
   builder's region viewer (exhibit-builder.js): an application role (the arrow and +/- keys are OpenSeadragon's),
   with the role description and the label the page gives in its language (data-roledescription, data-label). */
(function () {
  "use strict";
  window.heritageZoomSurface = function (el, canvas) {
    var surface = canvas.querySelector(".openseadragon-canvas");
    if (!surface) { return; }
    surface.setAttribute("role", "application");
    surface.setAttribute("aria-roledescription", el.getAttribute("data-roledescription"));
    surface.setAttribute("aria-label", el.getAttribute("data-label"));
  };
}());
