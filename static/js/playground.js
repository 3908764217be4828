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
  document.addEventListener("htmx:afterSettle", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr || !xhr.handshakeFocus) return;
    const step = document.getElementById(xhr.handshakeFocus);
    xhr.handshakeFocus = null; // settle fires once per swapped element; focus once
    const fold = step && step.querySelector(".step__fold");
    if (fold && !fold.open) {
      // Presenter view: the step just sent folded to one line, so move on to the step now
      // due, as the redirect's #step-…-title does without JavaScript.
      const due = document.querySelector(".step--next .step__title, .step--waiting .step__title");
      if (due) {
        due.focus({ preventScroll: true });
        due.scrollIntoView({ block: "start" });
        return;
      }
    }
    const heading = step && document.getElementById(step.id + "-title");
    if (heading) heading.focus();
  });
})();
