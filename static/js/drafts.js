/*
 * Nothing typed is lost (accounts/drafts.py). On every form holding the hidden `_draft_owner`
 * field, what the user types is posted to the draft endpoint: a moment after they stop typing,
 * and at once when a field loses focus, a choice changes or the page is hidden. A form too large
 * to be sent is held back before it leaves, with the sizes said. Without this script the form
 * still works: the server keeps what a post brings after the session ended or over the limit.
 */
(function () {
  "use strict";

  // After the last keystroke, before a draft is saved: the server says how long
  // (data-pause-ms, SHIMTEO_DRAFT_PAUSE_MS), so that the browser tests need not wait 1.5 s.
  var PAUSE_MS = 1500;
  var TEXT_FIELDS = "textarea, input[type=text], input:not([type])";

  function values(form) {
    // The form's fields as the browser would send them, without files.
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") {
        body.append(name, value);
      }
    });
    return body;
  }

  function hasText(form) {
    return Array.prototype.some.call(form.querySelectorAll(TEXT_FIELDS), function (field) {
      return field.value.trim() !== "";
    });
  }

  function byteSize(body) {
    return new Blob([body.toString()]).size;
  }

  function sizeText(bytes) {
    // As accounts.drafts.byte_size_text writes the limit it is compared with.
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    }
    return Math.max(Math.floor(bytes / 1024), 1) + " kB";
  }

  function keepDrafts(form, status) {
    var limit = parseInt(status.dataset.limit, 10);
    var pause = parseInt(status.dataset.pauseMs, 10) || PAUSE_MS;
    var timer = null;
    var changed = false;
    var sending = false;
    var pending = null;

    function say(text, alarm) {
      status.textContent = text;
      status.classList.toggle("error", Boolean(alarm));
      status.setAttribute("role", alarm ? "alert" : "status");
    }

    function tooLarge(body) {
      var size = byteSize(body);
      if (size <= limit) {
        return false;
      }
      say(status.dataset.tooLarge.replace("{size}", sizeText(size)), true);
      return true;
    }

    function draftBody() {
      var body = values(form);
      if (!hasText(form)) {
        // Everything typed was deleted: the draft goes too.
        body.append("_draft_empty", "1");
      }
      return body;
    }

    function save() {
      window.clearTimeout(timer);
      timer = null;
      if (!changed || sending) {
        return;
      }
      var body = draftBody();
      if (tooLarge(body)) {
        return;
      }
      changed = false;
      pending = window
        .fetch(status.dataset.saveUrl, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          redirect: "manual",
        })
        .then(function (response) {
          if (response.status === 200) {
            // The time as the server kept it, in the user's zone: not this device's clock.
            return response.json().then(function (answer) {
              say(answer.saved_at ? status.dataset.saved + " " + answer.saved_at : "", false);
            });
          } else if (response.type === "opaqueredirect") {
            // Signed out meanwhile: the server kept it for this user and asks them to sign in.
            say(status.dataset.ended, true);
          } else {
            changed = true;
            say(status.dataset.failed, true);
          }
        })
        .catch(function () {
          changed = true;
          say(status.dataset.failed, true);
        })
        .then(function () {
          pending = null;
        });
    }

    function later() {
      changed = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, pause);
    }

    function now() {
      changed = true;
      save();
    }

    form.addEventListener("input", later);
    form.addEventListener("change", now);
    form.addEventListener("focusout", function () {
      if (changed) {
        save();
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && changed && !sending) {
        var body = draftBody();
        if (byteSize(body) <= limit) {
          changed = false;
          navigator.sendBeacon(status.dataset.saveUrl, body);
        }
      }
    });
    form.addEventListener("submit", function (event) {
      if (tooLarge(values(form))) {
        event.preventDefault();
        return;
      }
      // The form itself is being saved: no draft may land after it (the save deletes the draft).
      sending = true;
      window.clearTimeout(timer);
      if (pending) {
        event.preventDefault();
        var submitter = event.submitter;
        pending.then(function () {
          form.requestSubmit(submitter);
        });
      }
    });
  }

  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      var status = form.querySelector(".draft-status[data-save-url]");
      if (form.querySelector("input[name=_draft_owner]") && status) {
        keepDrafts(form, status);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
