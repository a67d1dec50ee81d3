/* The door visits' upload queue: the gate's pattern (gate-queue.js) for visits. A visit
 * recorded in a stairwell without signal waits in IndexedDB under its client id and is
 * sent when the phone can; the server writes one client id once, so a retry is safe.
 *
 * What an answer does to a record:
 * - 200/201: sent, removed from the queue.
 * - 401/403, 408, 429, 5xx, no answer: the record waits.
 * - any other 4xx: refused for good; kept with the server's code and message until the
 *   member opens the visit again (it is never dropped silently).
 * Plain ES5 in one global, BastionVisitQueue. Nothing here shows text.
 */
(function (root) {
  "use strict";

  var DB_NAME = "bastion-visits";
  var STORE = "visits";
  var SEND_TIMEOUT_MS = 10000;
  var memory = null;

  function newClientId() {
    var c = root.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!root.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = root.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  /* Run one request on the store; memory where IndexedDB is refused (private windows). */
  function run(mode, idb, mem) {
    if (memory) return Promise.resolve(mem(memory));
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = idb(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req && "result" in req ? req.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    }, function () {
      memory = memory || new Map();
      return mem(memory);
    });
  }

  var store = {
    put: function (rec) { return run("readwrite", function (s) { return s.put(rec); }, function (m) { m.set(rec.client_id, rec); }); },
    remove: function (id) { return run("readwrite", function (s) { return s.delete(id); }, function (m) { m.delete(id); }); },
    all: function () { return run("readonly", function (s) { return s.getAll(); }, function (m) { return Array.from(m.values()); }); },
  };

  function fetchWithTimeout(url, options) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (controller) {
      options.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
    }
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }

  function errorDetail(body) {
    if (!body || typeof body !== "object") return "";
    if (body.detail) return String(body.detail);
    return Object.keys(body).filter(function (k) { return k !== "code"; }).map(function (k) {
      return Array.isArray(body[k]) ? body[k].join(" ") : String(body[k]);
    }).join(" ");
  }

  /* Send one record. Resolves to {outcome: "sent"|"failed"|"retry", error, code}. */
  function send(rec, options) {
    return fetchWithTimeout(options.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": options.csrf || "" },
      body: JSON.stringify(rec.payload),
    }).then(function (response) {
      var s = response.status;
      if (s === 401 || s === 403 || s === 408 || s === 429 || s >= 500) return { outcome: "retry" };
      return response.json().catch(function () { return null; }).then(function (data) {
        if (s === 200 || s === 201) return store.remove(rec.client_id).then(function () { return { outcome: "sent", data: data }; });
        rec.status = "failed";
        rec.error = errorDetail(data);
        rec.error_code = data && data.code ? String(data.code) : "";
        return store.put(rec).then(function () { return { outcome: "failed", error: rec.error, code: rec.error_code }; });
      });
    }, function () { return { outcome: "retry" }; });
  }

  /* One upload run at a time: an "online" event, the page's timer and a tap can all ask
     for one, and two runs would send the same record twice over a poor network. A call
     while a run is going returns that run. */
  var running = null;

  function uploadWaiting(options) {
    if (running) return running;
    running = uploadAll(options).then(function (last) {
      running = null;
      return last;
    }, function (error) {
      running = null;
      throw error;
    });
    return running;
  }

  function uploadAll(options) {
    return store.all().then(function (records) {
      var waiting = records.filter(function (r) { return r.status === "pending" && r.user === options.user; })
        .sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; });
      var chain = Promise.resolve({ outcome: "done" });
      waiting.forEach(function (rec) {
        chain = chain.then(function (last) { return last.outcome === "retry" ? last : send(rec, options); });
      });
      return chain;
    });
  }

  root.BastionVisitQueue = { store: store, newClientId: newClientId, send: send, uploadWaiting: uploadWaiting };
})(self);
