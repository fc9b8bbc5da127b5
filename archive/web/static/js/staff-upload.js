// Several files at once, each sent in chunks that resume after a network failure, with a progress bar per file
// and the state of the ingest job each file becomes (polled until done, rejected or failed).
(function () {
  "use strict";
  var root = document.querySelector("[data-uploader]");
  if (!root) return;
  var input = root.querySelector("input[type=file]");
  var dropzone = root.querySelector("[data-dropzone]");
  var queue = root.querySelector("[data-queue]");
  var template = root.querySelector("[data-row-template]");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var msg = root.dataset;
  var MAX_CHUNK = Number(msg.maxChunk);
  var FIRST_CHUNK = Number(msg.firstChunk);
  var MAX_BYTES = Number(msg.maxBytes);
  var PARALLEL = 2;          // files sent at the same time
  var AUTO_RETRIES = 4;      // failed chunks retried by themselves before the Retry button appears
  var TARGET_SECONDS = 3;    // chunk sizes adapt so that one chunk takes about this long
  var POLL_MS = 1500;
  var waiting = [];
  var active = 0;
  var jobs = new Map();      // job id -> entry
  var pollTimer = null;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "vi", { maximumFractionDigits: 1 });

  function HttpError(status, detail, body) {
    this.status = status;
    this.message = detail;
    this.body = body;
  }

  function call(method, url, body, headers) {
    var all = { "Accept": "application/json", "X-CSRFToken": token };
    Object.keys(headers || {}).forEach(function (key) { all[key] = headers[key]; });
    return fetch(url, { method: method, body: body, headers: all, credentials: "same-origin" }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          var detail = data && data.error ? data.error.detail : response.statusText;
          throw new HttpError(response.status, detail, data);
        }
        return data;
      });
    });
  }

  // Network failures, server trouble and a lost chunk are worth retrying; a refusal (too large, not a media file,
  // no permission) is not.
  function retryable(error) {
    if (!(error instanceof HttpError)) return true;
    return error.status >= 500 || error.status === 408 || error.status === 409 || error.status === 429;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function size(bytes) {
    var units = [["GB", 1073741824], ["MB", 1048576], ["KB", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][1]) return numbers.format(bytes / units[i][1]) + " " + units[i][0];
    }
    return bytes + " B";
  }

  function part(entry, name) { return entry.row.querySelector("[data-" + name + "]"); }

  function setStatus(entry, text, state) {
    part(entry, "status").textContent = text;
    if (state) entry.row.dataset.state = state;
  }

  function showProgress(entry) {
    var percent = entry.file.size ? Math.floor(100 * entry.received / entry.file.size) : 100;
    part(entry, "progress").value = percent;
    setStatus(entry, msg.msgUploading + " " + percent + "%", "uploading");
  }

  function add(file) {
    var row = template.content.firstElementChild.cloneNode(true);
    var entry = { file: file, row: row, id: null, received: 0, chunk: FIRST_CHUNK, maxChunk: MAX_CHUNK };
    part(entry, "name").textContent = file.name;
    part(entry, "size").textContent = size(file.size);
    part(entry, "progress").setAttribute("aria-label", file.name);
    part(entry, "retry").textContent = msg.msgRetry;
    part(entry, "retry").addEventListener("click", function () {
      part(entry, "retry").hidden = true;
      part(entry, "reason").textContent = "";
      enqueue(entry);
    });
    queue.appendChild(row);
    if (file.size > MAX_BYTES) {  // the server refuses it too; saying so now spares sending it
      var text = msg.msgTooLarge.replace("{name}", file.name).replace("{size}", size(file.size))
        .replace("{limit}", size(MAX_BYTES));
      fail(entry, new HttpError(413, text, null));
      return;
    }
    setStatus(entry, msg.msgWaiting, "waiting");
    enqueue(entry);
  }

  function enqueue(entry) {
    waiting.push(entry);
    pump();
  }

  function pump() {
    while (active < PARALLEL && waiting.length) {
      var entry = waiting.shift();
      active += 1;
      run(entry).then(function () { active -= 1; pump(); });
    }
  }

  function run(entry) {
    var start = entry.id ? Promise.resolve() : call("POST", msg.api, JSON.stringify({ filename: entry.file.name, size: entry.file.size }),
      { "Content-Type": "application/json" }).then(function (data) {
        entry.id = data.id;
        entry.maxChunk = Math.min(MAX_CHUNK, data.chunk_bytes);
      });
    return start
      .then(function () { showProgress(entry); return sendAll(entry, 0); })
      .then(function () { return call("POST", msg.api + "/" + encodeURIComponent(entry.id) + "/finish"); })
      .then(function (data) { setStatus(entry, msg.msgUploaded, "uploaded"); watch(entry, data.job); })
      .catch(function (error) { fail(entry, error); });
  }

  function sendAll(entry, failures) {
    if (entry.received >= entry.file.size) return Promise.resolve();
    var length = Math.min(entry.chunk, entry.file.size - entry.received);
    var blob = entry.file.slice(entry.received, entry.received + length);
    var started = performance.now();
    return call("PATCH", msg.api + "/" + encodeURIComponent(entry.id), blob,
      { "Content-Type": "application/octet-stream", "Upload-Offset": String(entry.received) })
      .then(function (data) {
        var seconds = (performance.now() - started) / 1000;
        if (seconds < TARGET_SECONDS / 2) entry.chunk = Math.min(entry.chunk * 2, entry.maxChunk);
        else if (seconds > TARGET_SECONDS * 2) entry.chunk = Math.max(64 * 1024, Math.floor(entry.chunk / 2));
        entry.received = data.received;
        showProgress(entry);
        return sendAll(entry, 0);
      }, function (error) {
        if (!retryable(error) || failures >= AUTO_RETRIES) throw error;
        setStatus(entry, msg.msgRetrying, "retrying");
        return sleep(Math.min(30000, 1000 * Math.pow(2, failures)))
          .then(function () { return resync(entry); })
          .then(function () { return sendAll(entry, failures + 1); });
      });
  }

  // Ask the server how much of the file it has, and carry on from there.
  function resync(entry) {
    return call("GET", msg.api + "/" + encodeURIComponent(entry.id)).then(function (data) {
      entry.received = data.received;
    }, function (error) {
      if (!retryable(error)) throw error;
    });
  }

  function fail(entry, error) {
    entry.row.classList.add("is-failed");
    if (error instanceof HttpError && error.status === 401) {
      setStatus(entry, msg.msgFailed, "failed");
      part(entry, "reason").textContent = msg.msgSession;
      part(entry, "retry").hidden = false;
    } else if (retryable(error)) {
      setStatus(entry, msg.msgFailed, "failed");
      part(entry, "retry").hidden = false;
    } else {
      setStatus(entry, msg.msgRefused, "refused");
      part(entry, "reason").textContent = error.message;
    }
  }

  function watch(entry, job) {
    jobs.set(job.id, entry);
    showJob(entry, job);
    if (!pollTimer) pollTimer = setTimeout(poll, POLL_MS);
  }

  function showJob(entry, job) {
    setStatus(entry, job.label, job.state);
    part(entry, "progress").value = 100;
    part(entry, "reason").textContent = job.reason || "";
    entry.row.classList.toggle("is-failed", job.state === "rejected" || job.state === "failed");
    if (job.state === "done" && job.edit_url) {
      var link = part(entry, "describe");
      link.href = job.edit_url;
      link.textContent = msg.msgDescribe;
      link.hidden = false;
    }
    if (job.done) jobs.delete(job.id);
  }

  function poll() {
    pollTimer = null;
    if (!jobs.size) return;
    var query = Array.from(jobs.keys()).map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
    call("GET", msg.jobs + "?" + query).then(function (data) {
      data.jobs.forEach(function (job) { if (jobs.has(job.id)) showJob(jobs.get(job.id), job); });
    }, function () { /* the next poll tries again */ }).then(function () {
      if (jobs.size && !pollTimer) pollTimer = setTimeout(poll, POLL_MS);
    });
  }

  input.addEventListener("change", function () {
    Array.from(input.files).forEach(add);
    input.value = "";
  });
  dropzone.addEventListener("dragover", function (event) {
    event.preventDefault();
    dropzone.classList.add("is-over");
  });
  dropzone.addEventListener("dragleave", function () { dropzone.classList.remove("is-over"); });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    dropzone.classList.remove("is-over");
    Array.from(event.dataTransfer.files).forEach(add);
  });
  window.addEventListener("beforeunload", function (event) {
    if (active || waiting.length) event.preventDefault();
  });
})();
