/* 流程管理 · 版本比较: the two versions drawn side by side (bpmn-js NavigatedViewer, loaded
 * before this file from /vendor/bpmn-js/), with what changed marked on the canvas.
 *   [data-diff-viewer="old"|"new"]  draws the XML at data-xml-url
 *   [data-diff-element][data-diff-status]  one line of the server's list (added / removed /
 *       changed): the markers come from these lines, so the page needs no inline script
 *       or JSON (the CSP allows neither). Added elements are marked on the new diagram
 *       ("diff-added"), removed ones on the old ("diff-removed"), changed ones on both
 *       ("diff-changed"); the colours are in process_diff.css.
 *   a click on a line selects the element on each diagram that has it and scrolls to it;
 *   [data-diff-fit] fits both diagrams to their boxes.
 */
(function () {
  "use strict";

  var SIDES = { added: ["new"], removed: ["old"], changed: ["old", "new"] };

  function setStatus(box, text, isError) {
    var status = box.parentNode.querySelector("[data-diff-status]");
    if (!status) { return; }
    status.textContent = text || "";
    status.hidden = !text;
    status.classList.toggle("error", !!isError);
  }

  function loadXml(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/xml" } }).then(function (response) {
      if (!response.ok) { throw new Error("读取流程图失败（" + response.status + "）"); }
      return response.text();
    });
  }

  function lines() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-diff-element]"));
  }

  /* The shape of an element id: the element itself, or the pool of a named process. */
  function shapeFor(viewer, id) {
    var registry = viewer.get("elementRegistry");
    var element = registry.get(id);
    if (element) { return element; }
    return registry.filter(function (el) {
      var bo = el.businessObject;
      return el.type === "bpmn:Participant" && bo && bo.processRef && bo.processRef.id === id;
    })[0] || null;
  }

  function mark(viewer, side) {
    var canvas = viewer.get("canvas");
    var count = 0;
    lines().forEach(function (line) {
      var status = line.getAttribute("data-diff-status");
      if ((SIDES[status] || []).indexOf(side) < 0) { return; }
      var element = shapeFor(viewer, line.getAttribute("data-diff-element"));
      if (!element) { return; }
      canvas.addMarker(element, "diff-" + status);
      if (element.type === "bpmn:Lane" || element.type === "bpmn:Participant") {
        canvas.addMarker(element, "diff-container");
      }
      count += 1;
    });
    return count;
  }

  function fit(viewer) {
    viewer.get("canvas").zoom("fit-viewport", "auto");
  }

  /* Show an element at its natural size in the middle of the box (a fitted wide diagram
     is too small to read). A connection is centred on the middle of its bounding box. */
  function centre(canvas, element) {
    var outer = canvas.viewbox().outer;
    var box = element.waypoints ? bounds(element.waypoints) : element;
    canvas.viewbox({
      x: box.x + box.width / 2 - outer.width / 2,
      y: box.y + box.height / 2 - outer.height / 2,
      width: outer.width,
      height: outer.height
    });
  }

  function bounds(points) {
    var xs = points.map(function (p) { return p.x; });
    var ys = points.map(function (p) { return p.y; });
    var x = Math.min.apply(null, xs);
    var y = Math.min.apply(null, ys);
    return { x: x, y: y, width: Math.max.apply(null, xs) - x, height: Math.max.apply(null, ys) - y };
  }

  function focus(viewers, id) {
    Object.keys(viewers).forEach(function (side) {
      var viewer = viewers[side];
      var element = shapeFor(viewer, id);
      var selection = viewer.get("selection");
      if (!element) { selection.select([]); return; }
      selection.select(element);
      centre(viewer.get("canvas"), element);
    });
  }

  function ready() {
    var boxes = document.querySelectorAll("[data-diff-viewer]");
    if (!boxes.length) { return; }
    var viewers = {};
    window.bpmnDiffViewers = viewers; // for tests and the browser console
    boxes.forEach(function (box) {
      if (typeof window.BpmnJS !== "function") {
        setStatus(box, "流程图组件未能加载（请联系系统管理员运行 scripts/install 安装 bpmn-js）。", true);
        return;
      }
      var side = box.getAttribute("data-diff-viewer");
      var viewer = new window.BpmnJS({ container: box });
      viewers[side] = viewer;
      loadXml(box.getAttribute("data-xml-url")).then(function (xml) {
        return viewer.importXML(xml);
      }).then(function () {
        fit(viewer);
        mark(viewer, side);
        box.setAttribute("data-diff-ready", "true");
        setStatus(box, "");
      }).catch(function (error) {
        setStatus(box, "流程图无法显示：" + (error && error.message ? error.message : error), true);
      });
    });
    lines().forEach(function (line) {
      var button = line.querySelector(".diff-line");
      if (!button) { return; }
      button.addEventListener("click", function () {
        lines().forEach(function (other) { other.classList.toggle("current", other === line); });
        focus(viewers, line.getAttribute("data-diff-element"));
      });
    });
    document.querySelectorAll("[data-diff-fit]").forEach(function (button) {
      button.addEventListener("click", function () {
        Object.keys(viewers).forEach(function (side) { fit(viewers[side]); });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
