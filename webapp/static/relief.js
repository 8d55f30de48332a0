/* 缓减免申请 (templates/relief/index.html): show 申请减缴金额 only for 减缴 and 缓缴期限 only
 * for 缓缴. Without this script both fields stay visible (the server ignores the one the
 * chosen kind does not use), so the form works with scripts off too. */
(function () {
  "use strict";

  function sync(form) {
    var checked = form.querySelector("input[data-relief-kind]:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-relief-for]").forEach(function (box) {
      var shown = box.getAttribute("data-relief-for") === kind;
      box.hidden = !shown;
      box.querySelectorAll("input, select").forEach(function (input) {
        input.disabled = !shown;
        if (shown) { input.setAttribute("aria-required", "true"); }
      });
    });
  }

  document.querySelectorAll("form.relief-form").forEach(function (form) {
    form.querySelectorAll("input[data-relief-kind]").forEach(function (radio) {
      radio.addEventListener("change", function () { sync(form); });
    });
    sync(form);
  });
})();
