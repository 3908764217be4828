// After htmx swaps a step's card in, move focus to its heading so keyboard and screen-reader
// users land on the result instead of at the top of the page.
(function () {
  "use strict";
  let pending = null;
  // Styles that only make sense when the page can act by itself (a device flow's countdown).
  document.documentElement.classList.add("js");
  document.addEventListener("htmx:beforeRequest", function (event) {
    // A poll the page sent by itself (no triggering event) must not move anyone's focus.
    const config = event.detail.requestConfig;
    if (config && !config.triggeringEvent) {
      pending = null;
      return;
    }
    const step = event.detail.elt.closest(".step");
    pending = step ? step.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    const heading = document.getElementById(pending + "-title");
    pending = null;
    if (heading) heading.focus();
  });
})();
