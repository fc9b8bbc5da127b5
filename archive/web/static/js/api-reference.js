// The API page: Swagger UI (vendored from npm by scripts/site_assets.sh) renders the archive's own OpenAPI document.
// No validator badge (it would call validator.swagger.io): nothing on this page leaves the archive's host.
(function () {
  "use strict";
  var node = document.getElementById("api-reference");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-openapi"),
    domNode: node,
    validatorUrl: null,
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    supportedSubmitMethods: ["get"],
    syntaxHighlight: false  // its colours on dark grey fall short of the contrast the site keeps
  });
})();
