/* Himaya's page behaviour: no dead ends, nothing lost.
 *
 * - A form or button marked data-confirm="<question>" asks before an irreversible step.
 * - A form submitted while the browser is offline is not sent: the page stays, with what
 *   was typed, and a warning says why (data-offline-message on <body>).
 * - A section loaded with htmx inside an element marked data-panel that fails (an HTTP
 *   error, a network error or a timeout) shows an error and a retry button instead of
 *   "loading" forever.
 *
 * The script carries no language: every text comes from data- attributes that the
 * templates translate (on the element, or on <body> as the default).
 */
(function () {
  "use strict";

  var PANEL_TIMEOUT_MS = 30000;

  function text(element, name) {
    var holder = element && element.closest("[data-" + name + "]");
    if (holder) {
      return holder.getAttribute("data-" + name);
    }
    return document.body.getAttribute("data-" + name) || "";
  }

  function alertBox(kind, message, testid) {
    var box = document.createElement("div");
    box.className = "alert alert-" + kind;
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", testid);
    box.textContent = message;
    return box;
  }

  /* --- offline ------------------------------------------------------------------------ */

  function warnOffline(form) {
    var previous = form.querySelector("[data-testid=offline-warning]");
    if (previous) {
      previous.remove();
    }
    var box = alertBox("warning", text(form, "offline-message"), "offline-warning");
    form.insertBefore(box, form.firstChild);
    box.scrollIntoView({ block: "nearest" });
  }

  function clearOffline(form) {
    var previous = form && form.querySelector("[data-testid=offline-warning]");
    if (previous) {
      previous.remove();
    }
  }

  /* --- confirmation and offline submits (capture: before htmx sees the submit) --------- */

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var submitter = event.submitter;
      var question =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (!navigator.onLine) {
        event.preventDefault();
        event.stopImmediatePropagation();
        warnOffline(form);
        return;
      }
      clearOffline(form);
    },
    true
  );

  document.addEventListener(
    "click",
    function (event) {
      // Links, and elements that send an htmx request on a click (forms ask on submit).
      var link =
        event.target instanceof Element &&
        event.target.closest(
          "a[data-confirm], [data-confirm][hx-post]:not(form), [data-confirm][hx-delete]:not(form)"
        );
      if (link && !window.confirm(link.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* --- htmx: panels that fail, forms whose request could not be sent ------------------- */

  function panelOf(element) {
    return element instanceof Element ? element.closest("[data-panel]") : null;
  }

  function retry(target, url) {
    target.replaceChildren();
    var loading = document.createElement("span");
    loading.className = "text-body-secondary";
    loading.textContent = text(target, "loading-message");
    target.appendChild(loading);
    window.htmx.ajax("GET", url, { source: target, target: target, swap: "innerHTML" });
  }

  function showPanelError(element, kind) {
    var url = element.getAttribute("hx-get");
    if (!url) {
      return;
    }
    var message =
      kind === "offline" ? text(element, "offline-panel-message") : text(element, "panel-error");
    var box = alertBox("warning", message, "panel-error");
    box.classList.add("d-flex", "flex-wrap", "gap-2", "align-items-center", "mb-0");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary ms-auto";
    button.setAttribute("data-testid", "panel-retry");
    button.textContent = text(element, "retry-label");
    button.addEventListener("click", function () {
      retry(element, url);
    });
    box.appendChild(button);
    element.replaceChildren(box);
  }

  function failed(kind) {
    return function (event) {
      var element = event.detail && event.detail.elt;
      if (!(element instanceof Element)) {
        return;
      }
      if (panelOf(element)) {
        showPanelError(element, kind);
        return;
      }
      var form = element instanceof HTMLFormElement ? element : element.closest("form");
      if (form && kind !== "response") {
        warnOffline(form);
      }
    };
  }

  document.addEventListener("htmx:responseError", failed("response"));
  document.addEventListener("htmx:sendError", failed("offline"));
  document.addEventListener("htmx:timeout", failed("offline"));

  document.addEventListener("htmx:beforeSend", function (event) {
    var element = event.detail && event.detail.elt;
    var xhr = event.detail && event.detail.xhr;
    if (xhr && panelOf(element) && !xhr.timeout) {
      xhr.timeout = PANEL_TIMEOUT_MS;
    }
  });
})();
