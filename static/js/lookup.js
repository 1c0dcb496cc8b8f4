// "Fill in the form" without reloading the page. Progressive enhancement only: without
// this file the button posts the form and the server fills the fields in.
(function () {
  "use strict";
  var button = document.getElementById("lookup-button");
  if (!button || !window.fetch) return;
  var form = button.form;
  var status = document.getElementById("lookup-status");
  var fields = ["title", "authors", "year", "venue", "paper_url"];

  // Enter in the id box looks it up (the form's default button would preview the entry).
  form.elements.lookup.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      button.click();
    }
  });

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var body = new FormData();
    body.append("lookup", form.elements.lookup.value);
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    button.disabled = true;
    status.classList.remove("text-danger");
    status.textContent = "Looking it up…";
    fetch(button.dataset.lookupUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        // Over the rate limit, the answer still says why, in its message.
        if (!response.ok && response.status !== 429) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (answer) {
        var filledLink = form.elements.lookup_link;
        var linkFilled = false;
        fields.forEach(function (name) {
          var value = answer.values[name];
          var input = form.elements[name];
          if (value === undefined || !input) return;
          if (name === "paper_url") {
            // Never replace a paper link the contributor typed; one an earlier lookup filled
            // in is replaced (the id was corrected).
            var typed = input.value.trim();
            if (typed && (!filledLink || typed !== filledLink.value.trim())) return;
            if (filledLink) filledLink.value = value;
            linkFilled = true;
          }
          input.value = value;
        });
        status.textContent =
          answer.message + (linkFilled && answer.link_filled ? " " + answer.link_filled : "");
        status.classList.toggle("text-danger", !answer.ok);
        // The paper may be listed already: point at it and at a correction of it.
        var listed = document.getElementById("lookup-listed");
        if (listed) {
          listed.hidden = !answer.listed;
          if (answer.listed) {
            var title = listed.querySelector('[data-listed="title"]');
            title.textContent = answer.listed.title;
            title.href = answer.listed.url;
            listed.querySelector('[data-listed="correct"]').href = answer.listed.correct_url;
          }
        }
        if (answer.ok) form.elements.title.focus();
      })
      .catch(function () {
        status.textContent = "The lookup did not work; please fill in the fields by hand.";
        status.classList.add("text-danger");
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
