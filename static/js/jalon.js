// Jalon's only script. No inline script anywhere, so a strict CSP holds.
// - sends the CSRF token with every htmx request;
// - keeps an observation being typed in localStorage until the server has acknowledged it, so a
//   reload, a row swap or a dropped connection loses nothing;
// - when a change cannot reach the server: the row says "non enregistré", the input stays, a
//   banner says the app is offline, and the change is sent again when the connection returns
//   (state changes as they are, since they are idempotent; observations with the version they were
//   typed on, so that a colleague's newer text still shows as a conflict).
(function () {
  "use strict";

  var PENDING_KEY = "jalon-pending";
  var DRAFT_PREFIX = "jalon-draft:";
  var retryTimer = null;
  var retryDelay = 2000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function readJSON(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or disabled: the row still says "non enregistré" */ }
  }

  // --- Messages -------------------------------------------------------------------------------

  function showMessage(text) {
    var area = document.getElementById("flash");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "flash flash--error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    area.replaceChildren(p);
  }

  function setOffline(offline) {
    var banner = document.getElementById("offline-banner");
    if (banner) banner.hidden = !offline;
    document.body.classList.toggle("is-offline", offline);
  }

  function noteOn(row, kind, text) {
    var cell = row.querySelector(kind === "observation" ? "td.observation" : "td.fait-le");
    if (!cell) return;
    var note = cell.querySelector(".unsaved-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "unsaved-note";
      note.setAttribute("role", "status");
      cell.insertBefore(note, cell.firstChild);
    }
    note.textContent = text;
    row.classList.add("item--unsaved");
  }

  // --- Observation drafts ---------------------------------------------------------------------

  function draftKey(row) {
    return DRAFT_PREFIX + row.id;  // item ids are unique across sessions
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[name=observation]")) return;
    var row = textarea.closest("tr.item");
    var version = row && row.querySelector("input[name=version]");
    if (!row) return;
    var key = draftKey(row);
    var draft = readJSON(key, null);
    writeJSON(key, {text: textarea.value, version: draft ? draft.version : (version ? version.value : "0")});
  });

  // Put unsaved drafts back into the rows (after a reload or after a row was replaced).
  function restoreDrafts(root) {
    (root || document).querySelectorAll("tr.item").forEach(function (row) {
      var textarea = row.querySelector("textarea[name=observation]");
      if (!textarea) return;
      var draft = readJSON(draftKey(row), null);
      if (!draft) return;
      if (draft.text === textarea.value) {
        localStorage.removeItem(draftKey(row));
        return;
      }
      textarea.value = draft.text;
      var version = row.querySelector("input[name=version]");
      if (version && draft.version !== null) version.value = draft.version;
      textarea.classList.add("unsaved");
      noteOn(row, "observation", "Brouillon non enregistré : appuyez sur « Enregistrer ».");
    });
  }

  // --- Requests -------------------------------------------------------------------------------

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  function isObservationForm(form) {
    return form && form.classList && form.classList.contains("action--observation");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var row = form && form.closest && form.closest("tr.item");
    // The server acknowledged this observation: its draft is no longer needed.
    if (row && isObservationForm(form) && event.detail.xhr.status === 200) {
      localStorage.removeItem(draftKey(row));
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    restoreDrafts();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful || (event.detail.xhr && event.detail.xhr.status)) {
      if (!Object.keys(readJSON(PENDING_KEY, {})).length) setOffline(false);
    }
  });

  // --- Offline: keep the change, say so, send it again later ----------------------------------

  function pendingLabel(form) {
    if (isObservationForm(form)) return "Observation non enregistrée : elle sera envoyée au retour de la connexion.";
    var button = form.querySelector("button[type=submit]");
    var action = button ? button.textContent.trim() : "Modification";
    return "« " + action + " » non enregistré : sera envoyé au retour de la connexion.";
  }

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    var row = form && form.closest("tr.item");
    if (row) {
      var kind = isObservationForm(form) ? "observation" : "state";
      var pending = readJSON(PENDING_KEY, {});
      var values = {};
      new FormData(form).forEach(function (value, name) { values[name] = value; });
      // One pending change per row and kind: a later tap replaces an earlier one not yet sent.
      pending[row.id + "|" + kind] = {
        url: form.getAttribute("hx-post"), values: values, rowId: row.id, kind: kind, label: pendingLabel(form)
      };
      writeJSON(PENDING_KEY, pending);
      noteOn(row, kind, pendingLabel(form));
    } else {
      showMessage("Connexion au serveur impossible : vérifiez le réseau puis recommencez.");
    }
    setOffline(true);
    scheduleRetry();
  });

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      flushPending();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function flushPending() {
    var pending = readJSON(PENDING_KEY, {});
    var keys = Object.keys(pending);
    if (!keys.length) {
      setOffline(false);
      return;
    }
    keys.reduce(function (chain, key) {
      return chain.then(function () { return resend(key, pending[key]); });
    }, Promise.resolve()).then(function () {
      if (Object.keys(readJSON(PENDING_KEY, {})).length) {
        scheduleRetry();
      } else {
        retryDelay = 2000;
        setOffline(false);
      }
    });
  }

  function resend(key, change) {
    var body = new URLSearchParams(change.values);
    return fetch(change.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true", "HX-Current-URL": location.href}
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect");
      if (redirect) {
        location.href = redirect;  // logged out: the change waits in localStorage for the next login
        return;
      }
      return response.text().then(function (html) {
        var left = readJSON(PENDING_KEY, {});
        delete left[key];
        writeJSON(PENDING_KEY, left);
        var row = document.getElementById(change.rowId);
        if (response.status === 200 && change.kind === "observation" && row) localStorage.removeItem(draftKey(row));
        if (row && response.status < 500) {
          htmx.swap(row, html, {swapStyle: "outerHTML"});
        }
      });
    }).catch(function () {
      setOffline(true);  // still unreachable: keep it for the next try
    });
  }

  window.addEventListener("online", function () {
    retryDelay = 2000;
    flushPending();
  });
  window.addEventListener("offline", function () { setOffline(true); });

  document.addEventListener("htmx:responseError", function (event) {
    showMessage("Le serveur n'a pas pu enregistrer la modification (erreur " + event.detail.xhr.status + "). Rechargez la page.");
  });

  function start() {
    restoreDrafts();
    var pending = readJSON(PENDING_KEY, {});
    Object.keys(pending).forEach(function (key) {
      var change = pending[key];
      var row = document.getElementById(change.rowId);
      if (row) noteOn(row, change.kind, change.label);
    });
    if (!navigator.onLine) setOffline(true);
    flushPending();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
