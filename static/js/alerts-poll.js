/* New fever alerts, breaches and overdue outings on the managers' open pages, without a
 * reload: polls checkpoints.views.alerts_poll every 20 s (a bodiless 304 when nothing
 * changed). The first answer is the baseline: only what comes after it is news. Sound and
 * a browser notification are opt-in (one button, remembered on this browser). Push
 * services run through servers outside China and do not reach phones there: none is used.
 */
(function () {
  "use strict";
  var box = document.getElementById("alert-poll");
  if (!box || !window.fetch) return;
  var POLL_MS = 20000;
  var KEY = "bastion.alerts.sound";
  var etag = null;
  var seen = null;
  var news = document.getElementById("alert-poll-news");
  var toggle = document.getElementById("alert-poll-toggle");

  function soundOn() { try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }

  function renderToggle() {
    var on = soundOn();
    toggle.textContent = on ? box.dataset.textOn : box.dataset.textOff;
    toggle.setAttribute("aria-pressed", String(on));
  }

  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    var ctx = new Ctx();
    var osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  }

  function announce(text, href, kind) {
    var li = document.createElement("li");
    li.className = "msg error alert-poll-item";
    li.dataset.kind = kind;
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    li.appendChild(a);
    news.insertBefore(li, news.firstChild);
    box.dataset.news = String(news.children.length);
    if (!soundOn()) return;
    beep();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification(text); } catch (e) { /* some browsers allow it only from a worker */ }
    }
  }

  function fmt(template, params) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in params ? params[k] : m; });
  }

  function compare(answer) {
    if (seen === null) { seen = answer; return; }
    var alert = answer.alert;
    if (alert && (!seen.alert || alert.id > seen.alert.id)) {
      announce(fmt(box.dataset.textAlert, { household: alert.household || "—", t: alert.temperature }),
        box.dataset.alertUrl, "alert");
    }
    if (answer.breach && answer.breach !== seen.breach) {
      announce(box.dataset.textBreach, box.dataset.outUrl + "#breaches", "breach");
    }
    if (answer.overdue && answer.overdue !== seen.overdue) {
      announce(box.dataset.textOverdue, box.dataset.outUrl, "overdue");
    }
    seen = answer;
  }

  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    return fetch(box.dataset.url, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (resp) {
        if (resp.status === 304 || !resp.ok) return;
        etag = resp.headers.get("ETag");
        return resp.json().then(compare);
      }).catch(function () { /* offline for a moment: the next poll */ });
  }

  toggle.addEventListener("click", function () {
    var on = !soundOn();
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
    if (on && window.Notification && Notification.permission === "default") Notification.requestPermission();
    if (on) beep();
    renderToggle();
  });
  renderToggle();
  poll();
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") poll(); });
})();
