// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: forms marked data-confirm (plain submit and htmx alike).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest && event.target.closest("form[data-confirm]");
    if (form && event.detail && event.detail.verb === "post") {
      event.preventDefault();
      if (window.confirm(form.dataset.confirm)) { event.detail.issueRequest(true); }
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) { window.print(); }
  });
  // A polling list must not be swapped away under someone typing or ticking rows in it, nor right after
  // they acted on a row (the row's confirmation stays readable for a while).
  var lastRowAction = 0;
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.target;
    if (source instanceof Element && source.closest("tr") && event.detail && event.detail.requestConfig &&
        event.detail.requestConfig.verb === "post") { lastRowAction = Date.now(); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var poller = event.target;
    if (!(poller instanceof Element) || !poller.hasAttribute("data-poll")) { return; }
    var active = document.activeElement;
    var ticked = document.querySelector("input[name=ids]:checked");
    var busy = active && active !== document.body && poller.contains(active);
    if (busy || ticked || Date.now() - lastRowAction < 20000) { event.preventDefault(); }
  });
  // After a swap, move focus to the first error or notice so keyboard and screen-reader users see it.
  document.addEventListener("htmx:afterSwap", function (event) {
    // A live field check must never take the focus from the field being typed in.
    if (event.target.classList && event.target.classList.contains("check")) { return; }
    if (event.target.id === "identity-fields") { return; }
    var focus = event.target.querySelector("[role=alert], [role=status]");
    if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus({ preventScroll: false }); }
  });
  // Upload progress for large files: the form's <progress class="upload-progress"> follows the upload.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var bar = form && form.querySelector(".upload-progress");
    if (bar && event.detail.lengthComputable) {
      bar.value = Math.max(1, Math.round((event.detail.loaded / event.detail.total) * 100));
    }
  });
})();
