/* Audio and video: the transcript follows playback (the current line is highlighted and kept in view) and a line,
   when chosen, plays from its start; audio gets a waveform drawn from its peaks.json that also seeks on click.
   A clip (an exhibit's data-start/data-end, also given to the browser as a #t= media fragment) starts at its start
   and pauses at its end the first time it is played through. ?t=SECONDS or #t=SECONDS in the page's address opens
   the player of canvas N (?canvas=N, numbered as the manifest numbers them; the first player without it) at that
   moment. */
(function () {
  "use strict";

  function playFrom(media, seconds) {
    media.currentTime = seconds;
    var started = media.play();
    if (started && typeof started.catch === "function") {
      started.catch(function () { /* the browser refused to start playback; the position is still set */ });
    }
  }

  function keepInView(button) {
    var list = button.closest(".cues");
    if (!list || list.closest("details:not([open])")) { return; }
    var top = button.offsetTop;
    if (top < list.scrollTop || top + button.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    }
  }

  function waveform(canvas, media) {
    var peaks = null;
    function duration() {
      if (isFinite(media.duration) && media.duration > 0) { return media.duration; }
      return peaks ? peaks.length * peaks.samples_per_pixel / peaks.sample_rate : 0;
    }
    function draw() {
      if (!peaks) { return; }
      var ratio = window.devicePixelRatio || 1;
      var width = Math.max(1, Math.round(canvas.clientWidth * ratio));
      var height = Math.max(1, Math.round(canvas.clientHeight * ratio));
      if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
      var ctx = canvas.getContext("2d");
      var data = peaks.data, frames = data.length / 2, scale = Math.pow(2, (peaks.bits || 8) - 1);
      var played = duration() ? media.currentTime / duration() * width : 0;
      ctx.clearRect(0, 0, width, height);
      for (var x = 0; x < width; x += 1) {
        var from = Math.floor(x * frames / width), to = Math.max(from + 1, Math.floor((x + 1) * frames / width));
        var low = 0, high = 0;
        for (var i = from; i < to && i < frames; i += 1) {
          low = Math.min(low, data[2 * i]);
          high = Math.max(high, data[2 * i + 1]);
        }
        var top = height / 2 - high / scale * height / 2, bottom = height / 2 - low / scale * height / 2;
        ctx.fillStyle = x < played ? "#ffd36b" : "#a8988a";
        ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
      }
    }
    fetch(canvas.getAttribute("data-peaks"))
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (json) { peaks = json; draw(); canvas.setAttribute("data-state", json ? "drawn" : "failed"); })
      .catch(function () { canvas.setAttribute("data-state", "failed"); });
    canvas.addEventListener("click", function (event) {
      if (duration()) { playFrom(media, event.offsetX / canvas.clientWidth * duration()); }
    });
    window.addEventListener("resize", draw);
    return draw;
  }

  function setup(section) {
    var media = section.querySelector("video, audio");
    if (!media) { return; }
    var cues = Array.prototype.map.call(section.querySelectorAll("button.cue"), function (button) {
      var cue = { button: button, start: parseFloat(button.getAttribute("data-start")),
                  end: parseFloat(button.getAttribute("data-end")) };
      button.addEventListener("click", function () { playFrom(media, cue.start); });
      return cue;
    });
    var canvas = section.querySelector("canvas.waveform");
    var redraw = canvas && window.fetch ? waveform(canvas, media) : function () {};
    var current = [];
    function update() {
      var t = media.currentTime;
      var now = cues.filter(function (c) { return t >= c.start && t < c.end; });
      current.forEach(function (c) {
        if (now.indexOf(c) < 0) { c.button.classList.remove("is-current"); c.button.removeAttribute("aria-current"); }
      });
      now.forEach(function (c) {
        if (current.indexOf(c) < 0) {
          c.button.classList.add("is-current");
          c.button.setAttribute("aria-current", "true");
          keepInView(c.button);
        }
      });
      current = now;
      redraw();
    }
    ["timeupdate", "seeked", "loadedmetadata"].forEach(function (name) { media.addEventListener(name, update); });
    clip(section, media);
  }

  function clip(section, media) {
    var start = parseFloat(section.getAttribute("data-start")), end = parseFloat(section.getAttribute("data-end"));
    if (isNaN(start) && isNaN(end)) { return; }
    var stopped = false;
    function toStart() {
      if (!isNaN(start) && media.currentTime < start) { media.currentTime = start; }
    }
    if (media.readyState >= 1) { toStart(); } else { media.addEventListener("loadedmetadata", toStart, { once: true }); }
    media.addEventListener("timeupdate", function () {
      if (!stopped && !isNaN(end) && media.currentTime >= end) { stopped = true; media.pause(); }
    });
  }

  /* A link to a moment (a search hit's cue: ?canvas=N&t=SECONDS, or the media fragment #t=SECONDS) opens that
     canvas's player (the first player without ?canvas) there once its media can seek. */
  function requestedTime() {
    var fragment = /(?:^#|&)t=(?:npt:)?([0-9]+(?:\.[0-9]+)?)/.exec(window.location.hash);
    var query = /[?&]t=([0-9]+(?:\.[0-9]+)?)(?:&|$)/.exec(window.location.search);
    var found = fragment || query;
    return found ? parseFloat(found[1]) : NaN;
  }

  function startAt(section, seconds) {
    var media = section && section.querySelector("video, audio");
    if (!media || isNaN(seconds)) { return; }
    function seek() { media.currentTime = seconds; }
    if (media.readyState >= 1) { seek(); } else { media.addEventListener("loadedmetadata", seek, { once: true }); }
  }

  var players = document.querySelectorAll("[data-player]");
  Array.prototype.forEach.call(players, setup);
  var canvas = new URLSearchParams(window.location.search).get("canvas");
  var chosen = canvas && document.querySelector('[data-player][data-canvas="' + canvas.replace(/[^0-9]/g, "") + '"]');
  startAt(chosen || players[0], requestedTime());
  if (chosen && chosen !== players[0]) { chosen.scrollIntoView({ block: "start" }); }  /* below the first: bring it up */
}());
