/* The visit page and the list of doors: a visit is queued on the phone with a client id,
 * then uploaded (rounds-queue.js); without signal it waits and goes later. Without
 * JavaScript, the form posts to the page as any form does. */
(function () {
  "use strict";
  var Q = window.BastionVisitQueue;
  var config = document.getElementById("rounds-config");
  if (!Q || !config) return;
  var options = { url: config.dataset.upload, user: config.dataset.user, csrf: csrfToken() };

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  /* A form on the list of doors carries a prefix per household ("h12-result"). */
  function named(form, name) { return form.dataset.prefix ? form.dataset.prefix + "-" + name : name; }

  function ints(form, name) {
    return Array.prototype.map.call(form.querySelectorAll("input[name='" + named(form, name) + "']:checked"), function (i) { return parseInt(i.value, 10); });
  }

  function value(form, name) {
    var el = form.elements[named(form, name)];
    if (!el) return "";
    if (el.length !== undefined && !el.tagName) {
      for (var i = 0; i < el.length; i++) if (el[i].checked) return el[i].value;
      return "";
    }
    if (el.type === "checkbox") return el.checked;
    return el.value;
  }

  function payload(form, clientId) {
    var people = [];
    for (var i = 0; form.elements[named(form, "new_name_" + i)]; i++) {
      var name = value(form, "new_name_" + i).trim();
      if (!name) continue;
      var year = value(form, "new_birth_year_" + i);
      people.push({ name: name, sex: value(form, "new_sex_" + i), birth_year: year ? parseInt(year, 10) : null });
    }
    var temperature = value(form, "temperature");
    var fever = value(form, "fever_resident");
    var back = value(form, "returnee_resident");
    return {
      client_id: clientId,
      round: parseInt(form.dataset.round, 10),
      household: parseInt(form.dataset.household, 10),
      result: value(form, "result"),
      present: ints(form, "present"),
      moved_out: ints(form, "moved_out"),
      returnee: value(form, "returnee"),
      returned_from: value(form, "returned_from"),
      returned_on: value(form, "returned_on") || null,
      case_contact: value(form, "case_contact"),
      symptoms: value(form, "symptoms"),
      temperature: temperature ? temperature : null,
      fever_resident: fever ? parseInt(fever, 10) : null,
      returnee_resident: back ? parseInt(back, 10) : null,
      notes: value(form, "notes"),
      colour: value(form, "colour"),
      colour_reason: value(form, "colour_reason"),
      new_people: people,
      recorded_at: new Date().toISOString(),
    };
  }

  /* The visit page has one form; the list of doors one per door, so that a member who
   * opened the list with signal can walk the whole stairwell without any. */
  Array.prototype.forEach.call(document.querySelectorAll("form.visit-form"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var errors = form.querySelector(".visit-errors");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var id = Q.newClientId();
      var rec = { client_id: id, user: options.user, status: "pending", recorded_at: new Date().toISOString(), address: form.dataset.address, payload: payload(form, id) };
      Q.store.put(rec).then(function () { return Q.send(rec, options); }).then(function (answer) {
        if (answer.outcome === "failed") {
          // Refused: the member is still at the door and can put it right; nothing is kept.
          return Q.store.remove(id).then(function () {
            errors.textContent = answer.error || answer.code;
            errors.className = "msg error visit-errors";
            errors.hidden = false;
            button.disabled = false;
          });
        }
        if (answer.outcome === "retry") {
          // No signal: the record goes up by itself when the phone is back online.
          errors.textContent = form.dataset.queued;
          errors.className = "msg visit-errors visit-queued";
          errors.hidden = false;
          if (form.dataset.inline) done(form, rec.payload.result, true);
          return showQueue();
        }
        if (form.dataset.inline) return done(form, rec.payload.result, false);
        window.location.assign(form.dataset.back);
      });
    });
  });

  /* A door on the list is recorded: its colour changes and its form folds away. */
  function done(form, result, queued) {
    var door = form.closest("li.door");
    if (!door) return;
    door.className = "door " + result + (queued ? " queued" : "");
    var details = door.querySelector("details");
    if (details) details.open = false;
    var label = door.querySelector(".door-result");
    var choice = form.querySelector("input[name='" + named(form, "result") + "']:checked");
    var text = choice && choice.closest("label");
    if (label && text) label.textContent = text.textContent.trim();
  }

  var banner = document.getElementById("visit-queue");
  function showQueue() {
    if (!banner) return Promise.resolve();
    return Q.store.all().then(function (records) {
      var mine = records.filter(function (r) { return r.user === options.user; });
      var waiting = mine.filter(function (r) { return r.status === "pending"; }).length;
      var failed = mine.filter(function (r) { return r.status === "failed"; }).length;
      var parts = [];
      if (waiting) parts.push(waiting + " " + banner.dataset.waiting);
      if (failed) parts.push(failed + " " + banner.dataset.failed);
      banner.textContent = parts.join(" · ");
      banner.hidden = parts.length === 0;
      showFailed(mine.filter(function (r) { return r.status === "failed"; }));
    });
  }

  /* Refused uploads stay on the phone until the member sends them again (after putting
   * the cause right elsewhere, e.g. an assignment) or lets them go. */
  function showFailed(failed) {
    var list = document.getElementById("visit-failed");
    if (!list) return;
    list.textContent = "";
    failed.forEach(function (rec) {
      var item = document.createElement("li");
      item.className = "msg error";
      item.textContent = (rec.address || rec.payload.household) + ": " + (rec.error || rec.error_code) + " ";
      var again = document.createElement("button");
      again.type = "button";
      again.textContent = list.dataset.again;
      again.addEventListener("click", function () {
        rec.status = "pending";
        delete rec.error;
        delete rec.error_code;
        Q.store.put(rec).then(upload);
      });
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "danger";
      drop.textContent = list.dataset.drop;
      drop.addEventListener("click", function () { Q.store.remove(rec.client_id).then(showQueue); });
      item.appendChild(again);
      item.appendChild(drop);
      list.appendChild(item);
    });
  }
  function upload() { return Q.uploadWaiting(options).then(showQueue, showQueue); }
  upload();
  window.addEventListener("online", upload);
  setInterval(upload, 60000);
})();
