// The jobs page: while some job is waiting or processing, poll the states and update the rows in place.
(function () {
  "use strict";
  var list = document.querySelector("[data-jobs-poll]");
  if (!list || !list.dataset.jobsPoll) return;
  var TERMINAL = ["done", "rejected", "failed"];

  function running() {
    return Array.from(list.querySelectorAll("[data-job]")).filter(function (row) {
      return TERMINAL.indexOf(row.dataset.state) < 0;
    });
  }

  function update(row, job) {
    row.dataset.state = job.state;
    row.className = "job job-" + job.state;
    row.querySelector(".job-state").textContent = job.label;
    var reason = row.querySelector(".job-reason");
    if (job.reason) {
      if (!reason) {
        reason = document.createElement("span");
        reason.className = "job-reason";
        row.querySelector(".job-state").after(reason);
      }
      reason.textContent = job.reason;
    }
  }

  function poll() {
    var rows = running();
    if (!rows.length) return;
    var query = rows.map(function (row) { return "id=" + encodeURIComponent(row.dataset.job); }).join("&");
    fetch(list.dataset.jobsPoll + "?" + query, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
      .then(function (data) {
        data.jobs.forEach(function (job) {
          var row = list.querySelector('[data-job="' + job.id + '"]');
          if (row) update(row, job);
        });
      }, function () { /* the next poll tries again */ })
      .then(function () { setTimeout(poll, 2000); });
  }

  setTimeout(poll, 2000);
})();
