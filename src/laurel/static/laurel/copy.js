// Copy buttons: an element with data-copy puts its text on the clipboard and says so
// in its status element. Without JavaScript, a copy link is a plain link.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  document.addEventListener("click", function (event) {
    var control = event.target.closest("[data-copy]");
    if (!control) return;
    event.preventDefault();
    navigator.clipboard.writeText(control.dataset.copy).then(function () {
      var status = document.getElementById(control.dataset.copyStatus);
      if (status) status.textContent = control.dataset.copied;
    }, function () {
      if (control.href) window.location.href = control.href;
    });
  });
})();
