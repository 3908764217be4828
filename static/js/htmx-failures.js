// htmx leaves an error answer unswapped and a dropped connection silent: without this, a
// button would just come back (or a live result stay as it was) and nobody would know the
// request never worked. The notice goes where the element's data-failure-in selector points,
// or at the end of its form; data-failure-advice says what to do there. The next successful
// swap of that place clears it.
(function () {
  "use strict";
  const DEFAULT_ADVICE = "This did not go through; try again, or reload the page.";
  function report(event, what) {
    const element = event.detail.elt;
    const named = element.closest("[data-failure-in]");
    const place = named
      ? document.querySelector(named.getAttribute("data-failure-in"))
      : element.closest("form");
    if (!place) return;
    let notice = place.querySelector(".request-failure");
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "request-failure";
      notice.setAttribute("role", "alert");
      place.append(notice);
    }
    const advice = (named || element).getAttribute("data-failure-advice") || DEFAULT_ADVICE;
    notice.textContent = what + " " + advice;
  }
  // Our error pages say what happened in their heading and the sentence after it.
  function answerSays(xhr) {
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
    const said = answerSays(xhr);
    report(event, "The server answered " + xhr.status + (said ? ": " + said : "") + ".");
  });
  document.addEventListener("htmx:sendError", function (event) {
    report(event, "The request did not reach the server: the network or the server is down.");
  });
})();
