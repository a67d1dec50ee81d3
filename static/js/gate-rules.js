/* The gate's rule on the phone, for when the server cannot answer in time: the one port of
 * checkpoints/rules.py. What is ported is the decision's order and, above all, the quota
 * window and the next allowed exit; the facts (sealed, quarantine ends, work passes, the
 * household's recent exits) come from the server's snapshot. One table of cases
 * (tests/checkpoints/gate_cases.json) is run through rules.decide in pytest and through
 * this file in Chromium, in Asia/Shanghai and in another time zone: they must agree.
 *
 * Calendar days are Asia/Shanghai days whatever the phone's time zone: China has kept
 * UTC+8 with no summer time since 1991, so a fixed offset is exact and needs no Intl.
 * Times are milliseconds since the epoch; dates are "YYYY-MM-DD" strings.
 */
(function (root) {
  "use strict";

  var HOUR = 3600 * 1000;
  var DAY = 24 * HOUR;
  var OFFSET = 8 * HOUR; // Asia/Shanghai

  function dayIndex(ms) { return Math.floor((ms + OFFSET) / DAY); }

  function midnight(index) { return index * DAY - OFFSET; }

  /* The Asia/Shanghai date of an instant, "2020-02-14". */
  function localDate(ms) {
    var d = new Date(midnight(dayIndex(ms)) + OFFSET);
    return d.toISOString().slice(0, 10);
  }

  /* [start, end) around `at`: another quota exit inside it conflicts with one at `at`. */
  function quotaWindow(rules, at) {
    if (rules.quota_mode === "rolling_hours") {
      var span = rules.quota_hours * HOUR;
      // Python's window starts a microsecond after at - span: in milliseconds, "after".
      return { start: at - span + 1, end: at + span };
    }
    var day = dayIndex(at);
    return { start: midnight(day - (rules.quota_days - 1)), end: midnight(day + rules.quota_days) };
  }

  function nextExitAfter(rules, exitAt) {
    if (rules.quota_mode === "rolling_hours") return exitAt + rules.quota_hours * HOUR;
    return midnight(dayIndex(exitAt) + rules.quota_days);
  }

  /* exits: the household's quota exits (ms), any order. As online: nothing after "now". */
  function quota(rules, exits, at) {
    var start = quotaWindow(rules, at).start;
    var times = exits.filter(function (t) { return t >= start; }).sort(function (a, b) { return b - a; });
    var before = times.filter(function (t) { return t <= at; });
    var last = before.length ? before[0] : null;
    if (times.length < rules.quota_exits) return { reason: "", counts_quota: true, last_exit_at: last, next_exit_at: null };
    var blocking = before.length >= rules.quota_exits ? before[rules.quota_exits - 1] : null;
    return {
      reason: "quota_used",
      counts_quota: true,
      last_exit_at: last,
      next_exit_at: blocking === null ? null : nextExitAfter(rules, blocking),
    };
  }

  function until(value, day) { return !!value && value >= day; }

  function refuse(reason) { return { reason: reason, counts_quota: false, last_exit_at: null, next_exit_at: null }; }

  /* f: {rules, fever_line, card (null: unknown), gate {sealed, vehicle_rule}, direction,
   * vehicle, temperature (text or null), exits [ms], at (ms)}. Same order as rules.decide. */
  function decide(f) {
    var fever = f.temperature !== null && f.temperature !== undefined &&
      Math.round(parseFloat(f.temperature) * 10) >= Math.round(parseFloat(f.fever_line) * 10);
    var v;
    var card = f.card;
    if (f.gate.sealed) v = refuse("gate_sealed");
    else if (!card) v = refuse("card_unknown");
    else if (card.revoked) v = refuse("card_revoked");
    else if (f.direction === "out") {
      var day = localDate(f.at);
      if (fever) v = refuse("fever");
      else if (card.building_sealed) v = refuse("building_sealed");
      else if (until(card.household_quarantine_until, day) || until(card.resident_quarantine_until, day) ||
        until(card.unnamed_quarantine_until, day)) v = refuse("quarantined");
      else if (f.vehicle && f.gate.vehicle_rule === "none") v = refuse("vehicle_barred");
      else if (card.work_pass) v = refuse("");
      else v = quota(f.rules, f.exits || [], f.at);
    } else if (f.vehicle && f.gate.vehicle_rule !== "both") {
      v = refuse("vehicle_barred");
    } else {
      v = refuse("");
    }
    v.counts_quota = v.counts_quota && !v.reason;
    v.fever = fever;
    v.allowed = !v.reason;
    return v;
  }

  root.BastionGateRules = {
    localDate: localDate,
    quotaWindow: quotaWindow,
    nextExitAfter: nextExitAfter,
    decide: decide,
  };
})(typeof self !== "undefined" ? self : this);
