// After htmx swaps a step's card in, move focus to its heading so keyboard and screen-reader
// users land on the result instead of at the top of the page.
(function () {
  "use strict";
  // Styles that only make sense when the page can act by itself (a device flow's countdown).
  document.documentElement.classList.add("js");
  // The step to focus travels with its own request (htmx hands the same details object to
  // every event of one request), so a quick second click cannot be focused by the first
  // request's late settle and then lose focus when its own card is swapped in.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const xhr = event.detail.xhr;
    const config = event.detail.requestConfig;
    // A poll the page sent by itself (no triggering event) must not move anyone's focus.
    if (!xhr || !config || !config.triggeringEvent) return;
    const step = event.detail.elt.closest(".step");
    if (step) xhr.handshakeFocus = step.id;
  });
  // htmx leaves an error answer unswapped; without this the button would just come back and
  // the visitor would not know the step never ran. The answer's own heading says why.
  function reportFailure(event, text) {
    const form = event.detail.elt.closest("form");
    if (!form) return;
    let notice = form.querySelector(".step__failure");
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "step__failure";
      notice.setAttribute("role", "alert");
      form.append(notice);
    }
    notice.textContent = text;
  }
  function answerHeading(xhr) {
    const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    const heading = page.querySelector("main h1");
    const detail = heading ? heading.nextElementSibling : null;
    return [heading, detail && detail.tagName === "P" ? detail : null]
      .filter(Boolean)
      .map((node) => node.textContent.trim().replace(/\.$/, ""))
      .join(". ");
  }
  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    const said = answerHeading(xhr);
    reportFailure(
      event,
      "The server answered " + xhr.status + (said ? ": " + said : "") +
        ". This step did not finish; try it again, or reload the page.",
    );
  });
  document.addEventListener("htmx:sendError", function (event) {
    reportFailure(
      event,
      "The request did not reach the server: the network or the server is down. " +
        "Nothing was sent to the org; try again in a moment.",
    );
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr || !xhr.handshakeFocus) return;
    const heading = document.getElementById(xhr.handshakeFocus + "-title");
    xhr.handshakeFocus = null; // settle fires once per swapped element; focus once
    if (heading) heading.focus();
  });
})();
