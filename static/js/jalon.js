// Jalon's only script. No inline script anywhere, so a strict CSP holds.
// - sends the CSRF token with every htmx request;
// - keeps an observation being typed in localStorage until the server has acknowledged it, so a
//   reload, a row swap or a dropped connection loses nothing;
// - when a change cannot reach the server: the row says "non enregistré", the input stays, a
//   banner says the app is offline, and the change is sent again when the connection returns
//   (state changes as they are, since they are idempotent; observations with the version they were
//   typed on, so that a colleague's newer text still shows as a conflict).
// A waiting change leaves the queue only when the server acknowledged it (2xx) or gave a definitive
// answer shown on its row or in the banner (403, 404, 409, 422), or when the user discards it. It
// belongs to the user who made it: it is sent only on a page of that user (never on the login
// page), through htmx's own request path (htmx.ajax), with the page's current CSRF token.
(function () {
  "use strict";

  var PENDING_KEY = "jalon-pending";
  var DRAFT_PREFIX = "jalon-draft:";
  var retryTimer = null;
  var retryDelay = 2000;

  // Answers after which a waiting change is settled: acknowledged, or refused for good and shown.
  var DEFINITIVE = [403, 404, 409, 410, 422];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // The logged-in user of this page; none on the login page and the error pages.
  function pageUser() {
    var meta = document.querySelector('meta[name="jalon-user"]');
    return meta ? {id: meta.getAttribute("content"), name: meta.getAttribute("data-name")} : null;
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

  // A queued change is noted on its row: a checklist row (its date or observation cell) or a
  // sign-in line (its note area).
  function noteOn(row, kind, text) {
    var cell = row.querySelector(kind === "observation" ? "td.observation" : kind === "signin" ? ".queue-note-area" : "td.fait-le");
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
      // What the server last sent for this row (defaultValue), not what is typed: a draft equal to the
      // text being typed is exactly the one that must be kept.
      if (draft.text === textarea.defaultValue) {
        localStorage.removeItem(draftKey(row));
        return;
      }
      if (textarea.value !== draft.text) textarea.value = draft.text;
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

  function resentKey(detail) {
    return detail.requestConfig && detail.requestConfig.headers ? detail.requestConfig.headers["X-Jalon-Resend"] : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var row = form && form.closest && form.closest("tr.item");
    var resent = resentKey(event.detail);
    var observation = resent ? /\|observation$/.test(resent) : isObservationForm(form);
    // The server acknowledged this observation: its draft is no longer needed.
    if (row && observation && event.detail.xhr.status === 200) {
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
    if (form.hasAttribute("data-signin")) {
      var statut = form.querySelector("input[name=statut]").value;
      return (statut === "absent" ? "Absence" : "Signature") + " gardée sur la tablette : elle sera envoyée au retour de la connexion.";
    }
    var button = form.querySelector("button[type=submit]");
    var action = button ? button.textContent.trim() : "Modification";
    return "« " + action + " » non enregistré : sera envoyé au retour de la connexion.";
  }

  // A change that cannot reach the application: the network is down (sendError), or the reverse
  // proxy answers that the application is restarting (502, 503, 504). It waits on this device.
  var GATEWAY_ERRORS = [502, 503, 504];

  function keepForLater(event) {
    if (resentKey(event.detail)) return;  // a waiting change sent again: it is still in the queue
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    var row = form && form.closest("tr.item, [data-queue-row]");
    if (row && form.getAttribute("enctype") === "multipart/form-data") {
      // A file cannot wait in the browser's storage: say so, and keep it selected in the form.
      showMessage("Fichier non envoyé : le serveur est injoignable. Appuyez de nouveau sur « Joindre » quand le réseau sera revenu.");
      setOffline(true);
      return;
    }
    if (row) {
      var kind = isObservationForm(form) ? "observation" : form.hasAttribute("data-signin") ? "signin" : "state";
      var pending = readJSON(PENDING_KEY, {});
      var values = {};
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrf_token") values[name] = value;  // the token of the page that sends it counts
      });
      var user = pageUser() || {id: null, name: null};
      // One pending change per row and kind: a later tap replaces an earlier one not yet sent.
      pending[row.id + "|" + kind] = {
        url: form.getAttribute("hx-post"), values: values, rowId: row.id, kind: kind, label: pendingLabel(form),
        user: user.id, userName: user.name
      };
      writeJSON(PENDING_KEY, pending);
      noteOn(row, kind, pendingLabel(form));
    } else {
      showMessage("Connexion au serveur impossible : vérifiez le réseau puis recommencez.");
    }
    setOffline(true);
    scheduleRetry();
  }

  document.addEventListener("htmx:sendError", keepForLater);

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      flushPending();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function mine(change, user) {
    return !change.user || change.user === user.id;  // a change queued before users were recorded is the user's
  }

  // One flush at a time: the network's return and a retry timer may both ask for one, and two
  // chains sending the same queue would interleave (a sign-in after its correction). A request made
  // meanwhile runs when the current flush ends.
  var flushing = false, flushAgain = false;

  function flushPending() {
    if (flushing) {
      flushAgain = true;
      return;
    }
    var user = pageUser();
    if (!user) return;  // the login page never sends: a change waits for its user to be logged in
    var pending = readJSON(PENDING_KEY, {});
    var keys = Object.keys(pending).filter(function (key) { return mine(pending[key], user); });
    showOthersChanges(pending, user);
    if (!keys.length) {
      setOffline(false);
      return;
    }
    flushing = true;
    // In order, stopping at the first change that cannot be sent yet: a later one never overtakes it.
    keys.reduce(function (chain, key) {
      return chain.then(function (sent) { return sent ? resend(key, pending[key]) : false; });
    }, Promise.resolve(true)).then(function () {
      var left = readJSON(PENDING_KEY, {});
      if (Object.keys(left).some(function (key) { return mine(left[key], user); })) {
        scheduleRetry();
      } else {
        retryDelay = 2000;
        setOffline(false);
      }
    }).finally(function () {
      flushing = false;
      if (flushAgain) {
        flushAgain = false;
        flushPending();
      }
    });
  }

  // Send a waiting change again through htmx: HX-Redirect, HX-Retarget, HX-Reswap and out-of-band
  // swaps are handled as for any request. Its entry is removed only after a settling answer.
  function resend(key, change) {
    var row = document.getElementById(change.rowId);
    var status = 0;
    function record(event) {
      if (resentKey(event.detail) === key) status = event.detail.xhr ? event.detail.xhr.status : 0;
    }
    document.addEventListener("htmx:afterRequest", record);
    var values = Object.assign({}, change.values);
    delete values.csrf_token;  // queued by an older version: the page's own token is sent instead
    var request = htmx.ajax("POST", change.url, {
      source: row || document.body, target: row || "#flash", swap: row ? "outerHTML" : "none",
      values: values, headers: {"X-Jalon-Resend": key}
    });
    return request.then(function () {
      if ((status >= 200 && status < 300) || DEFINITIVE.indexOf(status) !== -1) {
        var left = readJSON(PENDING_KEY, {});
        delete left[key];
        writeJSON(PENDING_KEY, left);
        return true;
      }
      if (status === 400) {
        showMessage("La page a expiré : rechargez-la. Vos modifications en attente restent sur cet appareil et seront renvoyées.");
      }
      return false;
    }, function () {
      setOffline(true);  // still unreachable: keep it for the next try
      return false;
    }).finally(function () {
      document.removeEventListener("htmx:afterRequest", record);
    });
  }

  // Changes another user made on this device and could not send: kept for them, unless discarded.
  function showOthersChanges(pending, user) {
    var others = Object.keys(pending).filter(function (key) { return !mine(pending[key], user); });
    var box = document.getElementById("others-pending");
    if (!others.length) {
      if (box) box.remove();
      return;
    }
    var names = others.map(function (key) { return pending[key].userName || "un autre utilisateur"; })
      .filter(function (name, index, all) { return all.indexOf(name) === index; });
    if (!box) {
      box = document.createElement("div");
      box.id = "others-pending";
      box.className = "flash flash--warning";
      box.setAttribute("role", "status");
      var area = document.getElementById("flash");
      if (!area) return;
      area.parentNode.insertBefore(box, area);
    }
    var text = document.createElement("p");
    text.textContent = "Modifications de " + names.join(", ") + " non envoyées (" + others.length + ") : elles " +
      "seront envoyées quand " + (names.length > 1 ? "ces personnes se reconnecteront" : "cette personne se reconnectera") +
      " sur cet appareil.";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--quiet";
    discard.textContent = "Abandonner ces modifications";
    discard.addEventListener("click", function () {
      if (!window.confirm("Abandonner définitivement les modifications non envoyées de " + names.join(", ") + " ?")) return;
      var left = readJSON(PENDING_KEY, {});
      others.forEach(function (key) { delete left[key]; });
      writeJSON(PENDING_KEY, left);
      box.remove();
    });
    box.replaceChildren(text, discard);
  }

  window.addEventListener("online", function () {
    retryDelay = 2000;
    flushPending();
  });
  window.addEventListener("offline", function () { setOffline(true); });

  document.addEventListener("htmx:responseError", function (event) {
    if (GATEWAY_ERRORS.indexOf(event.detail.xhr.status) !== -1) {
      if (resentKey(event.detail)) setOffline(true);  // still restarting: the next try comes later
      else keepForLater(event);
      return;
    }
    showMessage("Le serveur n'a pas pu enregistrer la modification (erreur " + event.detail.xhr.status + "). Rechargez la page.");
  });

  function start() {
    restoreDrafts();
    var pending = readJSON(PENDING_KEY, {});
    var user = pageUser();
    Object.keys(pending).forEach(function (key) {
      var change = pending[key];
      var row = document.getElementById(change.rowId);
      if (row && user && mine(change, user)) noteOn(row, change.kind, change.label);
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
