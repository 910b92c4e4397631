// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // The words this script writes come from the page (<script id="ui-words">), in the interface's language,
  // so the English interface never shows a Chinese word the server did not send.
  var uiWords = null;
  function word(key) {
    if (uiWords === null) {
      var block = document.getElementById("ui-words");
      try { uiWords = block ? JSON.parse(block.textContent || "{}") : {}; } catch (e) { uiWords = {}; }
    }
    return uiWords[key] || "";
  }
  // Ask before destructive actions: forms marked data-confirm (plain submit and htmx alike).
  // A button may ask on its own (deleting a row of the form): its data-confirm wins over the form's.
  // A form sent with a required field left empty does nothing but come back with the field's error: it is
  // not asked about first (the question would promise an action that cannot happen). A required group of
  // radios counts as empty while none of it is chosen (an expert's ballot with an applicant left out).
  function missingRequired(form) {
    return Array.prototype.some.call(form.querySelectorAll("[required]"), function (field) {
      if (field.disabled || field.type === "checkbox") { return false; }
      if (field.type === "radio") {
        return !Array.prototype.some.call(form.elements, function (other) {
          return other.type === "radio" && other.name === field.name && other.checked;
        });
      }
      return typeof field.value === "string" && field.value.trim() === "";
    });
  }
  // A choice may ask too: a ticked radio or checkbox with data-confirm (upholding an objection ends the
  // application; dismissing it does not), between the button's question and the form's.
  // A button marked data-confirm-choice asks the question of the option chosen in the select it names (the
  // queue's bulk bar: the action chosen and how many rows are ticked): the option's data-question with
  // {count} as the number of rows ticked for the form (checkboxes named ids), data-question-one for one.
  function chosenQuestion(form, submitter) {
    var select = submitter && submitter.dataset && submitter.dataset.confirmChoice &&
      document.getElementById(submitter.dataset.confirmChoice);
    var option = select && select.options[select.selectedIndex];
    if (!form || !option || !option.dataset.question) { return ""; }
    var ticked = Array.prototype.filter.call(form.elements, function (field) {
      return field.name === "ids" && field.checked;
    }).length;
    if (ticked === 1 && option.dataset.questionOne) { return option.dataset.questionOne; }
    return option.dataset.question.split("{count}").join(String(ticked));
  }
  function confirmation(form, submitter) {
    if (form && missingRequired(form)) { return ""; }
    var chosen = form && form.querySelector("input[data-confirm]:checked");
    return chosenQuestion(form, submitter) || (submitter && submitter.dataset && submitter.dataset.confirm) ||
      (chosen && chosen.dataset.confirm) || (form && form.dataset.confirm) || "";
  }
  // A field changed since the page (or the last save) rendered it: what a save would send differs from
  // what the server holds.
  function changed(field) {
    if (!field.name || field.disabled || !/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName) ||
        /^(hidden|submit|button|reset|image|file)$/.test(field.type)) { return false; }
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      var initial = Array.prototype.findIndex.call(field.options, function (o) { return o.defaultSelected; });
      return field.selectedIndex !== Math.max(initial, 0);
    }
    return typeof field.value === "string" && field.value !== field.defaultValue;
  }
  // The application's form (kept in the browser too) and a form marked data-unsaved (an account's
  // correction: nothing of it is kept in the browser, the mobile number being personal data).
  function unsavedForm() {
    return Array.prototype.find.call(document.querySelectorAll("form[data-autosave], form[data-unsaved]"), function (form) {
      return Array.prototype.some.call(form.elements, changed);
    });
  }
  // A button marked data-needs-ticked acts on the rows ticked for its form (checkboxes named ids, in the
  // table, tied to the form by their form attribute): with none ticked it says so at once, in the form's
  // data-ticked-note, instead of asking to confirm and then hearing the same from the server (which still
  // checks). On the click, not the submit: the browser checks the form's required fields (the bar's EXP-03
  // tick) between the two, and the missing rows come first; Enter in the form clicks its first button too.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button[data-needs-ticked]");
    var form = button && button.form;
    var words = button && button.dataset.needsTicked;
    if (!form || !words) { return; }
    var ticked = Array.prototype.some.call(form.elements, function (field) {
      return field.name === "ids" && field.checked;
    });
    var note = form.querySelector("[data-ticked-note]");
    if (ticked) {
      if (note) { note.textContent = ""; }
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (note) { note.textContent = words; } else { window.alert(words); }
  }, true);
  // A row ticked afterwards clears the note (it no longer holds).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "ids" || !box.checked || !box.form) { return; }
    var note = box.form.querySelector("[data-ticked-note]");
    if (note) { note.textContent = ""; }
  });
  // Submitting an application sends what was saved: edits typed since the last 保存草稿 would stay behind
  // in this browser while the form turns read-only. A form marked data-unsaved-confirm asks first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.unsavedConfirm || !unsavedForm()) { return; }
    if (!window.confirm(form.dataset.unsavedConfirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form instanceof HTMLFormElement ? confirmation(form, event.submitter) : "";
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else if (message) {
      form.dataset.confirmed = "1";  // htmx's own confirm step must not ask a second time
    }
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var trigger = event.detail && event.detail.triggeringEvent;
    var message = form ? confirmation(form, trigger && trigger.submitter) : "";
    if (form && message && event.detail.verb === "post") {
      event.preventDefault();
      if (form.dataset.confirmed === "1") {
        delete form.dataset.confirmed;
        event.detail.issueRequest(true);
      } else if (window.confirm(message)) { event.detail.issueRequest(true); }
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) { window.print(); }
  });
  // The hand-off copy helper (issue 23.3): a button copies its field's value; the row shows a tick and
  // the live region says so, so a clerk re-keys nothing (keyboard: Tab to the button, Enter or Space).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent || "";
    var done = function () {
      var row = button.closest("tr");
      if (row) { row.classList.add("copied"); }
      var tick = row && row.querySelector(".copy-tick");
      if (tick) { tick.hidden = false; }
      var status = document.getElementById("copy-status");
      // The words come from the page (data-copied / data-blocked), in the interface's language.
      if (status) { status.textContent = (status.getAttribute("data-copied") || "") + (button.getAttribute("data-label") || ""); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var status = document.getElementById("copy-status");
        if (status) { status.textContent = status.getAttribute("data-blocked") || ""; }
      });
    }
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
    // The bulk bar's choice comes with the list (out of band): not while the reader is choosing in it.
    var bar = document.getElementById("bulk-choice");
    var busy = active && active !== document.body && (poller.contains(active) || (bar && bar.contains(active)));
    if (busy || ticked || Date.now() - lastRowAction < 20000) { event.preventDefault(); }
  });
  // After a swap, move focus to the first error, else the confirmation, so keyboard and screen-reader users
  // land on what happened; after a form they sent with neither, to the swapped region's heading (their
  // focus was on a button that may no longer exist).
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.target;
    // A live field check must never take the focus from the field being typed in.
    if (region.classList && region.classList.contains("check")) { return; }
    if (region.id === "identity-fields") { return; }
    // Nor does a poll refreshing a list under the reader.
    if (region.hasAttribute && region.hasAttribute("data-poll")) { return; }
    var config = event.detail && event.detail.requestConfig;
    var sent = config && config.verb !== "get";
    var focus = region.querySelector("[role=alert]") || region.querySelector("[role=status]");
    if (!focus && sent && region.isConnected) { focus = region.querySelector("h1, h2, h3, legend"); }
    if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus({ preventScroll: false }); }
  });
  // Uploads: a progress bar while the files travel (htmx), and a clear message when they are too big.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var bar = form && form.querySelector("progress.upload-progress");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    var status = form.querySelector("[data-upload-status]");
    if (status) {
      status.textContent = bar.value < 100 ? word("uploading").replace("%(percent)s", bar.value) : word("processing");
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var status = form && form.querySelector("[data-upload-status]");
    if (!status) { return; }
    status.textContent = event.detail.xhr.status === 413
      ? word("too_big")
      : word("upload_failed");
  });
  // The upload form names what the chosen slot already holds (data-slot-files: its files' names and upload
  // times) before another file is sent to it: the chosen slot's note is shown, the others hidden.
  function slotNotes(root) {
    root.querySelectorAll("form select[name=slot]").forEach(function (select) {
      select.form.querySelectorAll("[data-slot-files]").forEach(function (note) {
        note.hidden = note.getAttribute("data-slot-files") !== select.value;
      });
    });
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.name === "slot" && select.form) { slotNotes(select.form); }
  });
  document.addEventListener("DOMContentLoaded", function () { slotNotes(document); });
  document.addEventListener("htmx:afterSwap", function () { slotNotes(document); });
  // Long text fields show how much of their limit is used (issue 17.5); the browser's maxlength stops
  // typing at the limit and the server says so in words too.
  function counter(area) {
    var note = area.nextElementSibling;
    if (!note || !note.classList.contains("counter")) {
      note = document.createElement("small");
      note.className = "counter";
      note.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", note);
    }
    var words = word("counter") || "%(count)s / %(limit)s";
    note.textContent = words.replace("%(count)s", area.value.length).replace("%(limit)s", area.maxLength);
  }
  function counters(root) {
    root.querySelectorAll("textarea[data-counter][maxlength]").forEach(counter);
  }
  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area instanceof HTMLTextAreaElement && area.hasAttribute("data-counter")) { counter(area); }
  });
  document.addEventListener("DOMContentLoaded", function () { counters(document); });
  // A page sent back with a refused form (the server marks it data-refused) opens where the first error
  // is, its field focused: the page itself opens at the top, and on a long page the form is far below.
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.body.hasAttribute("data-refused")) { return; }
    var first = document.querySelector("[aria-invalid=true], .has-error, .error[role=alert]");
    if (!first) { return; }
    // A checkbox field's first input is its hidden companion: the first one a person can use is meant.
    var usable = "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled])";
    var field = first.matches(".has-error") ? first.querySelector(usable) : first;
    var target = field || first;
    // An error inside a folded section (<details>) is opened, else it can be neither seen nor focused.
    for (var fold = target.closest("details"); fold; fold = fold.parentElement && fold.parentElement.closest("details")) {
      fold.open = true;
    }
    if (!target.matches("input, textarea, select")) { target.setAttribute("tabindex", "-1"); }
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
  document.addEventListener("htmx:afterSwap", function (event) { counters(event.target); });
  // The form is also kept in this browser while typing: a session that timed out loses nothing.
  function autosaveKey(form) { return "draft:" + form.dataset.autosave; }
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || !form.dataset.autosave) { return; }
    var values = {};
    new FormData(form).forEach(function (value, name) { if (name !== "csrf_token") { values[name] = value; } });
    try { window.localStorage.setItem(autosaveKey(form), JSON.stringify(values)); } catch (e) { /* private mode */ }
  });
  function restoreDrafts() {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var raw = null;
      try { raw = window.localStorage.getItem(autosaveKey(form)); } catch (e) { return; }
      if (!raw) { return; }
      var values = JSON.parse(raw);
      var restored = false;
      Object.keys(values).forEach(function (name) {
        var field = form.querySelector("[name='" + name + "']:not([type=hidden])");
        if (!field) { return; }
        if (field.type === "checkbox") {
          if (field.checked !== (values[name] === "1")) { field.checked = values[name] === "1"; restored = true; }
        } else if (field.value !== values[name]) { field.value = values[name]; restored = true; }
      });
      if (restored && !form.querySelector(".draft-restored")) {
        var note = document.createElement("p");
        note.className = "notice draft-restored";
        note.textContent = word("draft_restored");
        form.prepend(note);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", restoreDrafts);
  // A successful save clears the browser copy.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.autosave) { form.dataset.submitting = "1"; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.autosave && event.detail.xhr.status === 200) {
      try { window.localStorage.removeItem(autosaveKey(form)); } catch (e) { /* ignore */ }
    }
  });
})();
