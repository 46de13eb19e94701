// Enhances the pages where JavaScript runs; everything works without it.
import { initAll } from '/javascripts/govuk-frontend.min.js';

initAll();
