// Starts Swagger UI on the API description: every operation expanded with its request and
// response examples, operation ids shown, no "Try it out", and no request to any other host.
//
// The description comes from `openapi.yaml` next to this page, or from `openapi.js` when the
// page is opened from disk (browsers do not let such a page fetch another file, but they do
// run its scripts): that file sets `window.DATAARTS_OPENAPI`.
"use strict";
(function () {
  var options = {
    dom_id: "#swagger-ui",
    docExpansion: "full",
    displayOperationId: true,
    deepLinking: true,
    validatorUrl: null,
    supportedSubmitMethods: [],
  };
  if (window.DATAARTS_OPENAPI) {
    options.spec = window.DATAARTS_OPENAPI;
  } else {
    options.url = "openapi.yaml";
  }
  window.ui = SwaggerUIBundle(options);
})();
