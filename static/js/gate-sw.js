/* Service worker of the gate page: the page opens without a network, and the queue of
 * records uploads through Background Sync where the browser has it.
 *
 * Served by checkpoints.views_gate.service_worker at /gate-sw.js (scope "/"), which puts
 * `const BASTION_GATE = {version, assets, gatePath, passagesUrl, queueScript, loginUrl,
 * logoutUrl}` above this file. Service workers run only on HTTPS or on localhost.
 * The queue and its upload are gate-queue.js, the very file the page loads.
 *
 * - Gate pages (/c/<id>/gate/): network first, the cached copy when there is no network.
 * - The page's CSS, JS and the QR decoder: from the cache, kept per version.
 * - Nothing else is touched: the API always goes to the network, and card answers or
 *   passages are never cached here (the queue lives in IndexedDB, written by gate.js).
 */
/* global BASTION_GATE, BastionGateQueue */
"use strict";

// The browser keeps imported scripts with the worker, so this works offline too.
importScripts(BASTION_GATE.queueScript);

var CFG = BASTION_GATE;
var ASSET_CACHE = "bastion-gate-assets-" + CFG.version;
var PAGE_CACHE = "bastion-gate-pages";
var GATE_PATH = new RegExp(CFG.gatePath);
var PAGE_TIMEOUT_MS = 6000;
var Q = BastionGateQueue;
var store = Q.openStore();

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSET_CACHE).then(function (cache) {
      // The browser's HTTP cache answers for what the page has just loaded (hashed names,
      // cached for a year): nothing is downloaded twice.
      return cache.addAll(CFG.assets);
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

function forgetSnapshot() {
  // The compound's cards as the last login saw them: never kept for the next one.
  return new Promise(function (resolve) {
    var req = self.indexedDB ? self.indexedDB.deleteDatabase("bastion-gate-snapshot") : null;
    if (!req) { resolve(); return; }
    req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
  });
}

function forgetLogin() {
  // Someone logs in or out on this phone: the cached pages name the previous user, and
  // the queue must not be uploaded under the next one's session.
  return Promise.all([
    caches.delete(PAGE_CACHE),
    store.removeMeta("user").catch(function () { return null; }),
    forgetSnapshot(),
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
  if (CFG.assets.indexOf(url.pathname) >= 0 || (CFG.lazyAssets || []).indexOf(url.pathname) >= 0) {
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

// --- Background Sync: the queue of gate-queue.js, as the page uploads it ---------------

function notifyPages() {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "queue-changed" }); });
  });
}

function uploadQueue() {
  // The worker cannot read cookies: the page leaves who may upload, with which token.
  return Promise.all([store.getMeta("user"), store.getMeta("csrf")]).then(function (values) {
    var user = values[0];
    if (user === null) return { outcome: "done" }; // nobody known to be logged in: wait for the page
    return Q.uploadWaiting(store, { user: user, url: CFG.passagesUrl, csrf: values[1], lang: "" });
  }).then(function (answer) {
    return notifyPages().then(function () {
      // Rejecting tells the browser to try the sync again later, with its own backoff.
      if (answer.outcome === "retry") throw new Error("upload incomplete");
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === Q.SYNC_TAG) event.waitUntil(uploadQueue());
});
