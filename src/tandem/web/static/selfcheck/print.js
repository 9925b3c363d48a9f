// The "Print this page" button on the self-check result (no inline handlers: CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
