/* 安置登记向导: 身份证号自动获取、户籍地三级联动、核验进度刷新、安置月数确认。 */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); });
  }

  /* ---- 户籍地 province / city / county pickers ---- */
  function fillSelect(select, items, value) {
    select.innerHTML = '<option value="">请选择</option>';
    items.forEach(function (it) {
      var o = document.createElement("option");
      o.value = it.code; o.textContent = it.name;
      if (value && value === it.code) { o.selected = true; }
      select.appendChild(o);
    });
    select.disabled = items.length === 0;
  }

  function initPicker(box) {
    var selects = box.querySelectorAll("select.region-level");
    var hidden = box.querySelector('input[type="hidden"]');
    var initial = hidden.value || "";
    var path = initial ? [initial.slice(0, 2) + "0000", initial.slice(0, 4) + "00", initial] : [];
    function load(level, parent) {
      var url = "/api/v1/regions" + (parent ? "?parent=" + encodeURIComponent(parent) : "");
      return getJSON(url).then(function (res) {
        var items = (res.body && (res.body.regions || res.body.items || res.body)) || [];
        if (!Array.isArray(items)) { items = []; }
        fillSelect(selects[level], items, path[level]);
        for (var i = level + 1; i < selects.length; i++) { fillSelect(selects[i], [], null); }
        return items;
      });
    }
    function update() {
      var chosen = "";
      selects.forEach(function (s) { if (s.value) { chosen = s.value; } });
      hidden.value = chosen;
    }
    selects.forEach(function (s, level) {
      s.addEventListener("change", function () {
        path = [];
        if (s.value && level + 1 < selects.length) { load(level + 1, s.value).then(update); } else { update(); }
        update();
      });
    });
    load(0, null).then(function () {
      if (path[0]) { return load(1, path[0]); }
    }).then(function () {
      if (path[1] && path[2] !== path[1]) { return load(2, path[1]); }
    }).then(update);
  }
  document.querySelectorAll(".region-picker").forEach(initPicker);

  /* ---- 身份证号 autofill from the 残疾人证 registry ---- */
  var idInput = document.querySelector('[data-autofill="person"]');
  var hint = document.getElementById("autofill-hint");
  if (idInput && !idInput.readOnly) {
    idInput.addEventListener("change", function () {
      var v = idInput.value.trim().toUpperCase();
      if (v.length !== 18) { return; }
      hint.textContent = "正在获取残疾人信息……";
      getJSON("/api/v1/registry/persons/" + encodeURIComponent(v)).then(function (res) {
        if (!res.ok) {
          hint.textContent = (res.body && res.body.error) || "未能获取残疾人信息，请手动填写带*的内容";
          return;
        }
        var p = res.body;
        function set(name, value) { var el = document.querySelector('[name="' + name + '"]'); if (el && value && !el.value) { el.value = value; } }
        set("name", p.name); set("phone", p.phone); set("household_address", p.household_address);
        document.getElementById("f-sex").value = p.sex || "";
        document.getElementById("f-age").value = p.age != null ? p.age : "";
        if (p.household_region) {
          var box = document.querySelector('.region-picker[data-name="household_region"]');
          if (box) { box.querySelector('input[type="hidden"]').value = p.household_region; initPicker(box); }
        }
        /* The registry gives contact details only for people this unit has placed before
           (scope "placed"); for a new person they are typed in. */
        var typeIn = p.scope === "autofill" ? "联系电话、户籍地和户籍地址请手动填写。" : "";
        hint.textContent = p.found ? "已从残疾人证信息库获取该人员信息，请核对。" + typeIn : "残疾人证信息库中未找到该人员，请手动填写带*的内容，并在残疾证管理中添加证件。";
      });
    });
  }

  /* ---- 自动核验进度: refresh until the grid is there ---- */
  var progress = document.querySelector("[data-refresh]");
  if (progress) { setTimeout(function () { window.location.reload(); }, 2500); }

  /* ---- ticked months survive a material upload ----
     Each upload is its own form and reloads the page; the months ticked so far are kept
     in this tab's sessionStorage (per person) and ticked again after the reload, until
     the months form itself is submitted. */
  var monthsForm = document.getElementById("months-form");
  if (monthsForm) {
    var key = "quotacert:months:" + window.location.pathname;
    var boxes = monthsForm.querySelectorAll('input[name="months"][type="checkbox"]:not([disabled])');
    var saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (Array.isArray(saved)) {
      boxes.forEach(function (box) { box.checked = saved.indexOf(box.value) !== -1; });
    }
    var remember = function () {
      var ticked = [];
      boxes.forEach(function (box) { if (box.checked) { ticked.push(box.value); } });
      try { window.sessionStorage.setItem(key, JSON.stringify(ticked)); } catch (e) { /* storage off: nothing kept */ }
    };
    boxes.forEach(function (box) { box.addEventListener("change", remember); });
    monthsForm.addEventListener("submit", function () {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    });
  }

  /* ---- 该人员安置月数为N个月，是否确认并保存？ ---- */
  var confirmButton = document.querySelector("[data-confirm-months]");
  if (confirmButton) {
    confirmButton.addEventListener("click", function (ev) {
      var form = document.getElementById("months-form");
      var n = form.querySelectorAll('input[name="months"][type="checkbox"]:checked, input[name="months"][type="hidden"]').length;
      if (!window.confirm("该人员安置月数为" + n + "个月，是否确认并保存？")) { ev.preventDefault(); }
    });
  }
})();
