/* Maps of places (Leaflet): on /{lang}/map every place of the list named by data-list, grouped when close
   (Leaflet.markercluster), each marker opening that place's card; on a place or item page, the one place of
   data-lat/data-lon; in a staff place form (data-pick-lat/data-pick-lon name its coordinate inputs), a click or a
   dragged marker sets the inputs and typing in them moves the marker. The base layer is the agency's tile server (data-tiles, HERITAGE_MAP_TILES) or else the country
   outlines the archive ships (data-basemap), so that with no setting nothing is asked of another host. */
(function () {
  "use strict";
  if (typeof window.L !== "object") { return; }
  var L = window.L;
  var SEA = {color: "#7a6f66", weight: 1, fillColor: "#f1ebe1", fillOpacity: 1};

  function clusterIcon(label) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var icon = document.createElement("div");
      var number = document.createElement("span");
      number.textContent = count;
      number.setAttribute("aria-hidden", "true");
      var words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = label.replace("{n}", count);
      icon.append(number, words);
      return L.divIcon({html: icon, className: "marker-cluster marker-cluster-small", iconSize: L.point(44, 44)});
    };
  }

  function baseLayer(el, map) {
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, {maxZoom: 19, attribution: el.dataset.attribution || ""}).addTo(map);
      return;
    }
    map.attributionControl.addAttribution(el.dataset.attribution);
    fetch(el.dataset.basemap).then(function (r) { return r.json(); }).then(function (outlines) {
      L.geoJSON(outlines, {style: SEA, interactive: false}).addTo(map).bringToBack();
      el.setAttribute("data-base", "outlines");
    });
  }

  function marker(point, card, opened) {
    var name = point.dataset.name;
    var m = L.marker([Number(point.dataset.lat), Number(point.dataset.lon)], {title: name, alt: name});
    if (card) {
      m.bindPopup(function () { return card.cloneNode(true); }, {maxWidth: 280, minWidth: 200});
      // Opened from the keyboard (Enter on the focused marker): focus goes to the card's first link.
      m.on("popupopen", function (e) {
        opened.marker = m;
        if (document.activeElement === m.getElement()) {
          e.popup.getElement().querySelector(".leaflet-popup-content a[href]").focus();
        }
      });
    }
    return m;
  }

  // Escape closes the open card and gives focus back to its marker (Leaflet does so only when the map has focus).
  function escapeCloses(el, map, opened) {
    map.on("popupclose", function () { opened.marker = null; });
    el.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && opened.marker) {
        var from = opened.marker.getElement();
        map.closePopup();
        if (from) { from.focus(); }
      }
    });
  }

  var CITY = [10.7769, 106.7009];  // Ho Chi Minh City: where a new place's map opens
  var DIGITS = 6;  // decimal places kept from a click: about 0.1 m

  function typedPoint(lat, lon) {
    var a = Number(lat.value.trim().replace(",", ".")), b = Number(lon.value.trim().replace(",", "."));
    if (!lat.value.trim() || !lon.value.trim() || !isFinite(a) || !isFinite(b) || Math.abs(a) > 90 ||
        Math.abs(b) > 180) { return null; }
    return L.latLng(a, b);
  }

  function picker(el, map) {
    var lat = document.getElementById(el.dataset.pickLat), lon = document.getElementById(el.dataset.pickLon);
    var help = el.parentNode.querySelector(".map-pick-help");
    if (!lat || !lon || lat.matches(":disabled")) { return false; }
    if (help) { help.hidden = false; }
    function show(point) {
      if (!el.pickMarker) {
        el.pickMarker = L.marker(point, {draggable: true, title: el.getAttribute("aria-label"),
                                         alt: el.getAttribute("aria-label")}).addTo(map);
        el.pickMarker.on("dragend", function () { set(el.pickMarker.getLatLng()); });
      } else {
        el.pickMarker.setLatLng(point);
      }
    }
    function set(point) {
      point = point.wrap();
      lat.value = String(Number(point.lat.toFixed(DIGITS)));
      lon.value = String(Number(point.lng.toFixed(DIGITS)));
      show(point);
    }
    map.on("click", function (e) { set(e.latlng); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("input", function () {
        var point = typedPoint(lat, lon);
        if (point) { show(point); map.panTo(point, {animate: false}); }
      });
    });
    var start = typedPoint(lat, lon);
    map.setView(start || CITY, start ? 15 : 11);
    if (start) { show(start); }
    return true;
  }

  function start(el) {
    var list = el.dataset.list ? document.getElementById(el.dataset.list) : null;
    var map = L.map(el, {minZoom: 3, maxZoom: 18, scrollWheelZoom: Boolean(list)});
    baseLayer(el, map);
    var opened = {marker: null};
    escapeCloses(el, map, opened);
    el.leafletMap = map;  // for the browser tests
    if (el.dataset.pickLat && picker(el, map)) {
      el.setAttribute("data-state", "ready");
      return;
    }
    if (!list && !el.dataset.lat) {  // a form that may not be changed, of a place with no coordinates
      map.setView(CITY, 11);
      el.setAttribute("data-state", "ready");
      return;
    }
    if (!list) {
      map.setView([Number(el.dataset.lat), Number(el.dataset.lon)], 15);
      marker(el, null, opened).addTo(map);
      el.setAttribute("data-state", "ready");
      return;
    }
    var group = L.markerClusterGroup ? L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 50,
      iconCreateFunction: clusterIcon(el.dataset.clusterLabel)}) : L.featureGroup();
    Array.prototype.forEach.call(list.querySelectorAll("[data-lat]"), function (point) {
      var m = marker(point, point.querySelector(".place-card"), opened);
      m.placeId = point.dataset.place;
      group.addLayer(m);
    });
    map.addLayer(group);
    map.fitBounds(group.getBounds(), {padding: [24, 24], maxZoom: 16});
    el.mapGroup = group;  // for the browser tests: which markers stand alone, which are grouped
    el.setAttribute("data-state", "ready");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), start);
}());
