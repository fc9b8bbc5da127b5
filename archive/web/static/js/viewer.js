/* Deep zoom: OpenSeadragon on the archive's own IIIF Image API (info.json per image; pages of a set in sequence).
   Without JavaScript, or if the image service cannot be opened, the preview images stay. */
(function () {
  "use strict";
  var el = document.getElementById("viewer");
  if (!el || typeof window.OpenSeadragon !== "function") { return; }
  var sources = el.getAttribute("data-info").split(" ");
  var canvas = document.createElement("div");
  canvas.className = "viewer-canvas";
  el.appendChild(canvas);
  el.classList.add("is-live");
  var viewer = window.OpenSeadragon({
    element: canvas,
    prefixUrl: el.getAttribute("data-prefix"),
    tileSources: sources,
    sequenceMode: sources.length > 1,
    showReferenceStrip: false,
    showNavigator: false,
    showRotationControl: true,
    drawer: "canvas",
    visibilityRatio: 0.8,
    gestureSettingsTouch: { pinchRotate: false }
  });
  var loaded = 0;
  viewer.addHandler("tile-loaded", function () {
    loaded += 1;
    el.setAttribute("data-tiles-loaded", String(loaded));
  });
  viewer.addHandler("open", function () {
    var surface = canvas.querySelector(".openseadragon-canvas");
    if (surface) {
      surface.setAttribute("role", "application");
      surface.setAttribute("aria-roledescription", "zoomable image");
      surface.setAttribute("aria-label", el.getAttribute("data-label"));
    }
    el.setAttribute("data-state", "open");
  });
  viewer.addHandler("open-failed", function () {
    el.classList.remove("is-live");
    el.setAttribute("data-state", "failed");
    viewer.destroy();
    canvas.parentNode.removeChild(canvas);
  });
}());
