// The certificate editor: merge fields inserted at the cursor, the rule's own fields, and
// a preview that follows what is typed. Without this script the page still works: merge
// fields are typed by hand and "Update preview" redraws the preview.
(function () {
  "use strict";

  var editor = document.querySelector("[data-editor]");
  if (!editor) {
    return;
  }
  var form = editor.querySelector("[data-editor-form]");
  var text = form.querySelector("#id_text");
  var image = editor.querySelector("[data-preview-image]");
  var status = editor.querySelector("[data-preview-status]");
  var previewUrl = editor.getAttribute("data-preview-url");
  var previewFields = ["name", "text", "colour", "layout", "rule", "threshold"];

  // Merge fields: buttons replace the plain list.
  editor.querySelectorAll("[data-insert]").forEach(function (button) {
    button.hidden = false;
    var plain = button.parentNode.querySelector("[data-static-field]");
    if (plain) {
      plain.hidden = true;
    }
    button.addEventListener("click", function () {
      var value = button.getAttribute("data-insert");
      var start = text.selectionStart;
      var end = text.selectionEnd;
      text.focus();
      text.setRangeText(value, start, end, "end");
      text.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // Only the fields of the chosen rule are shown.
  function showRule() {
    var chosen = form.querySelector("[data-rule]:checked");
    editor.querySelectorAll("[data-rule-detail]").forEach(function (detail) {
      detail.hidden = !chosen || detail.getAttribute("data-rule-detail") !== chosen.value;
    });
  }
  form.querySelectorAll("[data-rule]").forEach(function (radio) {
    radio.addEventListener("change", showRule);
  });
  showRule();

  // The preview follows the form, a moment after typing stops.
  var previewButton = form.querySelector("[data-preview-button]");
  if (previewButton) {
    previewButton.hidden = true;
  }
  var timer = null;
  var wanted = image.getAttribute("src");

  function currentUrl() {
    var data = new FormData(form);
    var params = new URLSearchParams();
    previewFields.forEach(function (name) {
      var value = data.get(name);
      params.set(name, value === null ? "" : String(value));
    });
    return previewUrl + "?" + params.toString();
  }

  function refresh() {
    var url = currentUrl();
    if (url === wanted) {
      return;
    }
    wanted = url;
    image.setAttribute("aria-busy", "true");
    image.classList.add("preview__image--loading");
    image.src = url;
  }

  image.addEventListener("load", function () {
    image.removeAttribute("aria-busy");
    image.classList.remove("preview__image--loading");
    status.textContent = "";
  });

  image.addEventListener("error", function () {
    image.removeAttribute("aria-busy");
    image.classList.remove("preview__image--loading");
    var failed = wanted;
    fetch(failed, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? "" : response.text();
      })
      .then(function (message) {
        if (failed === wanted && message) {
          status.textContent = message;
        }
      })
      .catch(function () {
        status.textContent = editor.getAttribute("data-preview-failed") || "";
      });
  });

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 150);
  });
})();
