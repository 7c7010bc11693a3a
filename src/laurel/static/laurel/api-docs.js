// Starts swagger-ui on the API's documentation page. A file rather than an inline script,
// so that the page's Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  window.SwaggerUIBundle(settings);
})();
