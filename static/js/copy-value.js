// "Copy" beside a token on a run page: puts the button's value on the clipboard. Without
// JavaScript the button stays hidden (CSS shows it under html.js) and the value is still there
// to select by hand.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () { button.textContent = "Copied"; },
      function () { button.textContent = "Select it to copy"; }
    );
  });
})();
