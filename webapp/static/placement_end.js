/* 单位注销安置登记 (templates/placement_end/index.html): 安置人员 only for 安置人员注销, and
 * the 注销原因 of the chosen 注销范围 only. Without this script every field and reason stays
 * visible (the server checks that the reason fits the scope), so the form works with
 * scripts off too. */
(function () {
  "use strict";

  function sync(form) {
    var checked = form.querySelector("input[data-end-scope]:checked");
    var scope = checked ? checked.value : "";
    form.querySelectorAll("[data-end-for]").forEach(function (box) {
      var shown = box.getAttribute("data-end-for") === scope;
      box.hidden = !shown;
      box.querySelectorAll("input, select").forEach(function (input) {
        input.disabled = !shown;
        if (shown) { input.setAttribute("aria-required", "true"); }
      });
    });
    form.querySelectorAll("optgroup[data-end-group]").forEach(function (group) {
      var off = scope !== "" && group.getAttribute("data-end-group") !== scope;
      group.hidden = off;
      group.disabled = off;
      var select = group.parentElement;
      if (off && select.selectedOptions.length && select.selectedOptions[0].parentElement === group) {
        select.value = "";
      }
    });
  }

  document.querySelectorAll("form.end-form").forEach(function (form) {
    var radios = form.querySelectorAll("input[data-end-scope]");
    if (!radios.length) { return; }
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () { sync(form); });
    });
    sync(form);
  });
})();
