// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // On a phone the search page's secondary filters fold away, so the results come into
  // view; they stay open when one of them is in use, and on wider screens.
  var more = document.querySelector("details.more-filters");
  if (more && window.matchMedia("(max-width: 991.98px)").matches) {
    var used = Array.prototype.some.call(
      more.querySelectorAll("input, select"),
      function (field) { return field.type === "checkbox" ? field.checked : field.value; }
    );
    if (!used && !more.querySelector(".is-invalid")) more.open = false;
  }

  if (!navigator.clipboard) return;
  // Copy buttons: the text of the element named by data-copy-target, with a short word on
  // the button and, for screen readers, in the section's .copy-status.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyTarget);
    var status = button.closest("section").querySelector(".copy-status");
    var label = button.textContent;
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.innerText.trim() + "\n").then(function () {
        button.textContent = "Copied";
        if (status) status.textContent = button.dataset.copyDone || "Copied to the clipboard.";
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
