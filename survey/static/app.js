/* Kartläggning: small enhancements on top of pages that work without JavaScript.
   - the error summary gets focus, so keyboard and screen-reader users land on it;
   - long texts show how many characters are left;
   - a section form saves itself a few seconds after typing stops;
   - a warning with a button to continue appears before the session ends (WCAG 2.2.1);
   - a background job's page updates its progress in place (without JavaScript the page reloads itself). */
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  var locale = document.documentElement.lang === "en" ? "en-GB" : "sv-SE";

  function characterCounters() {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var field = document.getElementById(counter.getAttribute("data-counter-for"));
      var max = parseInt(field.getAttribute("data-max-length"), 10);
      function update() {
        // Characters as the server counts them: code points, a line break as one.
        var left = max - Array.from(field.value).length;
        counter.textContent = left >= 0
          ? counter.getAttribute("data-template").replace("{left}", left.toLocaleString(locale))
          : counter.getAttribute("data-template-over").replace("{over}", (-left).toLocaleString(locale));
        counter.classList.toggle("few-left", left >= 0 && left < max / 10);
        counter.classList.toggle("over", left < 0);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  var session = (function () {
    var dialog = document.getElementById("session-warning");
    if (!dialog || !csrfMeta) { return { touch: function () {} }; }
    var idle = parseInt(dialog.getAttribute("data-idle-seconds"), 10);
    var warnBefore = Math.min(300, Math.floor(idle / 4));
    var warnTimer, endTimer;
    function touch() {
      clearTimeout(warnTimer); clearTimeout(endTimer);
      // A save (autosave too) has just kept the session alive: a warning on screen no longer holds.
      if (dialog.open && !dialog.querySelector("[data-state=warning]").hidden) { dialog.close(); }
      warnTimer = setTimeout(warn, (idle - warnBefore) * 1000);
      endTimer = setTimeout(ended, idle * 1000);
    }
    function warn() {
      dialog.querySelector("[data-state=warning]").hidden = false;
      dialog.querySelector("[data-state=ended]").hidden = true;
      if (!dialog.open) { dialog.showModal(); }
    }
    function ended() {
      dialog.querySelector("[data-state=warning]").hidden = true;
      dialog.querySelector("[data-state=ended]").hidden = false;
      if (!dialog.open) { dialog.showModal(); }
    }
    dialog.querySelector("[data-extend]").addEventListener("click", function () {
      fetch(dialog.getAttribute("data-extend-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfMeta.content, "Accept": "application/json" }
      }).then(function (response) {
        if (response.ok) { dialog.close(); touch(); } else { ended(); }
      }, ended);
    });
    dialog.querySelectorAll("[data-close]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
    touch();
    return { touch: touch };
  })();

  function autosave() {
    var form = document.querySelector("form[data-autosave]");
    if (!form) { return; }
    var status = document.getElementById("autosave-status");
    var delay = 3000, timer = null, inFlight = false, pending = false, dirty = false, held = null;

    function say(text, kind) {
      status.textContent = text;
      status.className = "autosave-status " + (kind || "");
    }
    function schedule() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, delay);
    }
    function save() {
      if (inFlight) { pending = true; return; }
      inFlight = true;
      var data = new FormData(form);
      data.set("action", "autosave");
      say(form.getAttribute("data-msg-saving"));
      fetch(form.getAttribute("action") || window.location.pathname, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (!json) { throw new Error("session"); }
        return response.json();
      }).then(function (reply) {
        if (reply.version !== undefined) { form.elements.version.value = reply.version; }
        if (reply.base !== undefined) { form.elements.base.value = reply.base; }
        say(reply.message, reply.ok ? "ok" : "problem");
        // Saved, but a field the server refused (too long, not a date …) is not: keep asking before leaving.
        var refused = reply.errors && Object.keys(reply.errors).length > 0;
        if (reply.ok) { dirty = refused; session.touch(); }
      }).catch(function (error) {
        say(form.getAttribute(error.message === "session" ? "data-msg-session" : "data-msg-failed"), "problem");
      }).then(function () {
        inFlight = false;
        if (held) {
          // A button was pressed while this autosave was on its way: post it now, with the version the
          // autosave made, so the server does not take our own autosave for a colleague's edit.
          var button = held.button;
          held = null;
          pending = false;
          if (form.requestSubmit) { form.requestSubmit(button); } else if (button) { button.click(); } else { form.submit(); }
        } else if (pending) { pending = false; save(); }
      });
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (event) {
      clearTimeout(timer);
      dirty = false;
      if (inFlight) { event.preventDefault(); held = { button: event.submitter || null }; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function jobProgress() {
    var box = document.querySelector("[data-job-progress]");
    if (!box) { return; }
    var bar = box.querySelector("[data-job-bar]");
    var label = box.querySelector("[data-job-label]");
    var count = box.querySelector("[data-job-count]");
    function poll() {
      fetch(box.getAttribute("data-job-progress"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          bar.value = job.percent;
          bar.textContent = job.percent + " %";
          label.textContent = job.label;
          if (count) { count.textContent = job.count; }
          // Finished: the whole page, with the file to download or the error, instead of only the bar.
          if (job.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    if (bar.value < 100) { setTimeout(poll, 1500); }
  }

  focusErrorSummary();
  characterCounters();
  autosave();
  jobProgress();
})();
