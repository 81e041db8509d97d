// A "Print" button for pages that offer one: shown only when this script runs, since without it
// the button could do nothing (the browser's own Print still works).
document.querySelectorAll("button[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
