// Gives NHS.UK frontend's components their behaviour: the header's "More" menu, the error summary taking
// focus, and the rest. A module file rather than an inline script, which the Content-Security-Policy refuses.
// The vendored library is an ES module that exports initAll (NHS.UK frontend 10.6.1).
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
