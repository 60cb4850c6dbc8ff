// The agenda's print button (kept out of the HTML so the page needs no inline script).
document.getElementById("print-button")?.addEventListener("click", () => window.print());
