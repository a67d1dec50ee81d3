// The 接龙 paste page: preview through the API, fix the unread lines, commit.
// A fix is checked by previewing "room + items" as a one-line chain: the same reader,
// the same room resolution, so the page never guesses a household on its own.
(function () {
  "use strict";
  var root = document.getElementById("paste");
  if (!root) { return; }
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var textArea = document.getElementById("paste-text");
  var errorBox = document.getElementById("paste-error");
  var result = document.getElementById("paste-result");
  var clientKey = null;
  var lastText = null;

  function tpl(id) { return document.getElementById(id).innerHTML.trim(); }

  function uuid4() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.detail || JSON.stringify(data)); }
        return data;
      });
    });
  }

  function preview(text) {
    var building = root.dataset.building ? parseInt(root.dataset.building, 10) : null;
    return post(root.dataset.preview, { compound: parseInt(root.dataset.compound, 10), building: building, text: text });
  }

  function itemsText(items) {
    return items.map(function (i) { return i.name + (i.quantity || "") + i.unit + (i.note ? "(" + i.note + ")" : ""); }).join(" ");
  }

  function showError(message) { errorBox.textContent = message; errorBox.hidden = !message; }

  function render(data) {
    var tbody = document.querySelector("#paste-orders tbody");
    tbody.textContent = "";
    data.orders.forEach(function (o) {
      var tr = document.createElement("tr");
      [String(o.line_no), o.address, itemsText(o.items)].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    document.getElementById("orders-count").textContent = "(" + data.orders.length + ")";
    document.getElementById("unread-count").textContent = "(" + data.unread.length + ")";
    var unread = document.getElementById("paste-unread");
    unread.textContent = "";
    data.unread.forEach(function (u) {
      var row = document.createElement("div");
      row.className = "unread-row";
      row.dataset.lineNo = u.line_no;
      row.dataset.code = u.code;
      var text = document.createElement("div");
      text.className = "unread-text";
      text.textContent = u.line_no + ": " + u.text;
      var msg = document.createElement("small");
      msg.className = "muted";
      msg.textContent = u.message;
      var room = document.createElement("input");
      room.className = "fix-room"; room.placeholder = tpl("tpl-room-label"); room.setAttribute("aria-label", tpl("tpl-room-label"));
      room.size = 10;
      var items = document.createElement("input");
      items.className = "fix-items"; items.placeholder = tpl("tpl-items-label"); items.setAttribute("aria-label", tpl("tpl-items-label"));
      items.value = itemsText(u.items || []);
      var err = document.createElement("div");
      err.className = "row-error";
      row.append(text, msg, document.createElement("br"), room, items, err);
      unread.appendChild(row);
    });
    var skipped = document.getElementById("paste-skipped");
    skipped.textContent = "";
    data.skipped.forEach(function (s) {
      var li = document.createElement("li"); li.textContent = s.line_no + ": " + s.text; skipped.appendChild(li);
    });
    result.hidden = false;
  }

  document.getElementById("paste-preview").addEventListener("click", function () {
    showError("");
    var text = textArea.value;
    preview(text).then(function (data) {
      if (text !== lastText) { clientKey = uuid4(); lastText = text; }
      document.getElementById("paste-done").hidden = true;
      render(data);
    }).catch(function (e) { showError(e.message); });
  });

  function fixOf(row) {
    var room = row.querySelector(".fix-room").value.trim();
    if (!room) { return Promise.resolve(null); }
    var items = row.querySelector(".fix-items").value.trim();
    var err = row.querySelector(".row-error");
    err.textContent = "";
    return preview(room + " " + items).then(function (data) {
      if (!data.orders.length) {
        err.textContent = data.unread.length ? data.unread[0].message : tpl("tpl-unknown-room");
        throw new Error(err.textContent);
      }
      row.classList.add("fixed");
      return { line_no: parseInt(row.dataset.lineNo, 10), household: data.orders[0].household, items: data.orders[0].items };
    });
  }

  document.getElementById("paste-commit").addEventListener("click", function () {
    showError("");
    var rows = Array.prototype.slice.call(document.querySelectorAll("#paste-unread .unread-row"));
    Promise.all(rows.map(fixOf)).then(function (fixes) {
      fixes = fixes.filter(function (f) { return f !== null; });
      return post(root.dataset.commit, { text: lastText, client_key: clientKey, fixes: fixes });
    }).then(function (answer) {
      var done = document.getElementById("paste-done");
      done.textContent = tpl("tpl-saved").replace("{orders}", answer.orders.length).replace("{unread}", answer.unread.length);
      done.hidden = false;
      var link = document.createElement("a");
      link.href = root.dataset.run; link.id = "back-to-run"; link.textContent = " →";
      done.appendChild(link);
    }).catch(function (e) { showError(e.message); });
  });
})();
