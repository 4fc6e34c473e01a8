// Starts Swagger UI on /api/v1/docs from our own static copy of swagger-ui-dist (no CDN).
// The settings (the OpenAPI URL) come from a JSON data block, since the CSP runs no inline script.
const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
// eslint-disable-next-line no-undef
window.ui = SwaggerUIBundle({
  ...settings,
  dom_id: "#swagger-ui",
  // eslint-disable-next-line no-undef
  presets: [SwaggerUIBundle.presets.apis],
});
