// Jalon's only script: CSRF header for htmx, unsaved observations kept across row swaps, and
// a message when the server cannot be reached. No inline script anywhere, so a strict CSP holds.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  function showMessage(text) {
    var area = document.getElementById("flash");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "flash flash--error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    area.replaceChildren(p);
  }

  // A row is replaced after every action on it. An observation typed in that row but not saved
  // yet is put back into the new row, with the version it was typed against.
  var drafts = {};

  document.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.target;
    if (!row || row.tagName !== "TR" || !row.id) return;
    var textarea = row.querySelector("textarea[name=observation]");
    var version = row.querySelector("input[name=version]");
    var sentForm = event.detail.requestConfig && event.detail.requestConfig.elt;
    var savingIt = sentForm && sentForm.contains(textarea);
    if (textarea && !savingIt && textarea.value !== textarea.defaultValue) {
      drafts[row.id] = { text: textarea.value, version: version ? version.value : null };
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(drafts).forEach(function (id) {
      var row = document.getElementById(id);
      if (!row) return;
      var textarea = row.querySelector("textarea[name=observation]");
      var version = row.querySelector("input[name=version]");
      if (textarea) {
        textarea.value = drafts[id].text;
        if (version && drafts[id].version !== null) version.value = drafts[id].version;
        textarea.classList.add("unsaved");
      }
      delete drafts[id];
    });
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage("Connexion au serveur impossible : la modification n'a pas été enregistrée. Vérifiez le réseau puis recommencez.");
  });

  document.addEventListener("htmx:responseError", function (event) {
    showMessage("Le serveur n'a pas pu enregistrer la modification (erreur " + event.detail.xhr.status + "). Rechargez la page.");
  });
})();
