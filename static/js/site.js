// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyTarget);
    var status = button.closest("section").querySelector(".copy-status");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.innerText.trim() + "\n").then(function () {
        button.textContent = "Copied";
        if (status) status.textContent = "BibTeX copied to the clipboard.";
        setTimeout(function () { button.textContent = "Copy BibTeX"; }, 2000);
      });
    });
  });
})();
