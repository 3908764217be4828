// The user-agent flow's callback: read the tokens after "#", show them, erase them from the
// address bar (RFC 9700 §4.3), and hand them to the form. Values are inserted as text only.
(function () {
  "use strict";
  const reader = document.querySelector("[data-fragment-reader]");
  const fragment = window.location.hash.slice(1);
  if (!reader || !fragment) return;

  const secretNames = new Set(["access_token", "refresh_token", "id_token", "code"]);
  const params = new URLSearchParams(fragment);
  const list = reader.querySelector("[data-fragment-params]");
  let count = 0;
  for (const [name, value] of params) {
    count += 1;
    const row = document.createElement("div");
    row.className = "param";
    const term = document.createElement("dt");
    const label = document.createElement("code");
    label.textContent = name;
    term.append(label);
    const detail = document.createElement("dd");
    const shown = document.createElement(secretNames.has(name) ? "mark" : "code");
    if (secretNames.has(name)) {
      shown.className = "secret";
      shown.title = "Secret";
    }
    shown.textContent = value.length > 120 ? value.slice(0, 60) + "… (" + value.length + " characters)" : value;
    detail.append(shown);
    row.append(term, detail);
    list.append(row);
  }
  list.hidden = false;
  reader.querySelector("[data-fragment-input]").value = fragment;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  reader.querySelector("[data-fragment-status]").textContent =
    "Read " + count + " values from the fragment and erased them from the address bar. " +
    "Check them, then hand them to the playground.";
})();
