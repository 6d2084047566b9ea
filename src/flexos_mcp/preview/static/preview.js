// Progressive enhancement only: every page reads and works without this script.
(function () {
  "use strict";
  // A select marked data-autosubmit shows its choice at once (the Show button stays for no-JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // The overlay's opacity follows the slider live, without a reload.
  var slider = document.querySelector("input[data-overlay-opacity]");
  var layer = document.querySelector("[data-overlay-layer]");
  var output = document.getElementById("opacity-value");
  if (slider && layer) {
    slider.addEventListener("input", function () {
      layer.style.opacity = String(Number(slider.value) / 100);
      if (output) output.textContent = slider.value + "%";
    });
  }
})();
