// The printable pages' "Print" button (the day's list, a visit's pass): with JavaScript it opens the browser's print
// dialogue; without, it stays hidden and the browser's own menu prints the page.
for (const button of document.querySelectorAll('[data-print-button]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
