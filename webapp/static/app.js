/* quotacert: small helpers for every page (no framework, no CDN).
 *   apiFetch(url, options)  fetch with the page's CSRF token and JSON conveniences
 *   region cascades          [data-region-cascade] 省/市/区县 selects fed by /api/v1/regions
 *   steppers                 [data-step] −/+ buttons of the 残保金计算器
 *   captcha refresh          [data-captcha-refresh] reloads the image
 *   confirmations            form[data-confirm] asks before submitting
 *   select all               [data-check-all=NAME] ticks every input[name=NAME]
 *   mark all                 [data-mark-all=SELECTOR] button checks every matching radio
 *   bar widths               [data-bar-width=PERCENT] sizes a chart bar
 * Everything is wired here rather than in onsubmit=/onclick=/style= attributes: the pages'
 * Content-Security-Policy allows scripts and styles from our own files only.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /**
   * fetch() for our own API: sends the session cookie and X-CSRFToken, serialises
   * `options.json` as the body, and resolves to {ok, status, body} (body parsed as
   * JSON when possible).
   */
  function apiFetch(url, options) {
    var opts = Object.assign({ credentials: "same-origin" }, options || {});
    var headers = new Headers(opts.headers || {});
    headers.set("X-CSRFToken", csrfToken());
    if (!headers.has("Accept")) { headers.set("Accept", "application/json"); }
    if (opts.json !== undefined) {
      headers.set("Content-Type", "application/json");
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    opts.headers = headers;
    return fetch(url, opts).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var parse = type.indexOf("application/json") >= 0 ? response.json() : response.text();
      return parse.then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }
  window.apiFetch = apiFetch;

  /* ---- 省 / 市 / 区县 cascades rendered by RegionField ---- */
  var LEVEL_PROMPTS = ["请选择省", "请选择市", "请选择区县"];

  function fill(select, items, level) {
    select.innerHTML = "";
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = LEVEL_PROMPTS[level] || "请选择";
    select.appendChild(blank);
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = item.name;
      select.appendChild(option);
    });
    select.disabled = items.length === 0;
  }

  function initCascade(box) {
    var selects = Array.prototype.slice.call(box.querySelectorAll("select.region-level"));
    var api = box.getAttribute("data-api") || "/api/v1/regions";
    selects.forEach(function (select, level) {
      select.addEventListener("change", function () {
        for (var i = level + 1; i < selects.length; i++) { fill(selects[i], [], i); }
        var next = selects[level + 1];
        if (!select.value || !next) { return; }
        next.disabled = true;
        apiFetch(api + "?parent=" + encodeURIComponent(select.value)).then(function (res) {
          fill(next, (res.ok && res.body && res.body.regions) || [], level + 1);
        }).catch(function () { next.disabled = false; });
      });
    });
  }

  /* ---- −/+ steppers ---- */
  function initStepper(button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-target"));
      if (!input) { return; }
      var value = parseInt(input.value, 10);
      if (isNaN(value)) { value = 0; }
      value = Math.max(0, value + parseInt(button.getAttribute("data-step"), 10));
      input.value = String(value);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  /* ---- captcha image ---- */
  function initCaptcha(button) {
    var img = button.querySelector("img[data-captcha]");
    if (!img) { return; }
    var base = img.getAttribute("src").split("?")[0];
    function refresh() { img.src = base + "?r=" + Date.now(); }
    button.addEventListener("click", refresh);
    // A page shown again from the back/forward cache must not reuse a used captcha.
    window.addEventListener("pageshow", function (event) { if (event.persisted) { refresh(); } });
  }

  function ready() {
    document.querySelectorAll("[data-region-cascade]").forEach(initCascade);
    document.querySelectorAll("[data-step]").forEach(initStepper);
    document.querySelectorAll("[data-captcha-refresh]").forEach(initCaptcha);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    document.querySelectorAll("[data-check-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-check-all");
        document.querySelectorAll('input[type="checkbox"]').forEach(function (other) {
          if (other.name === name && !other.disabled) { other.checked = box.checked; }
        });
      });
    });
    document.querySelectorAll("[data-mark-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll(button.getAttribute("data-mark-all")).forEach(function (input) {
          if (!input.disabled) { input.checked = true; }
        });
      });
    });
    // Setting style properties from a script is allowed by style-src 'self' (a style=
    // attribute in the HTML is not).
    document.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      var width = parseFloat(bar.getAttribute("data-bar-width"));
      bar.style.width = (isNaN(width) ? 0 : Math.max(0, Math.min(100, width))) + "%";
    });
    document.querySelectorAll("[data-back]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (window.history.length > 1) { window.history.back(); } else { window.location.href = "/"; }
      });
    });
    var firstError = document.querySelector('[aria-invalid="true"]');
    if (firstError && !document.querySelector("[autofocus]")) { firstError.focus({ preventScroll: false }); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
