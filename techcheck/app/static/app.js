// Quick exit: the Escape key (or the button) leaves at once. The page is replaced, not added to
// the history, so Back does not return to it; the server is told to stop the check and close.
(function () {
  "use strict";
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    var form = document.getElementById("quick-exit");
    try {
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: body, keepalive: true, credentials: "same-origin" });
    } catch (e) { /* the page is replaced below whatever happens */ }
    window.location.replace("about:blank");
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { quickExit(event); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("quick-exit");
    if (form) { form.addEventListener("submit", quickExit); }
  });
})();
