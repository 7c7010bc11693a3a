// Track Progress: tick everyone on the page at once, and say how many are ticked. The
// page works without it: each person's box can be ticked on its own.
(function () {
  "use strict";

  function setUp() {
    var form = document.getElementById("bulk");
    if (!form) return;
    var all = form.querySelector("[data-tick-all]");
    var counter = form.querySelector("[data-ticked-count]");
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="participant"]'));
    var ticked = form.querySelector('input[name="scope"][value="ticked"]');

    function update() {
      var count = boxes.filter(function (box) { return box.checked; }).length;
      if (counter) {
        counter.hidden = false;
        counter.textContent = "(" + count + ")";
      }
      if (all) {
        all.checked = count > 0 && count === boxes.length;
        all.indeterminate = count > 0 && count < boxes.length;
      }
    }

    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        if (ticked) ticked.checked = true;
        update();
      });
    }
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked && ticked) ticked.checked = true;
        update();
      });
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
