// Enhances the pages where JavaScript runs; everything works without it.
import { initAll } from '/javascripts/govuk-frontend.min.js';

initAll();

// Two minutes before the answers are deleted (20 minutes without a page), say so.
const warning = document.querySelector('[data-timeout-warning]');
if (warning) {
  setTimeout(
    () => {
      warning.hidden = false;
      warning.focus();
    },
    18 * 60 * 1000,
  );
}
