/* The exhibit builder's edit page. Without this script every button posts the form and the server makes the
   change (nothing is saved until Save); with it: blocks move in the page (focus stays on the moved block, the move is
   announced), text blocks preview as they are typed (rendered by the server, the site's safe Markdown), items are
   found by searching, an image region is drawn on the deep-zoom viewer, and a clip's start and end are taken from
   the player. */
(function () {
  "use strict";
  var form = document.getElementById("exhibit-form");
  if (!form) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById("block-status");

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_all, name) { return String(values[name]); });
  }

  form.querySelectorAll("[data-needs-js], [data-finder]").forEach(function (el) { el.hidden = false; });
  form.querySelectorAll("[data-nojs]").forEach(function (el) { el.hidden = true; });

  /* Move up / Move down */
  function blocks() {
    return Array.prototype.slice.call(form.querySelectorAll("#blocks > li.block"));
  }

  function renumber() {
    var all = blocks();
    all.forEach(function (li, i) {
      li.querySelectorAll(".block-number").forEach(function (span) { span.textContent = String(i + 1); });
      li.querySelector('[data-move="up"]').toggleAttribute("aria-disabled", i === 0);
      li.querySelector('[data-move="down"]').toggleAttribute("aria-disabled", i === all.length - 1);
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button || !form.contains(button)) { return; }
    event.preventDefault();
    var li = button.closest("li.block"), all = blocks(), i = all.indexOf(li);
    var j = button.getAttribute("data-move") === "up" ? i - 1 : i + 1;
    if (j < 0 || j >= all.length) { say(form.getAttribute("data-no-further")); return; }
    if (j < i) { li.parentNode.insertBefore(li, all[j]); } else { li.parentNode.insertBefore(all[j], li); }
    renumber();
    var target = button.getAttribute("aria-disabled") === "true"
      ? li.querySelector('[data-move="' + (button.getAttribute("data-move") === "up" ? "down" : "up") + '"]') : button;
    target.focus();
    say(fill(form.getAttribute("data-moved"), { number: j + 1, count: all.length }));
  });

  /* The live preview of Markdown */
  function post(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (key) { body.set(key, fields[key]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "Accept": "application/json", "X-CSRFToken": token } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  var timers = {};
  form.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches("textarea[data-preview]")) { return; }
    window.clearTimeout(timers[area.id]);
    timers[area.id] = window.setTimeout(function () {
      var box = document.getElementById(area.getAttribute("data-preview"));
      post(form.getAttribute("data-markdown"), { text: area.value }).then(function (json) {
        if (json) { box.innerHTML = json.html; box.setAttribute("data-source-length", String(area.value.length)); }
      }).catch(function () { /* the preview stays as it was; saving still works */ });
    }, 300);
  });

  /* Finding an item by searching */
  function titleOf(titles) {
    var lang = document.documentElement.lang;
    var other = Object.keys(titles)[0];
    return titles[lang] || titles.vi || titles.en || (other ? titles[other] : "");
  }

  function chooseItem(input, id) {
    var target = document.getElementById(input.getAttribute("data-find-for"));
    var rows = target.closest(".gallery-rows");
    if (rows && target.value) {
      var empty = Array.prototype.filter.call(rows.querySelectorAll('input[name$="items.item"]'),
                                              function (field) { return !field.value; })[0];
      target = empty || target;
    }
    target.value = id;
    var show = target.closest(".item-ref").querySelector("[data-show]");
    if (show && form.requestSubmit) { form.requestSubmit(show); } else { target.focus(); }
  }

  form.querySelectorAll("input[data-find-for]").forEach(function (input) {
    var list = document.getElementById(input.id + "-results"), timer = null;
    function search() {
      var q = input.value.trim();
      if (!q) { list.textContent = ""; return; }
      var url = form.getAttribute("data-find") + "?q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (json) {
          list.textContent = "";
          if (!json.items.length) {
            var none = document.createElement("li");
            none.textContent = form.getAttribute("data-nothing-found");
            list.appendChild(none);
          }
          json.items.forEach(function (item) {
            var li = document.createElement("li"), button = document.createElement("button");
            button.type = "button";
            button.className = "secondary";
            button.setAttribute("data-choose", item.id);
            var hidden = item.access !== "public" || item.status !== "published";
            button.textContent = (titleOf(item.title) || item.id) + " · " + item.id +
              (hidden ? " (" + form.getAttribute("data-not-public") + ")" : "");
            button.addEventListener("click", function () { chooseItem(input, item.id); });
            li.appendChild(button);
            list.appendChild(li);
          });
        })
        .catch(function () { list.textContent = ""; });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 300);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); window.clearTimeout(timer); search(); }
    });
  });

  /* Drawing an image region on the deep-zoom viewer */
  var REGION = /^(pct:)?(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/;

  function regionViewer(el) {
    var input = document.getElementById(el.getAttribute("data-region-input"));
    var width = Number(el.getAttribute("data-width")), height = Number(el.getAttribute("data-height"));
    var toggle = form.querySelector('[data-draw="' + el.id + '"]');
    var canvas = document.createElement("div");
    canvas.className = "viewer-canvas";
    el.appendChild(canvas);
    el.classList.add("is-live");
    var viewer = window.OpenSeadragon({
      element: canvas, prefixUrl: el.getAttribute("data-prefix"), tileSources: el.getAttribute("data-info"),
      showNavigator: false, showRotationControl: false, drawer: "canvas", visibilityRatio: 1,
      gestureSettingsTouch: { pinchRotate: false }
    });
    var box = document.createElement("div"), boxShown = false, drawing = false, from = null;
    box.className = "region-box";

    function parsed() {
      var m = REGION.exec(input.value.trim());
      if (!m) { return null; }
      var v = [m[2], m[3], m[4], m[5]].map(Number);
      return m[1] ? [v[0] * width / 100, v[1] * height / 100, v[2] * width / 100, v[3] * height / 100] : v;
    }
    function showRegion() {
      var r = parsed();
      if (!r) {
        if (boxShown) { viewer.removeOverlay(box); boxShown = false; }
        return;
      }
      var rect = viewer.viewport.imageToViewportRectangle(r[0], r[1], r[2], r[3]);
      if (boxShown) { viewer.updateOverlay(box, rect); } else { viewer.addOverlay({ element: box, location: rect }); }
      boxShown = true;
    }
    function imagePoint(position) {
      var p = viewer.viewport.viewerElementToImageCoordinates(position);
      return { x: Math.min(width, Math.max(0, p.x)), y: Math.min(height, Math.max(0, p.y)) };
    }
    function drawTo(position) {
      var to = imagePoint(position);
      var x = Math.round(Math.min(from.x, to.x)), y = Math.round(Math.min(from.y, to.y));
      var w = Math.round(Math.abs(to.x - from.x)), h = Math.round(Math.abs(to.y - from.y));
      if (w < 1 || h < 1) { return false; }
      input.value = [x, y, w, h].join(",");
      showRegion();
      return true;
    }
    function setDrawing(on) {
      drawing = on;
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      el.classList.toggle("is-drawing", on);
    }

    viewer.addHandler("open", function () {
      window.heritageZoomSurface(el, canvas);
      var still = el.querySelector(".region-still");
      if (still) { still.hidden = true; }
      el.setAttribute("data-state", "open");
      showRegion();
    });
    viewer.addHandler("open-failed", function () {
      el.classList.remove("is-live");
      el.setAttribute("data-state", "failed");
      viewer.destroy();
      canvas.parentNode.removeChild(canvas);
    });
    viewer.addHandler("canvas-press", function (event) {
      if (drawing) { from = imagePoint(event.position); }
    });
    viewer.addHandler("canvas-drag", function (event) {
      if (!drawing || !from) { return; }
      event.preventDefaultAction = true;
      drawTo(event.position);
    });
    viewer.addHandler("canvas-drag-end", function (event) {
      if (drawing) { event.preventDefaultAction = true; }
    });
    viewer.addHandler("canvas-click", function (event) {
      if (drawing) { event.preventDefaultAction = true; }
    });
    viewer.addHandler("canvas-release", function (event) {
      if (!drawing || !from) { return; }
      var drawn = drawTo(event.position);
      from = null;
      // The drag's end and click come next in the same gesture: still drawing for them (no pan, no zoom).
      window.setTimeout(function () { setDrawing(false); }, 0);
      if (drawn) { say(fill(form.getAttribute("data-region-set"), { region: input.value })); }
    });
    toggle.addEventListener("click", function () { setDrawing(!drawing); });
    input.addEventListener("input", showRegion);
    var clear = form.querySelector('[data-clear-region="' + input.id + '"]');
    if (clear) {
      clear.addEventListener("click", function () { input.value = ""; showRegion(); input.focus(); });
    }
  }

  if (typeof window.OpenSeadragon === "function") {
    form.querySelectorAll(".region-viewer[data-info]").forEach(regionViewer);
  }

  /* A clip's start and end from the player's current time */
  form.querySelectorAll("[data-set-time]").forEach(function (button) {
    button.addEventListener("click", function () {
      var media = document.getElementById(button.getAttribute("data-player"));
      var input = document.getElementById(button.getAttribute("data-set-time"));
      input.value = String(Math.round(media.currentTime * 10) / 10);
      say(fill(form.getAttribute("data-time-set"), { seconds: input.value }));
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
