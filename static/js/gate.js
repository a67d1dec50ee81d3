/* The gate page: check a card, take a reading, record the passage — online and offline.
 *
 * Every record is written to an IndexedDB queue (with its client_id and the device time)
 * BEFORE any network attempt, and leaves the queue only when the server answers 200/201.
 * The queue, its upload and the reading of the server's answers are gate-queue.js, which
 * the service worker loads too: see there what each answer does to a record. Here: a
 * refused record stays on screen with the reason and a "send again" button; a waiting one
 * is retried by itself: on page load, on the `online` event, on a timer with backoff (or
 * at the server's Retry-After), and through Background Sync where the browser has it.
 *
 * The service worker (gate-sw.js) that lets this page open without a network runs only on
 * HTTPS or on localhost. All text comes from the page (#gate-strings), translated by the
 * server, never from here: the cached page carries it offline, in the user's language.
 */
(function (start) {
  "use strict";

  // A gate page cached offline before gate-queue.js existed has no <script> for it, while
  // the worker may already serve the newer gate.js: fetch the queue module ourselves.
  if (window.BastionGateQueue) { start(window.BastionGateQueue); return; }
  var own = document.currentScript.src;
  if (!/\/gate\.js(\?.*)?$/.test(own)) return; // hashed names: that page cannot be mended
  var script = document.createElement("script");
  script.src = own.replace(/gate\.js(\?.*)?$/, "gate-queue.js");
  script.onload = function () { start(window.BastionGateQueue); };
  document.head.appendChild(script);
})(function (Q) {
  "use strict";

  var config = JSON.parse(document.getElementById("gate-config").textContent);
  var S = JSON.parse(document.getElementById("gate-strings").textContent);
  var RETRY_BASE_MS = 5000;
  var RETRY_MAX_MS = 5 * 60 * 1000;
  var LOOKUP_TIMEOUT_MS = 6000;
  var KEEP_SENT_DAYS = 3;
  var GATE_KEY = "bastion.gate.opening." + config.compound;

  function $(id) { return document.getElementById(id); }

  function fmt(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : match;
    });
  }

  function tenths(value) { return Math.round(parseFloat(value) * 10); }

  function normalizeCode(raw) { return String(raw || "").toUpperCase().replace(/[^0-9A-Z]/g, ""); }

  function displayCode(code) { return code.length === 6 ? code.slice(0, 3) + "-" + code.slice(3) : code; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function hhmm(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function localDay(date) {
    return date.getFullYear() + "-" + (date.getMonth() + 1) + "-" + date.getDate();
  }

  // The queue: IndexedDB, or memory when the browser refuses it (private windows).
  var store = Q.openStore({
    memoryFallback: true,
    onUnavailable: function () {
      $("storage-banner").textContent = S.storage_unavailable;
      $("storage-banner").hidden = false;
    },
  });

  // --- State ----------------------------------------------------------------------

  var state = {
    gate: null,        // {id, name, state}
    temp: null,        // "36.5" from a quick button
    card: null,        // the last card answer from GET cards, for the code it was asked for
    cardCode: "",
    resident: null,
    busy: false,
  };
  var els = {
    cardInput: $("card-input"),
    tempOther: $("temp-other"),
    error: $("gate-error"),
    verdict: $("verdict"),
  };

  // --- The opening (gate) ---------------------------------------------------------

  function findOpening(id) {
    for (var i = 0; i < config.openings.length; i++) {
      if (String(config.openings[i].id) === String(id)) return config.openings[i];
    }
    return null;
  }

  function chooseOpening(opening) {
    state.gate = opening;
    if (opening) {
      try { localStorage.setItem(GATE_KEY, String(opening.id)); } catch (e) { /* private mode */ }
    }
    renderOpening();
  }

  function renderOpening() {
    var chosen = !!state.gate;
    $("gate-choose").hidden = chosen;
    $("gate-work").hidden = !chosen;
    $("gate-current").hidden = !chosen;
    $("gate-name").textContent = chosen ? state.gate.name : "";
    Array.prototype.forEach.call(document.querySelectorAll(".opening-btn"), function (btn) {
      btn.setAttribute("aria-pressed", String(chosen && btn.dataset.opening === String(state.gate.id)));
    });
  }

  function initOpening() {
    var saved = null;
    try { saved = localStorage.getItem(GATE_KEY); } catch (e) { /* private mode */ }
    var opening = findOpening(saved);
    if (!opening && config.openings.length === 1) opening = config.openings[0];
    if (opening) chooseOpening(opening); else renderOpening();
  }

  // --- Messages -------------------------------------------------------------------

  function showError(text, focus) {
    els.error.textContent = text;
    els.error.hidden = false;
    if (focus) focus.focus();
  }

  function clearError() { els.error.hidden = true; els.error.textContent = ""; }

  function renderNetwork() {
    var online = navigator.onLine;
    var net = $("net-status");
    net.textContent = online ? S.online : S.offline;
    net.dataset.online = online ? "1" : "0";
    $("offline-banner").hidden = online;
  }

  function showAuthProblem(show) {
    $("auth-text").textContent = S.login_expired;
    $("auth-banner").hidden = !show;
  }

  // --- The card -------------------------------------------------------------------

  var lookupSeq = 0;
  var lookupTimer = null;

  var cardPrompt = $("card-answer").textContent;

  function resetCardInfo() {
    delete $("card-info").dataset.code;
    state.card = null;
    state.cardCode = "";
    state.resident = null;
    $("card-info").dataset.state = "";
    $("card-address").textContent = "";
    $("card-answer").textContent = cardPrompt;
    $("card-answer").className = "card-answer";
    $("residents").textContent = "";
  }

  function cardNote(text, tone) {
    $("card-info").dataset.state = tone;
    $("card-address").textContent = "";
    $("card-answer").textContent = text;
    $("card-answer").className = "card-answer " + tone;
  }

  /* "蔡** · 子女 · 男 · 34岁": what a volunteer can see, to tell the family apart. */
  function personLabel(r) {
    var parts = [r.name, config.relations[r.relation] || "", config.sexes[r.sex] || ""];
    if (r.born) parts.push(fmt(S.age, { age: new Date().getFullYear() - r.born }));
    return parts.filter(Boolean).join(" · ");
  }

  function renderResidents(residents) {
    var box = $("residents");
    box.textContent = "";
    var today = R ? R.localDate(Date.now()) : "";
    residents.forEach(function (r) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "resident-btn";
      var quarantined = r.quarantined || (!!r.q && r.q >= today);
      btn.textContent = personLabel(r) + (quarantined ? " · " + S.in_quarantine : "");
      btn.dataset.name = r.name;
      btn.dataset.resident = r.id;
      btn.dataset.quarantined = quarantined ? "1" : "0";
      btn.setAttribute("aria-pressed", String(state.resident === r.id));
      btn.addEventListener("click", function () {
        state.resident = state.resident === r.id ? null : r.id;
        Array.prototype.forEach.call(box.children, function (b) {
          b.setAttribute("aria-pressed", String(String(state.resident) === b.dataset.resident));
        });
        // Their own quarantine and work pass count: ask again for this person.
        if (state.card && navigator.onLine) askCard(state.cardCode);
        else if (!navigator.onLine) offlineCard(state.cardCode);
      });
      box.appendChild(btn);
    });
  }

  /* Offline: the household from the snapshot, and what the phone would decide on an exit. */
  function offlineCard(code) {
    var household = findHousehold(code);
    if (!household || cannotDecide(Date.now())) { cardNote(S.card_offline, "unknown"); return; }
    var probe = localVerdict({
      card: code, gate: state.gate ? state.gate.id : null, direction: "out", resident: state.resident,
      temperature: null, recorded_at: new Date().toISOString(),
    });
    var v = probe.v;
    $("card-info").dataset.state = v.allowed ? "ok" : "no";
    $("card-address").textContent = household.address + " · " + displayCode(household.card || code);
    $("card-answer").className = "card-answer " + (v.allowed ? "ok" : "no");
    $("card-answer").textContent = [v.allowed ? S.may_go_out : S.may_not_go_out,
      v.allowed ? "" : reasonMessage(v, ""), S.decided_on_phone].filter(Boolean).join(" — ");
    renderResidents(household.members);
  }

  // The headline for the card. The page cannot know which way the person is going before
  // the tap: when someone of the household is out (the chosen resident, or anyone if none
  // is chosen and nobody may leave), it is most likely them coming back, and coming back
  // is never shown as "may not go out".
  function cardAnswer(data, outNow) {
    var chosenOut = state.resident !== null && outNow.some(function (o) {
      return String(o.resident) === String(state.resident);
    });
    var back = chosenOut || (state.resident === null && outNow.length > 0 && !data.exit_allowed);
    if (back && data.entry_allowed) {
      return {
        tone: "back",
        head: S.may_come_back,
        detail: data.exit_allowed ? "" : fmt(S.exit_not_now, { detail: data.message }),
      };
    }
    if (data.exit_allowed && !chosenOut) return { tone: "ok", head: S.may_go_out, detail: "" };
    if (!data.entry_allowed) return { tone: "no", head: S.may_not_pass, detail: data.message };
    return { tone: "no", head: S.may_not_go_out, detail: data.message };
  }

  function renderCard(data) {
    var info = $("card-info");
    $("card-address").textContent = data.household.address + " · " + data.number;
    if (data.compound !== config.compound) {
      info.dataset.state = "no";
      $("card-answer").className = "card-answer no";
      $("card-answer").textContent = S.card_other_compound;
      return;
    }
    var outNow = data.out_now || [];
    var answer = cardAnswer(data, outNow);
    info.dataset.state = answer.tone;
    $("card-answer").className = "card-answer " + answer.tone;
    var out = outNow.map(function (o) {
      // Surname only, as for the residents list: the gate needs no more.
      var name = o.name ? o.name.charAt(0) + "*".repeat(Math.max(0, o.name.length - 1)) : S.someone;
      return fmt(S.out_now_entry, { name: name, time: hhmm(new Date(o.since)) });
    });
    $("card-answer").textContent = [
      answer.head,
      answer.detail,
      out.length ? fmt(S.out_now, { names: out.join("、") }) : "",
    ].filter(Boolean).join(" — ");
    renderResidents(data.residents || []);
  }

  // A QR code of another Bastion purpose (a door card's page, a household's own link):
  // its token, alone or at the end of the link's path. Cards never look like one.
  function capabilityToken(raw) {
    var path = String(raw || "").trim().split(/[?#]/)[0];
    var parts = path.split("/").filter(Boolean);
    var last = parts.length ? parts[parts.length - 1] : "";
    return /^[A-Za-z0-9_-]{40,64}$/.test(last) ? last : "";
  }

  /* Not a pass card: say what it is (the server knows the link's purpose) and clear it. */
  function refuseLink(token) {
    var seq = ++lookupSeq;
    resetCardInfo();
    cardNote(S.link_not_card, "no");
    $("card-info").dataset.state = "link";
    if (!navigator.onLine) return;
    var url = config.urls.card.replace(config.urls.cardPlaceholder, encodeURIComponent(token));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": config.lang } })
      .then(function (resp) { return resp.json(); })
      .then(function (data) {
        if (seq === lookupSeq && data && data.code === "capability_scanned") {
          $("card-answer").textContent = data.detail;
          $("card-info").dataset.code = data.code;
        }
      }).catch(function () { /* the generic words stay */ });
  }

  function lookupCard() {
    clearTimeout(lookupTimer);
    var token = capabilityToken(els.cardInput.value);
    if (token) { refuseLink(token); return; }
    var code = normalizeCode(els.cardInput.value);
    var answered = ["checking", "ok", "no", "back"].indexOf($("card-info").dataset.state) >= 0;
    if (code === state.cardCode && answered) return; // asked already (e.g. blur after typing)
    resetCardInfo();
    if (code.length < 6) return;
    state.cardCode = code;
    if (!navigator.onLine) { ++lookupSeq; offlineCard(code); return; }
    cardNote(S.card_checking, "checking");
    askCard(code);
  }

  // What a check-in would decide now, at this opening, for the person chosen (if any).
  function askCard(code) {
    var seq = ++lookupSeq;
    var url = config.urls.card.replace(config.urls.cardPlaceholder, encodeURIComponent(code));
    if (state.gate) url += "&gate=" + encodeURIComponent(state.gate.id);
    if (state.resident !== null) url += "&resident=" + encodeURIComponent(state.resident);
    Q.fetchWithTimeout(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": config.lang },
    }, LOOKUP_TIMEOUT_MS).then(function (resp) {
      if (seq !== lookupSeq) return null;
      if (resp.status === 404) { cardNote(S.card_unknown, "no"); return null; }
      if (resp.status === 401 || resp.status === 403) { showAuthProblem(true); cardNote(S.card_error, "unknown"); return null; }
      if (!resp.ok) { cardNote(S.card_error, "unknown"); return null; }
      return resp.json().then(function (data) {
        if (seq !== lookupSeq) return;
        state.card = data;
        renderCard(data);
      });
    }).catch(function () {
      if (seq === lookupSeq) cardNote(navigator.onLine ? S.card_error : S.card_offline, "unknown");
    });
  }

  // --- Temperature ----------------------------------------------------------------

  function selectTemp(value) {
    state.temp = value;
    if (value) els.tempOther.value = "";
    Array.prototype.forEach.call(document.querySelectorAll(".temp-btn"), function (btn) {
      btn.setAttribute("aria-pressed", String(btn.dataset.temp === value));
    });
  }

  function readTemperature() {
    if (state.temp) return { value: state.temp };
    var raw = els.tempOther.value.trim().replace(",", ".");
    var invalid = fmt(S.temperature_invalid, { min: config.tempMin, max: config.tempMax });
    if (!raw) return { error: S.need_temperature };
    if (!/^\d{2}(\.\d)?$/.test(raw)) return { error: invalid };
    var t = tenths(raw);
    if (t < tenths(config.tempMin) || t > tenths(config.tempMax)) return { error: invalid };
    return { value: (t / 10).toFixed(1) };
  }

  function isFever(temperature) { return tenths(temperature) >= tenths(config.feverLine); }

  // --- The snapshot: a real verdict without the network ---------------------------
  //
  // The compound as the server last sent it (checkpoints/snapshot.py), kept in IndexedDB
  // and refreshed by delta while online. When the network is down, or the server has not
  // answered within BUDGET_MS, the phone decides with it (gate-rules.js) and says so. No
  // verdict from a snapshot older than a day, or when the phone's clock is behind the
  // snapshot's server time or was far off it: the page then says it cannot decide.

  var R = window.BastionGateRules;
  var SNAP_DB = "bastion-gate-snapshot";
  var SNAP_MAX_AGE_MS = 24 * 3600 * 1000;
  var CLOCK_BEHIND_MS = 60 * 1000;
  var CLOCK_SKEW_MS = 5 * 60 * 1000;
  var SNAP_REFRESH_MS = 60 * 1000;
  var BUDGET_MS = 2500;
  var snap = null;       // {data, fetchedAt, offset, index}
  var localRecords = []; // this phone's records, for exits not yet in the snapshot

  function snapDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = window.indexedDB.open(SNAP_DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("snapshots", { keyPath: "compound" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function snapTx(mode, fn) {
    return snapDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("snapshots", mode);
        var req = fn(tx.objectStore("snapshots"));
        tx.oncomplete = function () { db.close(); resolve(req && req.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function indexSnapshot(data) {
    var index = { byNumber: {}, byQr: {}, byId: {}, numbers: [] };
    data.households.forEach(function (h) {
      index.byId[h.id] = h;
      if (h.card) { index.byNumber[h.card] = h; index.numbers.push(h.card); }
      if (h.qr) index.byQr[h.qr] = h;
    });
    return index;
  }

  function useSnapshot(row) {
    if (!row || row.user !== config.user || row.compound !== config.compound) { snap = null; return; }
    snap = { data: row.data, fetchedAt: row.fetched_at, offset: row.offset, index: indexSnapshot(row.data) };
    document.body.dataset.snapshot = String(row.data.gate_version);
  }

  function loadSnapshot() {
    return snapTx("readonly", function (s) { return s.get(config.compound); }).then(function (row) {
      if (row && row.user !== config.user) return wipeSnapshot(); // another login's: gone
      useSnapshot(row);
      return null;
    }).catch(function () { return null; });
  }

  function wipeSnapshot() {
    snap = null;
    return new Promise(function (resolve) {
      var req = window.indexedDB ? window.indexedDB.deleteDatabase(SNAP_DB) : null;
      if (!req) { resolve(); return; }
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    });
  }

  function mergeSnapshot(old, delta) {
    if (delta.full || !old) return delta;
    var byId = {};
    old.households.forEach(function (h) { byId[h.id] = h; });
    delta.households.forEach(function (h) { byId[h.id] = h; });
    var from = Date.parse(delta.exits_from);
    var exits = {};
    [old.exits, delta.exits].forEach(function (source) {
      Object.keys(source).forEach(function (key) {
        source[key].forEach(function (t) {
          if (Date.parse(t) < from) return;
          var list = exits[key] || (exits[key] = []);
          if (list.indexOf(t) < 0) list.push(t);
        });
      });
    });
    return {
      compound: delta.compound,
      gate_version: delta.gate_version,
      server_time: delta.server_time,
      rules: delta.rules,
      openings: delta.openings,
      sealed_buildings: delta.sealed_buildings,
      households: Object.keys(byId).map(function (k) { return byId[k]; }),
      exits: exits,
      exits_from: delta.exits_from,
    };
  }

  var snapRefreshing = null;

  function refreshSnapshot() {
    if (!navigator.onLine || snapRefreshing) return snapRefreshing || Promise.resolve();
    var url = config.urls.snapshot;
    if (snap) {
      url += "?since=" + snap.data.gate_version + "&exits_after=" + encodeURIComponent(snap.data.server_time);
    }
    snapRefreshing = Q.fetchWithTimeout(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }, 20000).then(function (resp) {
      if (!resp.ok) return null;
      return resp.json().then(function (delta) {
        var now = Date.now();
        var row = {
          compound: config.compound,
          user: config.user,
          data: mergeSnapshot(snap && snap.data, delta),
          fetched_at: now,
          offset: now - Date.parse(delta.server_time),
        };
        useSnapshot(row);
        return snapTx("readwrite", function (s) { return s.put(row); }).catch(function () { return null; });
      });
    }).catch(function () { return null; }).then(function () { snapRefreshing = null; });
    return snapRefreshing;
  }

  /* Why the phone cannot decide now, or "" when it can. */
  function cannotDecide(now) {
    if (!snap || !R) return "no_snapshot";
    var serverTime = Date.parse(snap.data.server_time);
    if (Math.abs(snap.offset) > CLOCK_SKEW_MS || now < serverTime - CLOCK_BEHIND_MS) return "clock";
    if (now - serverTime > SNAP_MAX_AGE_MS) return "stale";
    return "";
  }

  function findHousehold(code) {
    if (!snap) return null;
    if (code.length === 6) return snap.index.byNumber[code] || null;
    return snap.index.byQr[sha256hex(code).slice(0, 12)] || null;
  }

  function householdExits(householdId) {
    var seen = {};
    var times = [];
    function add(ms) { if (!seen[ms]) { seen[ms] = true; times.push(ms); } }
    (snap.data.exits[String(householdId)] || []).forEach(function (t) { add(Date.parse(t)); });
    localRecords.forEach(function (r) {
      if (r.household_id === householdId && r.quota_exit) add(Date.parse(r.recorded_at));
    });
    return times;
  }

  function memberOf(household, id) {
    if (!household || id === null || id === undefined) return null;
    for (var i = 0; i < household.members.length; i++) {
      if (String(household.members[i].id) === String(id)) return household.members[i];
    }
    return null;
  }

  function quarantinedMembers(household, day) {
    return household.members.filter(function (m) { return m.q && m.q >= day; });
  }

  /* The phone's verdict on a record: {why} when it cannot decide, else {v, household,
   * workPass}. Synchronous: offline, the verdict shows at once. */
  function localVerdict(rec) {
    var why = cannotDecide(Date.now());
    if (why) return { why: why };
    var d = snap.data;
    var at = Date.parse(rec.recorded_at);
    var household = findHousehold(rec.card);
    var opening = null;
    d.openings.forEach(function (o) { if (o.id === rec.gate) opening = o; });
    opening = opening || { state: "open", vehicle_rule: "none" };
    var card = null;
    var workPass = false;
    if (household) {
      var day = R.localDate(at);
      var member = memberOf(household, rec.resident);
      var unnamed = null;
      if (!member) {
        household.members.forEach(function (m) { if (m.q && (!unnamed || m.q > unnamed)) unnamed = m.q; });
      }
      workPass = !!(member && member.wp && member.wp >= day);
      card = {
        revoked: false,
        building_sealed: d.sealed_buildings.indexOf(household.building) >= 0,
        household_quarantine_until: household.q,
        resident_quarantine_until: member ? member.q : null,
        unnamed_quarantine_until: unnamed,
        work_pass: workPass,
      };
    }
    var v = R.decide({
      rules: d.rules,
      fever_line: d.rules.fever_line,
      card: card,
      gate: { sealed: opening.state === "sealed", vehicle_rule: opening.vehicle_rule },
      direction: rec.direction,
      vehicle: !!rec.vehicle,
      temperature: rec.temperature,
      exits: household ? householdExits(household.id) : [],
      at: at,
    });
    return { v: v, household: household, workPass: workPass };
  }

  /* "11月28日 00:00": month, day and time in Asia/Shanghai, whatever the phone's zone. */
  function when(ms) {
    if (ms === null || ms === undefined) return "";
    var d = new Date(ms + 8 * 3600 * 1000);
    var time = ("0" + d.getUTCHours()).slice(-2) + ":" + ("0" + d.getUTCMinutes()).slice(-2);
    return fmt(S.month_day, { month: d.getUTCMonth() + 1, day: d.getUTCDate() }) + " " + time;
  }

  function reasonMessage(v, temperature) {
    if (v.reason === "quota_used") return fmt(S.reason_quota_used, { last: when(v.last_exit_at), next: when(v.next_exit_at) });
    if (v.reason === "fever") return fmt(S.fever_offline, { t: temperature, line: snap ? snap.data.rules.fever_line : config.feverLine });
    return S["reason_" + v.reason] || v.reason;
  }

  /* Typed: once the first characters match one card of the compound only, the rest. */
  function completeNumber(prefix) {
    if (!snap || prefix.length < 3 || prefix.length >= 6) return null;
    var found = null;
    var numbers = snap.index.numbers;
    for (var i = 0; i < numbers.length; i++) {
      if (numbers[i].lastIndexOf(prefix, 0) === 0) {
        if (found) return null;
        found = numbers[i];
      }
    }
    return found;
  }

  // SHA-256 for matching a scanned QR secret with the snapshot's short hashes: also on
  // plain HTTP, where crypto.subtle does not exist. Short ASCII input only.
  var K256 = [];
  (function () {
    var n = 2;
    var primes = 0;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) >>> 0; }
    while (primes < 64) {
      var prime = true;
      for (var f = 2; f * f <= n; f++) if (n % f === 0) { prime = false; break; }
      if (prime) { K256.push(frac(Math.pow(n, 1 / 3))); primes++; }
      n++;
    }
  })();

  function sha256hex(text) {
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var bytes = [];
    for (var i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) & 0xff);
    var bitLength = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (i = 7; i >= 0; i--) bytes.push(i >= 4 ? 0 : (bitLength >>> (i * 8)) & 0xff);
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var chunk = 0; chunk < bytes.length; chunk += 64) {
      var w = [];
      for (i = 0; i < 16; i++) {
        var j = chunk + i * 4;
        w[i] = ((bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3]) >>> 0;
      }
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f2 = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f2) ^ (~e & g)) + K256[i] + w[i]) >>> 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        h = g; g = f2; f2 = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      H = [H[0] + a, H[1] + b, H[2] + c, H[3] + d, H[4] + e, H[5] + f2, H[6] + g, H[7] + h].map(function (x) { return x >>> 0; });
    }
    return H.map(function (x) { return ("00000000" + x.toString(16)).slice(-8); }).join("");
  }

  window.BastionGateSnapshot = { sha256hex: sha256hex, localVerdict: localVerdict, cannotDecide: cannotDecide };

  // --- Sending --------------------------------------------------------------------

  function uploadOptions() {
    return { user: config.user, url: config.urls.passages, csrf: csrfToken(), lang: config.lang };
  }

  var flushing = false;
  var retryTimer = null;
  var backoff = 0;

  /* The next try: at the server's Retry-After when it gave one (a sooner try would only
   * be held back by the queue), else after a growing pause. */
  function scheduleRetry(retryAt) {
    if (retryTimer && !retryAt) return;
    clearTimeout(retryTimer);
    var delay;
    if (retryAt) {
      delay = Math.max(retryAt - Date.now(), 0) + 100;
    } else {
      delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * Math.pow(2, backoff));
      backoff = Math.min(backoff + 1, 10);
    }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, delay);
  }

  function afterUpload(answer) {
    showAuthProblem(answer.outcome === "auth");
    if (answer.outcome === "retry" || answer.outcome === "auth") {
      scheduleRetry(answer.retryAt);
      requestBackgroundSync();
    } else {
      backoff = 0;
    }
  }

  function requestBackgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register(Q.SYNC_TAG);
      return null;
    }).catch(function () { /* not supported or not allowed: the timer and `online` do it */ });
  }

  function saveUploadContext() {
    // For the service worker, which cannot read cookies: who may upload, with which token.
    return Promise.all([store.setMeta("user", config.user), store.setMeta("csrf", csrfToken())])
      .catch(function () { return null; });
  }

  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    clearTimeout(retryTimer);
    retryTimer = null;
    return saveUploadContext().then(function () {
      if (!navigator.onLine) return { outcome: "retry" };
      return Q.uploadWaiting(store, uploadOptions());
    }).catch(function () { return { outcome: "retry" }; }).then(function (answer) {
      flushing = false;
      afterUpload(answer);
      return refresh();
    });
  }

  // --- Recording ------------------------------------------------------------------

  function setSending(on) {
    // Within the tap's own task: the volunteer sees at once that something is happening.
    $("btn-out").disabled = on;
    $("btn-in").disabled = on;
    $("gate-sending").hidden = !on;
    document.body.dataset.sending = on ? "1" : "0";
  }

  /* Someone of this household is in quarantine: the volunteer must say who goes out. */
  function mustPick(code) {
    if (state.resident !== null) return false;
    var known = state.card && state.cardCode === code ? state.card : null;
    if (known) return (known.residents || []).some(function (r) { return r.quarantined; });
    var household = findHousehold(code);
    return !!household && quarantinedMembers(household, R.localDate(Date.now())).length > 0;
  }

  /* The phone's verdict becomes the record's: it is what happened at the gate. */
  function decideOnPhone(rec, local) {
    var v = local.v;
    rec.decided_on = "device";
    rec.device_verdict = v.allowed ? "allowed" : "denied";
    rec.device_reason = v.reason || "";
    rec.local = {
      reason: v.reason,
      fever: v.fever,
      work_pass: local.workPass,
      message: v.allowed ? "" : reasonMessage(v, rec.temperature),
    };
    rec.quota_exit = v.allowed && v.counts_quota;
  }

  function visitorMode() { return !$("visitor-form").hidden; }

  function toggleVisitor() {
    var on = !visitorMode();
    $("visitor-form").hidden = !on;
    $("visitor-toggle").setAttribute("aria-expanded", String(on));
    els.cardInput.disabled = on;
    resetCardInfo();
    if (on) $("visitor-name").focus();
  }

  /* A visitor: no card, no household, no quota; the fever line and a sealed opening only. */
  function recordVisitor(direction, reading) {
    var name = $("visitor-name").value.trim();
    if (!name) { showError(S.need_visitor, $("visitor-name")); return; }
    state.busy = true;
    setSending(true);
    var rec = {
      client_id: Q.newClientId(),
      recorded_at: new Date().toISOString(),
      user: config.user,
      compound: config.compound,
      gate: state.gate.id,
      gate_name: state.gate.name,
      card: "",
      card_label: S.visitor,
      household: name + ($("visitor-unit").value.trim() ? " · " + $("visitor-unit").value.trim() : ""),
      visitor: { name: name, unit: $("visitor-unit").value.trim(), reason: $("visitor-reason").value },
      resident: null,
      direction: direction,
      temperature: reading.value,
      lang: config.lang,
      status: "pending",
    };
    store.put(rec).then(function () {
      localRecords.push(rec);
      if (!navigator.onLine) return { outcome: "retry" };
      var options = uploadOptions();
      options.timeout = BUDGET_MS;
      return Q.send(store, rec, options);
    }).then(function (answer) {
      afterUpload(answer);
      showVerdict(rec, answer.busy, "");
      refresh();
    }).catch(function (err) {
      showError(String(err));
    }).then(function () {
      state.busy = false;
      setSending(false);
    });
  }

  // --- Vehicles: one trip, its plate, one passage per person (online only) -------------

  var trip = { people: [], direction: null };

  function vehicleMode() { return !$("vehicle-form").hidden; }

  function renderTrip() {
    var list = $("vehicle-people");
    list.textContent = "";
    trip.people.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = [p.label, p.temperature + " °C"].join(" · ");
      list.appendChild(li);
    });
    $("vehicle-send").disabled = trip.people.length === 0;
    document.body.dataset.tripPeople = String(trip.people.length);
  }

  /* 出/进 in a vehicle adds the person to the trip; "send" records them all at once. */
  function addToTrip(direction, code, reading) {
    if (trip.direction && trip.direction !== direction) { showError(S.trip_mixed); return; }
    var known = state.card && state.cardCode === code ? state.card : null;
    trip.direction = direction;
    trip.people.push({
      card: code,
      temperature: reading.value,
      resident: state.resident,
      label: known ? known.household.address : (code.length === 6 ? displayCode(code) : S.qr_card),
    });
    renderTrip();
    els.cardInput.value = "";
    els.tempOther.value = "";
    selectTemp(null);
    resetCardInfo();
    els.cardInput.focus();
  }

  function sendTrip() {
    clearError();
    var plate = $("vehicle-plate").value.trim();
    if (!plate) { showError(S.need_plate, $("vehicle-plate")); return; }
    if (!navigator.onLine) { showError(S.trip_offline); return; }
    setSending(true);
    var body = {
      gate: state.gate.id,
      plate: plate,
      direction: trip.direction,
      client_id: Q.newClientId(),
      people: trip.people.map(function (p) {
        var person = { card: p.card, temperature: Number(p.temperature), client_id: Q.newClientId() };
        if (p.resident) person.resident = p.resident;
        return person;
      }),
    };
    fetch(config.urls.trips, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": config.lang, "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (resp) {
      return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
    }).then(function (answer) {
      if (!answer.ok) { showError(answer.data.detail || S.card_error); return; }
      var data = answer.data;
      var box = els.verdict;
      var allowed = data.verdict === "allowed";
      box.className = "verdict verdict-" + (allowed ? "allowed" : "denied");
      box.dataset.verdict = allowed ? "allowed" : "denied";
      box.dataset.reason = data.reason || "";
      box.dataset.trip = String(data.id);
      $("verdict-title").textContent = (trip.direction === "out" ? S.out : S.in) + " · " + data.plate + " · " + (allowed ? S.allowed : S.denied);
      $("verdict-who").textContent = data.people.map(function (p) {
        return (p.household || "—") + " " + (p.verdict === "allowed" ? S.allowed : S.denied);
      }).join("；");
      $("verdict-message").textContent = !allowed && trip.direction === "in" ? S.vehicle_refused_in :
        data.people.filter(function (p) { return p.verdict !== "allowed"; }).map(function (p) { return p.message; }).join(" ");
      box.hidden = false;
      trip = { people: [], direction: null };
      $("vehicle-plate").value = "";
      renderTrip();
    }).catch(function () { showError(S.trip_offline); }).then(function () { setSending(false); });
  }

  function record(direction) {
    clearError();
    if (state.busy) return;
    if (!state.gate) { showError(S.need_gate); return; }
    if (vehicleMode()) {
      var tripCode = normalizeCode(els.cardInput.value);
      if (!tripCode) { showError(S.need_card, els.cardInput); return; }
      var tripReading = readTemperature();
      if (tripReading.error) { showError(tripReading.error); return; }
      addToTrip(direction, tripCode, tripReading);
      return;
    }
    if (visitorMode()) {
      var visitorReading = readTemperature();
      if (visitorReading.error) { showError(visitorReading.error); return; }
      recordVisitor(direction, visitorReading);
      return;
    }
    if (capabilityToken(els.cardInput.value)) {
      showError($("card-info").dataset.code ? $("card-answer").textContent : S.link_not_card, els.cardInput);
      return;
    }
    var code = normalizeCode(els.cardInput.value);
    if (!code) { showError(S.need_card, els.cardInput); return; }
    var reading = readTemperature();
    if (reading.error) { showError(reading.error); return; }
    if (direction === "out" && mustPick(code)) { showError(S.pick_who); return; }
    state.busy = true;
    setSending(true);
    var known = state.card && state.cardCode === code ? state.card : null;
    var rec = {
      client_id: Q.newClientId(),
      recorded_at: new Date().toISOString(),
      user: config.user,
      compound: config.compound,
      gate: state.gate.id,
      gate_name: state.gate.name,
      card: code,
      card_label: known ? known.number : (code.length === 6 ? displayCode(code) : S.qr_card),
      household: known ? known.household.address : "",
      resident: state.resident,
      direction: direction,
      temperature: reading.value,
      lang: config.lang,
      status: "pending",
    };
    var local = localVerdict(rec);
    if (local.household) {
      rec.household = rec.household || local.household.address;
      rec.household_id = local.household.id;
      if (code.length === 6) rec.card_label = displayCode(code);
    }
    if (!navigator.onLine && local.v) decideOnPhone(rec, local);
    // Into the queue first: if the phone dies mid-request the record is still there.
    store.put(rec).then(function () {
      localRecords.push(rec);
      if (!navigator.onLine) return { outcome: "retry" };
      // Not behind the upload lock: the person at the gate must not wait for a long
      // queue. Should the queue send this record too, the server answers it once. The
      // server gets BUDGET_MS; then the request is dropped and the phone decides.
      var options = uploadOptions();
      options.timeout = BUDGET_MS;
      return Q.send(store, rec, options);
    }).then(function (answer) {
      if (rec.status === "pending" && local.v && rec.decided_on !== "device") {
        decideOnPhone(rec, local);
        return store.put(rec).then(function () { return answer; });
      }
      if (rec.status === "sent" && rec.result && rec.result.verdict === "allowed" && direction === "out") {
        rec.quota_exit = !local.workPass;
        return store.put(rec).then(function () { return answer; });
      }
      return answer;
    }).then(function (answer) {
      // A quick tap may beat the card check: take the address if it has come meanwhile.
      var late = state.card && state.cardCode === code ? state.card : null;
      if (late && !rec.household) {
        rec.household = late.household.address;
        rec.card_label = late.number;
        return store.put(rec).then(function () { return answer; });
      }
      return answer;
    }).then(function (answer) {
      afterUpload(answer);
      showVerdict(rec, answer.busy, local.why);
      refresh();
    }).catch(function (err) {
      showError(String(err));
    }).then(function () {
      state.busy = false;
      setSending(false);
    });
  }

  function refusal(rec) {
    // The server's own words when it gave some, else ours for the codes we know.
    var detail = rec.error || S["refused_" + rec.error_code] || String(rec.http_status || "");
    if (rec.error_code === "client_id_conflict") {
      return { kind: "failed", code: rec.error_code, title: S.conflict_title, message: detail + " " + S.conflict_hint };
    }
    return { kind: "failed", code: rec.error_code || "", title: S.failed_title, message: fmt(S.failed_message, { detail: detail }) };
  }

  function allowedTitle(rec, workPass) {
    if (rec.direction === "in") return S.allowed_in;
    return workPass ? S.allowed_work_pass : S.allowed_out;
  }

  /* busy: the server has just said it is too busy (503), rather than not answering.
   * why: why the phone could not decide itself ("no_snapshot", "stale", "clock"). */
  function verdictOf(rec, busy, why) {
    var line = config.feverLine;
    if (rec.status === "failed") return refusal(rec);
    if (rec.status === "sent" && rec.result) {
      var r = rec.result;
      var device = r.decided_on === "device";
      if (r.verdict === "denied") return { kind: "denied", title: S.denied, message: r.message, reason: r.reason, device: device };
      if (r.fever) return { kind: "fever", title: S.fever_entry, message: r.message, reason: "fever", device: device };
      // The server's message for a plain exit only repeats "allowed".
      return { kind: "allowed", title: allowedTitle(rec, rec.local && rec.local.work_pass), message: "", device: device };
    }
    if (rec.decided_on === "device" && rec.local) {
      var l = rec.local;
      var phone = S.decided_on_phone;
      if (rec.device_verdict === "denied") {
        var title = l.reason === "fever" ? S.fever_no_exit : S.denied;
        return { kind: "denied", local: true, device: true, reason: l.reason, title: title, message: l.message + " " + phone };
      }
      if (l.fever) {
        return { kind: "fever", local: true, device: true, reason: "fever", title: S.fever_entry, message: fmt(S.fever_entry_offline, { t: rec.temperature, line: line }) };
      }
      return { kind: "allowed", local: true, device: true, title: allowedTitle(rec, l.work_pass), message: phone };
    }
    if (rec.visitor) {
      // A visitor's rule is the fever line alone: the phone knows it whole.
      if (isFever(rec.temperature)) {
        return { kind: "denied", local: true, reason: "fever", title: S.fever_no_exit, message: fmt(S.fever_offline, { t: rec.temperature, line: line }) };
      }
      return { kind: "allowed", local: true, device: true, title: rec.direction === "in" ? S.allowed_in : S.allowed_out, message: S.decided_on_phone };
    }
    // Not answered and no snapshot to decide with: only what the phone can know, the fever line.
    if (isFever(rec.temperature)) {
      if (rec.direction === "out") {
        return { kind: "denied", local: true, reason: "fever", title: S.fever_no_exit, message: fmt(S.fever_offline, { t: rec.temperature, line: line }) };
      }
      return { kind: "fever", local: true, reason: "fever", title: S.fever_entry, message: fmt(S.fever_entry_offline, { t: rec.temperature, line: line }) };
    }
    var cannot = S["cannot_decide_" + (why || "no_snapshot")] || "";
    if (busy) return { kind: "offline", local: true, title: S.busy_title, message: [S.busy_message, cannot].join(" ") };
    return { kind: "offline", local: true, title: S.cannot_decide, message: [cannot, S.offline_message].join(" ") };
  }

  function showVerdict(rec, busy, why) {
    var v = verdictOf(rec, busy, why);
    var box = els.verdict;
    box.className = "verdict verdict-" + v.kind;
    box.dataset.verdict = v.kind;
    box.dataset.reason = v.reason || "";
    box.dataset.local = v.local ? "1" : "0";
    box.dataset.decidedOn = v.device ? "device" : "server";
    box.dataset.code = v.code || "";
    box.dataset.busy = busy && rec.status === "pending" ? "1" : "0";
    box.dataset.clientId = rec.client_id;
    $("verdict-title").textContent = (rec.direction === "out" ? S.out : S.in) + " · " + v.title;
    $("verdict-who").textContent = [rec.household || rec.card_label, whoLabel(rec), rec.temperature + " °C"]
      .filter(Boolean).join(" · ");
    $("verdict-message").textContent = v.message || "";
    box.hidden = false;
    $("verdict-next").focus();
  }

  function whoLabel(rec) {
    if (rec.resident === null || rec.resident === undefined) return "";
    var button = document.querySelector(".resident-btn[data-resident='" + rec.resident + "']");
    return button ? button.dataset.name : "";
  }

  function nextPerson() {
    els.verdict.hidden = true;
    $("visitor-name").value = "";
    $("visitor-unit").value = "";
    els.cardInput.value = "";
    els.tempOther.value = "";
    selectTemp(null);
    resetCardInfo();
    clearError();
    els.cardInput.focus();
  }

  // --- The list of this phone's records ---------------------------------------------

  function badge(text, tone) {
    var span = document.createElement("span");
    span.className = "badge " + tone;
    span.textContent = text;
    return span;
  }

  function renderRecord(rec) {
    var li = document.createElement("li");
    var v = verdictOf(rec);
    li.className = "rec rec-" + rec.status + " rec-verdict-" + v.kind;
    li.dataset.clientId = rec.client_id;
    li.dataset.status = rec.status;
    li.dataset.code = rec.status === "failed" ? rec.error_code || "" : "";
    var time = new Date(rec.recorded_at);
    var main = document.createElement("div");
    main.className = "rec-main";
    main.textContent = [hhmm(time), rec.direction === "out" ? S.out : S.in, rec.household || rec.card_label,
      rec.temperature + "°"].join(" ");
    li.appendChild(main);
    var side = document.createElement("div");
    side.className = "rec-side";
    if (rec.status === "sent") {
      var tone = v.kind === "allowed" ? "green" : v.kind === "fever" ? "amber" : "red";
      side.appendChild(badge(v.kind === "allowed" ? S.allowed : v.kind === "fever" ? S.fever_entry : S.denied, tone));
      side.appendChild(badge(S.status_sent, ""));
      if (rec.result && rec.result.late) side.appendChild(badge(S.late, "amber"));
      if (rec.result && rec.result.breach) side.appendChild(badge(S.breach, "red"));
    } else if (rec.status === "pending") {
      if (v.device) {
        side.appendChild(badge(v.kind === "allowed" ? S.allowed : v.kind === "fever" ? S.fever_entry : S.denied,
          v.kind === "allowed" ? "green" : v.kind === "fever" ? "amber" : "red"));
        side.appendChild(badge(S.decided_on_phone_short, ""));
      } else if (v.reason === "fever") {
        side.appendChild(badge(v.title, v.kind === "fever" ? "amber" : "red"));
      }
      side.appendChild(badge(S.status_pending, "amber"));
    } else {
      var conflict = rec.error_code === "client_id_conflict";
      side.appendChild(badge(conflict ? S.status_conflict : S.status_failed, "red"));
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "rec-retry";
      retry.textContent = conflict ? S.send_as_new : S.retry;
      retry.addEventListener("click", function () {
        retry.disabled = true;
        Q.resubmit(store, rec).then(flush);
      });
      side.appendChild(retry);
    }
    li.appendChild(side);
    if (rec.status === "failed" || (rec.status === "sent" && v.kind !== "allowed" && v.message)) {
      var note = document.createElement("div");
      note.className = "rec-note";
      note.textContent = v.message;
      li.appendChild(note);
    }
    return li;
  }

  function renderBusy(until) {
    var banner = $("busy-banner");
    banner.hidden = !until;
    banner.textContent = until ? fmt(S.busy_banner, { time: hhmm(new Date(until)) }) : "";
  }

  function refresh() {
    return Promise.all([store.all(), Q.busyUntil(store)]).then(function (values) {
      var records = values[0];
      localRecords = records.filter(function (r) { return r.user === config.user && r.compound === config.compound; });
      renderBusy(values[1]);
      var today = localDay(new Date());
      var mine = records.filter(function (r) { return r.user === config.user; });
      var pending = mine.filter(function (r) { return r.status === "pending"; }).length;
      var others = records.filter(function (r) { return r.user !== config.user && r.status === "pending"; }).length;
      var shown = mine.filter(function (r) {
        return r.compound === config.compound &&
          (r.status !== "sent" || localDay(new Date(r.recorded_at)) === today);
      }).sort(function (a, b) { return a.recorded_at < b.recorded_at ? 1 : -1; });
      var count = $("pending-count");
      count.textContent = String(pending);
      count.dataset.count = String(pending);
      var note = $("other-user-note");
      note.hidden = others === 0;
      note.textContent = others ? fmt(S.other_user_pending, { count: others }) : "";
      var list = $("records");
      list.textContent = "";
      if (!shown.length) {
        var empty = document.createElement("li");
        empty.className = "muted rec-empty";
        empty.textContent = S.no_records;
        list.appendChild(empty);
      }
      shown.forEach(function (r) { list.appendChild(renderRecord(r)); });
    }).catch(function () { /* the storage banner already says why */ });
  }

  function pruneOldRecords() {
    var cutoff = Date.now() - KEEP_SENT_DAYS * 24 * 3600 * 1000;
    return store.all().then(function (records) {
      return Promise.all(records.filter(function (r) {
        return r.status === "sent" && new Date(r.recorded_at).getTime() < cutoff;
      }).map(function (r) { return store.remove(r.client_id); }));
    }).catch(function () { return null; });
  }

  // --- Camera -----------------------------------------------------------------------

  var scan = { stream: null, timer: null, detect: null };

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = config.urls.jsqr;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function makeDetector() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) throw new Error("no qr_code");
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (video) {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }).catch(function () { return jsQRDetector(); });
    }
    return jsQRDetector();
  }

  function jsQRDetector() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      return function (video) {
        var w = video.videoWidth;
        var h = video.videoHeight;
        if (!w || !h) return Promise.resolve(null);
        var scale = Math.min(1, 640 / Math.max(w, h)); // cheap phones: fewer pixels per frame
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var found = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function stopScan() {
    clearTimeout(scan.timer);
    if (scan.stream) scan.stream.getTracks().forEach(function (t) { t.stop(); });
    scan.stream = null;
    $("scan-video").srcObject = null;
    $("scanner").hidden = true;
  }

  function startScan() {
    clearError();
    var video = $("scan-video");
    makeDetector().then(function (detect) {
      scan.detect = detect;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (stream) {
      scan.stream = stream;
      video.srcObject = stream;
      $("scanner").hidden = false;
      return video.play();
    }).then(function () {
      var tick = function () {
        if (!scan.stream) return;
        scan.detect(video).then(function (value) {
          if (value && scan.stream) {
            stopScan();
            els.cardInput.value = value;
            lookupCard();
            return;
          }
          scan.timer = setTimeout(tick, 200);
        }, function () { scan.timer = setTimeout(tick, 400); });
      };
      tick();
    }).catch(function () {
      stopScan();
      showError(S.camera_failed, els.cardInput);
    });
  }

  // --- Service worker: the page opens offline ---------------------------------------

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "queue-changed") refresh();
    });
    navigator.serviceWorker.register(config.urls.serviceWorker, { scope: config.urls.serviceWorkerScope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) {
        return new Promise(function (resolve) {
          var channel = new MessageChannel();
          var timer = setTimeout(function () { resolve(null); }, 20000);
          channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
          reg.active.postMessage({ type: "cache-pages", urls: [location.pathname] }, [channel.port2]);
        });
      })
      .then(function (answer) {
        if (!answer || !answer.ok) return;
        document.body.dataset.offlineReady = "1";
        $("offline-ready").textContent = S.offline_ready;
        $("offline-ready").hidden = false;
      })
      .catch(function () { /* plain HTTP or an old browser: the page works online only */ });
  }

  // --- Wiring -------------------------------------------------------------------------

  Array.prototype.forEach.call(document.querySelectorAll(".opening-btn"), function (btn) {
    btn.addEventListener("click", function () { chooseOpening(findOpening(btn.dataset.opening)); });
  });
  $("gate-current").addEventListener("click", function () {
    $("gate-choose").hidden = false;
    $("gate-work").hidden = true;
  });
  Array.prototype.forEach.call(document.querySelectorAll(".temp-btn"), function (btn) {
    btn.addEventListener("click", function () {
      clearError();
      selectTemp(state.temp === btn.dataset.temp ? null : btn.dataset.temp);
    });
  });
  els.tempOther.addEventListener("input", function () {
    if (els.tempOther.value) selectTemp(null);
    clearError();
  });
  els.tempOther.addEventListener("change", function () {
    if (els.tempOther.value) { var r = readTemperature(); if (r.error) showError(r.error); }
  });
  els.cardInput.addEventListener("input", function () {
    clearTimeout(lookupTimer);
    var typed = normalizeCode(els.cardInput.value);
    var whole = completeNumber(typed);
    if (whole) { els.cardInput.value = displayCode(whole); typed = whole; }
    var n = typed.length;
    if (n === 6 || n === 20) lookupTimer = setTimeout(lookupCard, whole ? 0 : 250); else resetCardInfo();
  });
  els.cardInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); lookupCard(); els.cardInput.blur(); }
  });
  els.cardInput.addEventListener("blur", function () { if (normalizeCode(els.cardInput.value)) lookupCard(); });
  $("btn-out").addEventListener("click", function () { record("out"); });
  $("btn-in").addEventListener("click", function () { record("in"); });
  $("verdict-next").addEventListener("click", nextPerson);
  $("visitor-toggle").addEventListener("click", toggleVisitor);
  $("vehicle-toggle").addEventListener("click", function () {
    var on = !vehicleMode();
    $("vehicle-form").hidden = !on;
    $("vehicle-toggle").setAttribute("aria-expanded", String(on));
    if (on) $("vehicle-plate").focus();
  });
  $("vehicle-send").addEventListener("click", sendTrip);
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $("scan-btn").hidden = false;
    $("scan-btn").addEventListener("click", startScan);
    $("scan-stop").addEventListener("click", stopScan);
  }
  window.addEventListener("online", function () { renderNetwork(); backoff = 0; flush(); refreshSnapshot(); });
  window.addEventListener("offline", renderNetwork);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });

  if (/MicroMessenger/i.test(navigator.userAgent)) $("wechat-banner").hidden = false;
  initOpening();
  renderNetwork();
  pruneOldRecords().then(flush);
  loadSnapshot().then(refreshSnapshot);
  setInterval(refreshSnapshot, SNAP_REFRESH_MS);
  registerServiceWorker();
});
