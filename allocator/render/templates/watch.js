window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
document.addEventListener("DOMContentLoaded", function () {
  document.body.setAttribute("data-rendered", "yes");
  document.body.setAttribute("data-errors", String(window.__errors.length));
});
