// The job page changes by itself: phase events from /jobs/{id}/events (Server-Sent Events, same origin,
// the sign-in cookie) swap the status section for a fresh copy of this page's; stdout, stderr and message
// events are appended as they come. Without events (an older server, a proxy that buffers), the page waits
// for the next phase change with UWS's WAIT instead. No framework, no other origin.
"use strict";
(function () {
  var state = document.getElementById("job-state");
  if (!state) { return; }
  var live = document.getElementById("job-live");
  var pagePath = state.getAttribute("data-page");
  var eventsUrl = state.getAttribute("data-events");
  var pending = { stdout: [], stderr: [] };
  var refreshing = null;

  function current() { return document.getElementById("job-state"); }
  function phase() { return current().getAttribute("data-phase"); }
  function active() { return current().getAttribute("data-active") === "true"; }

  function announce(text) { if (live) { live.textContent = text; } }

  // Fetch this page as a browser would and take its status section.
  function refresh(waitForChange) {
    if (refreshing) { return refreshing; }
    var url = pagePath + (waitForChange ? "?WAIT=30&PHASE=" + encodeURIComponent(phase()) : "");
    refreshing = fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-state");
        if (!fresh) { return; }
        var before = phase();
        var old = current();
        var focusedId = document.activeElement && old.contains(document.activeElement) ? document.activeElement.id : null;
        old.replaceWith(document.importNode(fresh, true));
        // Lines that arrived while the job ran are shown until the stored log replaces them.
        ["stdout", "stderr"].forEach(function (name) {
          var pre = document.getElementById(name);
          if (pre && pre.textContent === "" && pending[name].length) { pre.textContent = pending[name].join("\n") + "\n"; }
        });
        if (focusedId && document.getElementById(focusedId)) { document.getElementById(focusedId).focus(); }
        if (phase() !== before) { announce("The job is now " + phase() + "."); }
      })
      .finally(function () { refreshing = null; });
    return refreshing;
  }

  function onPhase(data) {
    if (data.phase && data.phase !== phase()) { refresh(false); }
  }

  function appendLine(name, line) {
    pending[name].push(line);
    if (pending[name].length > 2000) { pending[name].shift(); }
    var pre = document.getElementById(name);
    // A line the page already got in the log part it fetched (a refresh racing the event) is not shown twice.
    if (pre && !pre.textContent.endsWith(line + "\n")) { pre.appendChild(document.createTextNode(line + "\n")); }
  }

  function appendMessage(data) {
    var list = document.getElementById("job-messages");
    if (!list) { return; }
    var item = document.createElement("li");
    var time = document.createElement("time");
    time.setAttribute("datetime", data.time || "");
    time.textContent = data.time || "";
    item.appendChild(time);
    item.appendChild(document.createTextNode(" " + (data.text || "")));
    list.appendChild(item);
  }

  // The fallback: one blocking GET after another while the job can still change.
  function poll() {
    if (!active()) { return; }
    refresh(true).then(poll, function () { setTimeout(poll, 5000); });
  }

  function parse(e) { try { return JSON.parse(e.data); } catch (_) { return {}; } }

  if (!window.EventSource || !eventsUrl) { poll(); return; }
  var opened = false;
  var source = new EventSource(eventsUrl, { withCredentials: true });
  source.addEventListener("open", function () { opened = true; });
  source.addEventListener("phase", function (e) { onPhase(parse(e)); });
  source.addEventListener("message", function (e) { appendMessage(parse(e)); });
  source.addEventListener("stdout", function (e) { appendLine("stdout", parse(e).line || ""); });
  source.addEventListener("stderr", function (e) { appendLine("stderr", parse(e).line || ""); });
  source.addEventListener("error", function () {
    // A server without the events (404) closes the stream at once: wait with WAIT instead.
    if (source.readyState === EventSource.CLOSED || !opened) { source.close(); poll(); }
  });
})();
