// Warns a signed-in person before their idle session ends, and offers to keep it (web/sessions.py).
//
// layout.jinja renders the warning as a hidden <dialog id="session-timeout"> whose data- attributes say how
// long a session lasts without a request and how long before its end to warn. Every page load, htmx request
// and "Stay signed in" is a request, so each moves the end on. Tabs share the time of the latest one through
// localStorage, so an idle tab does not warn while the person works in another.
(function () {
  "use strict";

  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var LAST_ACTIVITY_KEY = "neighbourhood.lastActivity";
  var idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  var warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  var countdown = dialog.querySelector("[data-countdown]");
  var stayButton = dialog.querySelector("[data-stay-signed-in]");
  var lastActivity = 0;
  var timer = null;
  var focusBefore = null;

  function sharedLastActivity() {
    try {
      return Number(window.localStorage.getItem(LAST_ACTIVITY_KEY)) || 0;
    } catch (error) {
      return 0; // storage blocked: this tab's own time still counts
    }
  }

  function recordActivity() {
    lastActivity = Date.now();
    try {
      window.localStorage.setItem(LAST_ACTIVITY_KEY, String(lastActivity));
    } catch (error) {
      // storage blocked: nothing to share
    }
    check();
  }

  function timeLeft() {
    return Math.max(lastActivity, sharedLastActivity()) + idleMs - Date.now();
  }

  function inWords(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    seconds = seconds % 60;
    var parts = [];
    if (minutes) {
      parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    }
    if (seconds || !minutes) {
      parts.push(seconds + (seconds === 1 ? " second" : " seconds"));
    }
    return parts.join(" ");
  }

  function showWarning(left) {
    countdown.textContent = inWords(left);
    if (!dialog.open) {
      focusBefore = document.activeElement;
      dialog.showModal(); // moves focus into the dialog, onto "Stay signed in"
      stayButton.focus();
    }
  }

  function hideWarning() {
    if (dialog.open) {
      dialog.close();
      if (focusBefore && typeof focusBefore.focus === "function") {
        focusBefore.focus();
      }
    }
  }

  function goToSignIn() {
    var next = window.location.pathname + window.location.search;
    var query = "?next=" + encodeURIComponent(next).replace(/%2F/g, "/"); // as Django writes it
    window.location.assign(dialog.dataset.signInUrl + query);
  }

  function check() {
    window.clearTimeout(timer);
    var left = timeLeft();
    if (left <= 0) {
      goToSignIn();
    } else if (left <= warningMs) {
      showWarning(left);
      timer = window.setTimeout(check, Math.min(1000, left));
    } else {
      hideWarning();
      timer = window.setTimeout(check, left - warningMs);
    }
  }

  function staySignedIn() {
    window
      .fetch(dialog.dataset.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual", // a signed-out session is sent to sign in: not a 204
        headers: { "X-CSRFToken": dialog.dataset.csrfToken },
      })
      .then(function (response) {
        if (response.status === 204) {
          recordActivity();
        } else {
          goToSignIn();
        }
      })
      .catch(function () {
        // offline for now: the warning stays, and the person can try again
      });
  }

  stayButton.addEventListener("click", staySignedIn);
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault(); // Escape: the person is here, so keep the session rather than just hide this
    staySignedIn();
  });
  document.addEventListener("htmx:afterRequest", recordActivity);
  window.addEventListener("storage", function (event) {
    if (event.key === LAST_ACTIVITY_KEY) {
      check();
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      check(); // back from the browser's page cache: the time may have passed
    }
  });

  recordActivity();
})();
