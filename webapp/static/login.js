/* Login page: the captcha's 换一张 (new image, or a new arithmetic question) without
 * reloading the page. Without JavaScript the 换一张 link reloads the page, which also
 * gives a new captcha. No inline script or handler: the page runs under a strict CSP. */
(function () {
  "use strict";

  function initRenew(link) {
    var img = document.querySelector("img[data-captcha-image]");
    var question = document.querySelector("[data-captcha-question]");
    var input = document.getElementById("captcha");
    var questionUrl = link.getAttribute("data-question-url");
    var imageBase = img ? img.getAttribute("src").split("?")[0] : "";

    function renew(event) {
      if (event) { event.preventDefault(); }
      if (img) {
        img.src = imageBase + "?r=" + Date.now();
      } else if (question && questionUrl) {
        fetch(questionUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
          })
          .then(function (data) { question.textContent = data.question; })
          .catch(function () { window.location.href = link.href; });
      }
      if (input) { input.value = ""; if (event) { input.focus(); } }
    }

    link.addEventListener("click", renew);
    if (img) {
      img.addEventListener("click", renew);
      img.title = "看不清？点击更换";
    }
    // A page shown again from the back/forward cache must not offer a used captcha.
    window.addEventListener("pageshow", function (event) { if (event.persisted) { renew(); } });
  }

  function ready() {
    document.querySelectorAll("[data-captcha-renew]").forEach(initRenew);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
