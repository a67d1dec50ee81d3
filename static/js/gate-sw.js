/* Service worker of the gate page: the page opens without a network, and the queue of
 * records uploads through Background Sync where the browser has it.
 *
 * Served by checkpoints.views_gate.service_worker at /gate-sw.js (scope "/"), which puts
 * `const BASTION_GATE = {version, assets, gatePath, loginUrl, logoutUrl}` above this file.
 * Service workers run only on HTTPS or on localhost.
 *
 * - Gate pages (/c/<id>/gate/): network first, the cached copy when there is no network.
 * - The page's CSS, JS and the QR decoder: from the cache, kept per version.
 * - Nothing else is touched: the API always goes to the network, and card answers or
 *   passages are never cached here (the queue lives in IndexedDB, written by gate.js).
 */
/* global BASTION_GATE */
"use strict";

var CFG = BASTION_GATE;
var ASSET_CACHE = "bastion-gate-assets-" + CFG.version;
var PAGE_CACHE = "bastion-gate-pages";
var GATE_PATH = new RegExp(CFG.gatePath);
var PAGE_TIMEOUT_MS = 6000;
var DB_NAME = "bastion-gate";
var DB_VERSION = 1;
var SYNC_TAG = "bastion-gate-upload";
var LOCK_NAME = "bastion-gate-upload";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSET_CACHE).then(function (cache) {
      return cache.addAll(CFG.assets.map(function (url) { return new Request(url, { cache: "reload" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("bastion-gate-assets-") === 0 && name !== ASSET_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function pageKey(url) {
  var u = new URL(url, self.location.origin);
  return u.origin + u.pathname;
}

function cacheable(response) {
  // A redirect means the login page answered: never keep that as the gate page.
  return response && response.ok && !response.redirected && response.type === "basic";
}

function pageNetworkFirst(event) {
  var key = pageKey(event.request.url);
  var network = fetch(event.request).then(function (response) {
    if (cacheable(response)) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGE_CACHE).then(function (cache) { return cache.put(key, copy); }));
    }
    return response;
  });
  var timeout = new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("timeout")); }, PAGE_TIMEOUT_MS);
  });
  // A network that hangs (one bar in the cold) counts as none after a few seconds.
  return Promise.race([network, timeout]).catch(function () {
    return caches.open(PAGE_CACHE).then(function (cache) { return cache.match(key); })
      .then(function (hit) { return hit || network; });
  });
}

function assetCacheFirst(request) {
  return caches.open(ASSET_CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (cacheable(response)) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function forgetLogin() {
  // Someone logs in or out on this phone: the cached pages name the previous user, and
  // the queue must not be uploaded under the next one's session.
  return Promise.all([
    caches.delete(PAGE_CACHE),
    dbRun("meta", "readwrite", function (store) { return store.delete("user"); }).catch(function () { return null; }),
  ]);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && (url.pathname === CFG.loginUrl || url.pathname === CFG.logoutUrl)) {
    event.waitUntil(forgetLogin());
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && GATE_PATH.test(url.pathname)) {
    event.respondWith(pageNetworkFirst(event));
    return;
  }
  if (CFG.assets.indexOf(url.pathname) >= 0) {
    event.respondWith(assetCacheFirst(request));
  }
});

/* The page asks for its own address to be kept: its first load is not controlled by the
 * worker yet, so the fetch handler above never saw it. */
function cachePages(urls) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return Promise.all(urls.filter(function (url) { return GATE_PATH.test(new URL(url, self.location.origin).pathname); })
      .map(function (url) {
        var key = pageKey(url);
        return cache.match(key).then(function (hit) {
          if (hit) return true;
          return fetch(key, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
            if (!cacheable(response)) return false;
            return cache.put(key, response).then(function () { return true; });
          });
        });
      }));
  }).then(function (results) {
    return caches.open(ASSET_CACHE).then(function (cache) {
      return Promise.all(CFG.assets.map(function (url) {
        return cache.match(url).then(function (hit) { return hit || cache.add(url); });
      }));
    }).then(function () {
      return results.length > 0 && results.every(Boolean);
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  if (data.type === "cache-pages") {
    event.waitUntil(cachePages(data.urls || []).then(function (ok) {
      if (port) port.postMessage({ ok: ok });
    }, function () {
      if (port) port.postMessage({ ok: false });
    }));
  }
});

// --- Background Sync: the same queue as gate.js (same database, same rules) -----------

function dbOpen() {
  return new Promise(function (resolve, reject) {
    var req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = function () {
      var db = req.result;
      if (!db.objectStoreNames.contains("records")) db.createObjectStore("records", { keyPath: "client_id" });
      if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
}

function dbRun(name, mode, fn) {
  return dbOpen().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(name, mode);
      var req = fn(tx.objectStore(name));
      tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
      tx.onerror = function () { db.close(); reject(tx.error); };
      tx.onabort = function () { db.close(); reject(tx.error); };
    });
  });
}

function meta(key) {
  return dbRun("meta", "readonly", function (store) { return store.get(key); })
    .then(function (row) { return row ? row.value : null; });
}

function notifyPages() {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "queue-changed" }); });
  });
}

function errorDetail(body) {
  if (!body || typeof body !== "object") return "";
  if (body.detail) return String(body.detail);
  return Object.keys(body).map(function (key) {
    return Array.isArray(body[key]) ? body[key].join(" ") : String(body[key]);
  }).join(" ");
}

function sendOne(record, csrf) {
  var body = {
    gate: record.gate,
    card: record.card,
    direction: record.direction,
    temperature: Number(record.temperature),
    client_id: record.client_id,
    recorded_at: record.recorded_at,
  };
  if (record.resident) body.resident = record.resident;
  return fetch(CFG.passagesUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "Accept-Language": record.lang || "",
      "X-CSRFToken": csrf || "",
    },
    body: JSON.stringify(body),
  }).then(function (response) {
    if (response.status === 401 || response.status === 403) return "auth";
    if (response.status === 408 || response.status === 429 || response.status >= 500) return "retry";
    return response.json().catch(function () { return null; }).then(function (data) {
      if (response.status === 200 || response.status === 201) {
        record.status = "sent";
        record.result = data;
        record.sent_at = new Date().toISOString();
      } else {
        record.status = "failed";
        record.error = errorDetail(data) || String(response.status);
      }
      return dbRun("records", "readwrite", function (store) { return store.put(record); })
        .then(function () { return record.status; });
    });
  }, function () { return "retry"; });
}

function uploadQueue() {
  var run = function () {
    return Promise.all([meta("user"), meta("csrf")]).then(function (values) {
      var user = values[0];
      var csrf = values[1];
      if (user === null) return "done"; // nobody known to be logged in: wait for the page
      return dbRun("records", "readonly", function (store) { return store.getAll(); }).then(function (records) {
        var waiting = records.filter(function (r) { return r.status === "pending" && r.user === user; })
          .sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; });
        var chain = Promise.resolve("done");
        waiting.forEach(function (record) {
          chain = chain.then(function (state) {
            if (state !== "done") return state;
            return sendOne(record, csrf).then(function (outcome) {
              return outcome === "retry" ? "retry" : outcome === "auth" ? "auth" : "done";
            });
          });
        });
        return chain;
      });
    });
  };
  var locked = self.navigator.locks ? self.navigator.locks.request(LOCK_NAME, run) : run();
  return locked.then(function (state) {
    return notifyPages().then(function () {
      // Rejecting tells the browser to try the sync again later, with its own backoff.
      if (state === "retry") throw new Error("upload incomplete");
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) event.waitUntil(uploadQueue());
});
