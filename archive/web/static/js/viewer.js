/* Deep zoom: OpenSeadragon on the archive's own IIIF Image API (info.json per image; pages of a set in sequence).
   Without JavaScript, or if the image service cannot be opened, the preview images stay. ?canvas=N&xywh=x,y,w,h in
   the page's address (a search hit on text found in the image) opens the page of canvas N (numbered from 1, as the
   manifest numbers its canvases) zoomed on that region of the image (in its pixels), outlined. */
(function () {
  "use strict";
  var el = document.getElementById("viewer");
  if (!el || typeof window.OpenSeadragon !== "function") { return; }
  var sources = el.getAttribute("data-info").split(" ");
  var canvas = document.createElement("div");
  canvas.className = "viewer-canvas";
  el.appendChild(canvas);
  el.classList.add("is-live");
  var params = new URLSearchParams(window.location.search);
  var canvases = (el.getAttribute("data-canvases") || "").split(" ");  /* each page's canvas: an item's recordings
                                                                         are canvases too, before or between them */
  var page = Math.max(0, canvases.indexOf(params.get("canvas") || canvases[0]));
  var region = /^(\d+),(\d+),(\d+),(\d+)$/.exec(params.get("xywh") || "");
  var viewer = window.OpenSeadragon({
    element: canvas,
    prefixUrl: el.getAttribute("data-prefix"),
    tileSources: sources,
    sequenceMode: sources.length > 1,
    initialPage: page,
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
    window.heritageZoomSurface(el, canvas);
    if (region) { showRegion(region.slice(1).map(Number)); }
    region = null;  // once: not again when the reader turns the pages
    el.setAttribute("data-state", "open");
  });
  el.osdViewer = viewer;  // for the browser tests

  function showRegion(box) {
    var rect = viewer.viewport.imageToViewportRectangle(new window.OpenSeadragon.Rect(box[0], box[1], box[2], box[3]));
    var mark = document.createElement("div");
    mark.className = "viewer-mark";
    viewer.addOverlay({ element: mark, location: rect });
    var margin = Math.max(rect.width, rect.height) * 0.5;  // some of the text around it
    viewer.viewport.fitBoundsWithConstraints(new window.OpenSeadragon.Rect(
      rect.x - margin, rect.y - margin, rect.width + 2 * margin, rect.height + 2 * margin), true);
  }
  viewer.addHandler("open-failed", function () {
    el.classList.remove("is-live");
    el.setAttribute("data-state", "failed");
    viewer.destroy();
    canvas.parentNode.removeChild(canvas);
  });
}());
