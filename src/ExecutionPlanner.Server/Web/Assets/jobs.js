// The job list follows its jobs: phase events from /jobs/events (Server-Sent Events, same origin, the
// sign-in cookie) update the phase of the rows shown; a job not shown yet is announced with a link to
// reload. No framework, no other origin.
"use strict";
(function () {
  var table = document.getElementById("jobs");
  var live = document.getElementById("jobs-live");
  if (!table || !window.EventSource) { return; }
  var source = new EventSource(table.getAttribute("data-events"), { withCredentials: true });
  var announced = false;
  source.addEventListener("phase", function (e) {
    var data;
    try { data = JSON.parse(e.data); } catch (_) { return; }
    if (!data.jobId || !data.phase) { return; }
    var row = null;
    table.querySelectorAll("tr[data-job-id]").forEach(function (r) { if (r.getAttribute("data-job-id") === data.jobId) { row = r; } });
    if (!row) {
      if (!announced && live) {
        announced = true;
        live.textContent = "";
        var a = document.createElement("a");
        a.href = window.location.pathname + window.location.search;
        a.textContent = "New jobs: show them";
        live.appendChild(a);
      }
      return;
    }
    var cell = row.querySelector(".job-phase");
    if (!cell) { return; }
    var badge = document.createElement("span");
    badge.className = "phase phase-" + String(data.phase).toLowerCase();
    badge.setAttribute("data-phase", data.phase);
    badge.textContent = data.phase;
    cell.replaceChildren(badge);
  });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) { source.close(); }
  });
})();
