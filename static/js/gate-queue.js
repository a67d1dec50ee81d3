/* The gate's upload queue, shared by the page (gate.js, through a <script>) and its
 * service worker (gate-sw.js, through importScripts): one IndexedDB schema, one upload
 * and one reading of the server's answers, so that a record fares the same whichever of
 * the two sends it. Plain ES5 in one global, BastionGateQueue: no build step, and old
 * phones' browsers run it.
 *
 * What an answer does to a record:
 * - 200/201: sent (the server writes one client_id once, so a retry is safe).
 * - 401/403: the login has lapsed; the record waits.
 * - 429/503: the server is busy; the record waits, and nobody on this phone (page, other
 *   tab, worker) sends again before its Retry-After, kept in the "meta" store.
 * - 408, other 5xx, no answer, a timeout: the record waits.
 * - any other 4xx (a 409 client_id_conflict, a 400 recorded_too_old...): refused for
 *   good. It stays in the queue with the server's code and message until someone on the
 *   phone sends it again; it is never dropped.
 * Nothing here shows text: the page does that, in the user's language.
 */
(function (root) {
  "use strict";

  var DB_NAME = "bastion-gate";
  var DB_VERSION = 1;
  var SYNC_TAG = "bastion-gate-upload";
  var UPLOAD_LOCK = "bastion-gate-upload";
  var SEND_TIMEOUT_MS = 10000;
  // A bogus or huge Retry-After must not silence a phone at the gate for the day.
  var RETRY_AFTER_MAX_MS = 30 * 60 * 1000;
  var RETRY_AT_KEY = "retry_at";

  function fetchWithTimeout(url, options, ms) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (controller) {
      options.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, ms);
    }
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }

  /* A version 4 UUID, also where crypto.randomUUID is missing: it exists only in secure
   * contexts, and the gate page is often opened over plain HTTP on a LAN address. */
  function newClientId() {
    var c = root.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // --- Storage: IndexedDB, or memory where the browser refuses it (private windows) ----

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!root.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = root.indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("records")) db.createObjectStore("records", { keyPath: "client_id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  /* options.memoryFallback: keep records in memory when IndexedDB is refused (the page;
   * the worker has nothing to gain from a memory of its own). options.onUnavailable is
   * called once when that happens. */
  function openStore(options) {
    options = options || {};
    var dbPromise = null;
    var memory = null;

    function db() {
      if (!dbPromise) {
        dbPromise = openDb().then(function (conn) {
          // A later version of this file (another tab, a new worker) may need the database.
          conn.onversionchange = function () { conn.close(); dbPromise = null; };
          return conn;
        }, function (err) { dbPromise = null; throw err; });
      }
      return dbPromise;
    }

    function run(name, mode, idb, mem) {
      if (memory) return Promise.resolve(mem(memory[name]));
      return db().then(function (conn) {
        return new Promise(function (resolve, reject) {
          var tx = conn.transaction(name, mode);
          var req = idb(tx.objectStore(name));
          tx.oncomplete = function () { resolve(req && "result" in req ? req.result : undefined); };
          tx.onerror = function () { reject(tx.error); };
          tx.onabort = function () { reject(tx.error); };
        });
      }, function (err) {
        if (!options.memoryFallback) throw err;
        if (!memory) {
          memory = { records: new Map(), meta: new Map() };
          if (options.onUnavailable) options.onUnavailable();
        }
        return mem(memory[name]);
      });
    }

    function copy(value) { return JSON.parse(JSON.stringify(value)); }

    return {
      put: function (record) {
        return run("records", "readwrite", function (s) { return s.put(record); },
          function (m) { m.set(record.client_id, copy(record)); });
      },
      get: function (id) {
        return run("records", "readonly", function (s) { return s.get(id); },
          function (m) { return m.has(id) ? copy(m.get(id)) : undefined; });
      },
      all: function () {
        return run("records", "readonly", function (s) { return s.getAll(); },
          function (m) { return Array.from(m.values()).map(copy); });
      },
      remove: function (id) {
        return run("records", "readwrite", function (s) { return s.delete(id); },
          function (m) { m.delete(id); });
      },
      getMeta: function (key) {
        return run("meta", "readonly", function (s) { return s.get(key); },
          function (m) { return m.get(key); }).then(function (row) { return row ? row.value : null; });
      },
      setMeta: function (key, value) {
        return run("meta", "readwrite", function (s) { return s.put({ key: key, value: value }); },
          function (m) { m.set(key, { key: key, value: value }); });
      },
      removeMeta: function (key) {
        return run("meta", "readwrite", function (s) { return s.delete(key); },
          function (m) { m.delete(key); });
      },
    };
  }

  // --- Reading the server's answer ---------------------------------------------------

  function errorDetail(body) {
    if (!body || typeof body !== "object") return "";
    if (body.detail) return String(body.detail);
    // DRF's field errors: {"temperature": ["..."]}. A bare {"code": ...} has no words.
    return Object.keys(body).filter(function (key) { return key !== "code"; }).map(function (key) {
      return Array.isArray(body[key]) ? body[key].join(" ") : String(body[key]);
    }).join(" ");
  }

  /* Retry-After is seconds or an HTTP date; null when absent or unreadable. */
  function retryAt(response, now) {
    var raw = response.headers.get("Retry-After");
    if (!raw) return null;
    var at = /^\s*\d+\s*$/.test(raw) ? now + parseInt(raw, 10) * 1000 : Date.parse(raw);
    if (isNaN(at)) return null;
    return Math.min(Math.max(at, now), now + RETRY_AFTER_MAX_MS);
  }

  function isBusy(status) { return status === 429 || status === 503; }

  function isTransient(status) { return status === 408 || status >= 500; }

  function payload(record) {
    var body = {
      gate: record.gate,
      direction: record.direction,
      temperature: Number(record.temperature),
      client_id: record.client_id,
      recorded_at: record.recorded_at,
    };
    // A person without a card (a visitor) or a card.
    if (record.visitor) body.visitor = record.visitor; else body.card = record.card;
    if (record.resident) body.resident = record.resident;
    if (record.vehicle) body.vehicle = true;
    if (record.decided_on === "device") {
      // The phone decided and the person acted on it: the server stores this verdict.
      body.decided_on = "device";
      body.device_verdict = record.device_verdict;
      if (record.device_reason) body.device_reason = record.device_reason;
    }
    return body;
  }

  function settle(store, record, response) {
    return response.json().catch(function () { return null; }).then(function (data) {
      if (response.status === 200 || response.status === 201) {
        record.status = "sent";
        record.result = data;
        record.sent_at = new Date().toISOString();
        delete record.error;
        delete record.error_code;
      } else {
        record.status = "failed";
        record.error_code = data && typeof data.code === "string" ? data.code : "";
        record.error = errorDetail(data);
        record.http_status = response.status;
      }
      return store.put(record).then(function () { return { outcome: record.status }; });
    });
  }

  /* POST one record and store what became of it. Resolves to {outcome} with outcome
   * "sent", "failed" (refused for good: kept, with error_code and error), "auth" (login
   * needed) or "retry" (waits; with retryAt, in ms, when the server said when; with
   * timedOut when options.timeout ran out and the request was aborted).
   * options.timeout: the budget in ms (SEND_TIMEOUT_MS if none). */
  function send(store, record, options) {
    var now = Date.now();
    return store.getMeta(RETRY_AT_KEY).catch(function () { return null; }).then(function (until) {
      if (until && until > now) return { outcome: "retry", busy: true, retryAt: until };
      return fetchWithTimeout(options.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Accept-Language": record.lang || options.lang || "",
          "X-CSRFToken": options.csrf || "",
        },
        body: JSON.stringify(payload(record)),
      }, options.timeout || SEND_TIMEOUT_MS).then(function (response) {
        if (response.status === 401 || response.status === 403) return { outcome: "auth" };
        if (isBusy(response.status)) {
          var at = retryAt(response, Date.now());
          var remember = at ? store.setMeta(RETRY_AT_KEY, at) : Promise.resolve();
          return remember.then(function () { return { outcome: "retry", busy: true, retryAt: at }; });
        }
        if (isTransient(response.status)) return { outcome: "retry" };
        return settle(store, record, response);
      }, function (err) { return { outcome: "retry", timedOut: !!(err && err.name === "AbortError") }; });
    });
  }

  /* Until when the server asked this phone to wait (its last Retry-After), or null. */
  function busyUntil(store) {
    return store.getMeta(RETRY_AT_KEY).catch(function () { return null; }).then(function (until) {
      return until && until > Date.now() ? until : null;
    });
  }

  function withLock(name, fn) {
    var locks = root.navigator && root.navigator.locks;
    // The page, other tabs and the worker upload from one queue: one at a time.
    if (locks && locks.request) return locks.request(name, fn);
    return fn();
  }

  /* Send the user's waiting records, oldest first, until one cannot go. Resolves to the
   * last send's answer: {outcome: "done"} when all went, else "retry" or "auth". */
  function uploadWaiting(store, options) {
    return withLock(UPLOAD_LOCK, function () {
      return store.all().then(function (records) {
        var waiting = records.filter(function (r) { return r.status === "pending" && r.user === options.user; })
          .sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; });
        var chain = Promise.resolve({ outcome: "done" });
        waiting.forEach(function (rec) {
          chain = chain.then(function (last) {
            if (last.outcome === "retry" || last.outcome === "auth") return last;
            // Another tab, or the record's own first attempt, may have sent it meanwhile.
            return store.get(rec.client_id).then(function (fresh) {
              if (!fresh || fresh.status !== "pending") return { outcome: "done" };
              return send(store, fresh, options);
            });
          });
        });
        return chain.then(function (last) {
          return last.outcome === "retry" || last.outcome === "auth" ? last : { outcome: "done" };
        });
      });
    });
  }

  /* A refused record sent again. After a client_id conflict the server holds another
   * passage under this id, and the same id would be refused for ever: this passage goes
   * under a new one, the old id kept for the log. */
  function resubmit(store, record) {
    var conflict = record.error_code === "client_id_conflict";
    var old = record.client_id;
    record.status = "pending";
    delete record.error;
    delete record.error_code;
    delete record.http_status;
    if (!conflict) return store.put(record).then(function () { return record; });
    record.previous_client_ids = (record.previous_client_ids || []).concat([old]);
    record.client_id = newClientId();
    // The new one first: a phone dying in between leaves a double on screen, never a loss.
    return store.put(record).then(function () { return store.remove(old); }).then(function () { return record; });
  }

  root.BastionGateQueue = {
    SYNC_TAG: SYNC_TAG,
    SEND_TIMEOUT_MS: SEND_TIMEOUT_MS,
    openStore: openStore,
    newClientId: newClientId,
    fetchWithTimeout: fetchWithTimeout,
    send: send,
    busyUntil: busyUntil,
    uploadWaiting: uploadWaiting,
    resubmit: resubmit,
  };
})(self);
