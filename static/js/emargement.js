// The sign-in page: « Présent » opens the signature pad (signature_pad, vendored), « Absent » sends at
// once. Each sign-in gets a random submission id and the tablet's time here, in the form itself, so
// that a sign-in kept on the tablet while the network is down (jalon.js) is sent again unchanged and
// recorded once. The strokes go as SVG path data in a 400 × 150 box. The pad first asks whether the
// identity document was checked (recorded with the sign-in, never required).
(function () {
  "use strict";

  var BOX_WIDTH = 400, BOX_HEIGHT = 150;

  function submissionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // available on a plain-http intranet, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function set(form, name, value) {
    form.querySelector('input[name="' + name + '"]').value = value;
  }

  function send(form, statut, signature, identityChecked) {
    set(form, "statut", statut);
    set(form, "identite_verifiee", identityChecked ? "1" : "");
    set(form, "signature", signature || "");
    set(form, "signe_a", new Date().toISOString());
    set(form, "soumission_id", submissionId());
    form.requestSubmit();
  }

  // The strokes as path data, scaled from the canvas (CSS pixels) to the 400 × 150 box.
  function toPath(groups, width, height) {
    var sx = BOX_WIDTH / width, sy = BOX_HEIGHT / height;
    function number(value) { return String(Math.round(value * 10) / 10); }
    return groups.map(function (group) {
      return group.points.map(function (point, index) {
        var x = Math.min(BOX_WIDTH, Math.max(0, point.x * sx)), y = Math.min(BOX_HEIGHT, Math.max(0, point.y * sy));
        return (index === 0 ? "M" : "L") + number(x) + " " + number(y);
      }).join(" ");
    }).join(" ");
  }

  function start() {
    var dialog = document.getElementById("signature-dialog");
    var canvas = dialog && dialog.querySelector("canvas");
    var pad = canvas && new window.SignaturePad(canvas, {minWidth: 1, maxWidth: 3, penColor: "#000"});
    var error = dialog && dialog.querySelector(".signature-error");
    var identity = dialog && dialog.querySelector(".identity-checked");
    var form = null;

    function fit() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
    }

    document.addEventListener("click", function (event) {
      var sign = event.target.closest && event.target.closest("[data-sign]");
      var absent = event.target.closest && event.target.closest("[data-absent]");
      if (sign && pad) {
        form = sign.closest("form");
        dialog.querySelector(".signature-who").textContent = sign.getAttribute("data-sign");
        error.hidden = true;
        identity.checked = false;  // asked again for each person
        dialog.showModal();
        fit();
      } else if (absent) {
        send(absent.closest("form"), "absent");
      }
    });
    if (!dialog) return;
    dialog.addEventListener("click", function (event) {
      var action = event.target.getAttribute && event.target.getAttribute("data-signature");
      if (action === "clear") {
        pad.clear();
      } else if (action === "cancel") {
        dialog.close();
      } else if (action === "validate") {
        if (pad.isEmpty()) {
          error.hidden = false;
          return;
        }
        var path = toPath(pad.toData(), canvas.offsetWidth, canvas.offsetHeight);
        dialog.close();
        send(form, "present", path, identity.checked);
      }
    });
    window.addEventListener("resize", function () { if (dialog.open) fit(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
