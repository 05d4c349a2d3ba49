// Apply the remembered or system theme before the first paint (no flash of the wrong theme). A file of its own, not
// an inline script, so the page's Content-Security-Policy can forbid inline scripts.
(function () {
  try {
    var t = localStorage.getItem("faceblur.theme");
    var dark = t === "dark" || (t !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
  } catch (e) {}
})();
