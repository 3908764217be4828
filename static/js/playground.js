// After htmx swaps a step's card in, move focus to its heading so keyboard and screen-reader
// users land on the result instead of at the top of the page.
(function () {
  "use strict";
  let pending = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
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
