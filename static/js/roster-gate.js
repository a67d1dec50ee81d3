// Sign-in and sign-out from the gate page (templates/checkpoints/roster/_gate_duty.html).
// Online, the form posts as usual. Offline, the press is kept in localStorage with the
// phone's time and sent when the network is back; the server takes that time as the
// sign-in time within limits (checkpoints/rosters/views.py, assignment_action).
(function () {
  "use strict";
  var KEY = "bastion.roster.queue";

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }

  function send(item) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (k) { body.append(k, item.fields[k]); });
    body.append("at", item.at);
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (r) { if (r.status >= 500) throw new Error("server"); return r; });
  }

  function flush() {
    var queue = load();
    if (!queue.length || !navigator.onLine) return;
    var item = queue[0];
    send(item).then(function () {
      save(load().slice(1));
      flush();
    }).catch(function () { /* still offline: try again on the next "online" */ });
  }

  document.querySelectorAll("form[data-roster-sign]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;
      event.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (v, k) { fields[k] = v; });
      var queue = load();
      // form.action would be the input named "action": read the attribute.
      queue.push({ url: form.getAttribute("action"), fields: fields, at: new Date().toISOString() });
      save(queue);
      var note = form.querySelector("[data-roster-queued]");
      if (note) note.hidden = false;
      form.querySelector("button").disabled = true;
    });
  });
  window.addEventListener("online", flush);
  flush();
})();
