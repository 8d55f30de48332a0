/* 流程管理: the diagram of a version (bpmn-js NavigatedViewer) and the online editor
 * (bpmn-js Modeler) with 保存为草稿.
 *   [data-bpmn-viewer]   draws the XML at data-xml-url; [data-bpmn-zoom] buttons zoom it
 *   [data-bpmn-modeler]  edits it; [data-bpmn-save] posts {xml, dmn, note} as JSON (with the
 *                        page's CSRF token, app.js apiFetch) to data-save-url: 201 goes to
 *                        the new version's page, 422 lists the problems and marks each
 *                        element on the canvas (marker "has-problem"); a click on a
 *                        problem selects the element and scrolls it into view; a
 *                        problem naming an element of the decision tables opens the
 *                        决策表 tab at its decision (process_dmn.js, window.quotaDmn,
 *                        which also gives the "dmn" sent on save).
 *   data-moddle-url      the SpiffWorkflow extension descriptor (static/spiffworkflow-
 *                        moddle.json) given to the Modeler, so properties, service
 *                        operators and message variables are typed (and kept on save)
 *   data-catalog-url     the pick lists of the properties panel ([data-process-panel],
 *                        static/process_panel.js) for this process and province
 * bpmn-js is loaded before this file from /vendor/bpmn-js/ (our own origin); both of its
 * bundles define window.BpmnJS. No inline script or style: the page's CSP allows neither.
 */
(function () {
  "use strict";

  var MARKER = "has-problem";

  function setStatus(box, text, isError) {
    var card = box.closest(".card");
    var status = box.parentNode.querySelector("[data-bpmn-status]") || (card && card.querySelector("[data-bpmn-status]"));
    if (!status) { return; }
    status.textContent = text || "";
    status.hidden = !text;
    status.classList.toggle("error", !!isError);
  }

  function loadJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error("读取失败（" + response.status + "）"); }
      return response.json();
    });
  }

  function loadXml(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/xml" } }).then(function (response) {
      if (!response.ok) { throw new Error("读取流程图失败（" + response.status + "）"); }
      return response.text();
    });
  }

  function missingLibrary(box) {
    if (typeof window.BpmnJS === "function") { return false; }
    setStatus(box, "流程图组件未能加载（请联系系统管理员运行 scripts/install 安装 bpmn-js）。", true);
    return true;
  }

  function fit(diagram) {
    diagram.get("canvas").zoom("fit-viewport", "auto");
  }

  function wireZoom(diagram) {
    document.querySelectorAll("[data-bpmn-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-bpmn-zoom");
        if (how === "fit") { fit(diagram); return; }
        diagram.get("zoomScroll").stepZoom(how === "in" ? 1 : -1);
      });
    });
  }

  /* ---- 查看: NavigatedViewer ---- */
  function initViewer(box) {
    if (missingLibrary(box)) { return; }
    var viewer = new window.BpmnJS({ container: box });
    loadXml(box.getAttribute("data-xml-url")).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function (result) {
      fit(viewer);
      setStatus(box, (result.warnings || []).length ? "流程图已显示（有 " + result.warnings.length + " 处无法识别的内容被略过）。" : "");
    }).catch(function (error) {
      setStatus(box, "流程图无法显示：" + (error && error.message ? error.message : error), true);
    });
    wireZoom(viewer);
    window.bpmnDiagram = viewer; // for tests and the browser console
  }

  /* ---- 在线编辑: Modeler ---- */
  /* The extension descriptor and the panel's pick lists load with the page; the Modeler
   * needs the descriptor before it reads the diagram. Without either the editor still
   * works (draw, rename, save), only the panel says it is unavailable. */
  function initModeler(box) {
    if (missingLibrary(box)) { return; }
    var panelBox = document.querySelector("[data-process-panel]");
    var moddleUrl = box.getAttribute("data-moddle-url");
    var catalogUrl = box.getAttribute("data-catalog-url");
    var descriptor = moddleUrl ? loadJson(moddleUrl).catch(function () { return null; }) : Promise.resolve(null);
    var catalog = catalogUrl ? loadJson(catalogUrl).catch(function () { return null; }) : Promise.resolve(null);
    descriptor.then(function (spiff) {
      startModeler(box, spiff, catalog, panelBox);
    });
  }

  function panelUnavailable(panelBox, text) {
    if (!panelBox) { return; }
    var body = panelBox.querySelector("[data-process-panel-body]") || panelBox;
    body.textContent = "";
    var p = document.createElement("p");
    p.className = "pp-empty";
    p.textContent = text;
    body.appendChild(p);
  }

  function startModeler(box, spiff, catalogReady, panelBox) {
    var options = { container: box };
    if (spiff) { options.moddleExtensions = { spiffworkflow: spiff }; }
    var modeler = new window.BpmnJS(options);
    var saveButton = document.querySelector("[data-bpmn-save]");
    var noteInput = document.querySelector("[data-draft-note]");
    var dirtyHint = document.querySelector("[data-bpmn-dirty]");
    var problemBox = document.querySelector("[data-bpmn-problems]");
    var marked = [];
    var dirty = false;
    window.bpmnDiagram = modeler; // for tests and the browser console

    function dmnEdited() {
      var dmn = window.quotaDmn;
      return !!(dmn && dmn.edited && dmn.edited());
    }

    function setDirty(value) {
      dirty = value;
      if (dirtyHint) { dirtyHint.hidden = !value; }
    }

    /* The shape a problem names: the element itself, or the pool of a named process. */
    function shapeFor(id) {
      var registry = modeler.get("elementRegistry");
      var element = id ? registry.get(id) : null;
      if (element) { return element; }
      return registry.filter(function (el) {
        var bo = el.businessObject;
        return el.type === "bpmn:Participant" && bo && bo.processRef && bo.processRef.id === id;
      })[0] || null;
    }

    function clearMarkers() {
      var canvas = modeler.get("canvas");
      marked.forEach(function (element) {
        try { canvas.removeMarker(element, MARKER); } catch (ignored) { /* element deleted since */ }
      });
      marked = [];
    }

    /* An element the checker named was edited since: its outline goes, its line in the
     * list says it is checked again on the next save. */
    function problemEdited(elements) {
      var canvas = modeler.get("canvas");
      elements.forEach(function (element) {
        if (marked.indexOf(element) < 0) { return; }
        marked.splice(marked.indexOf(element), 1);
        canvas.removeMarker(element, MARKER);
        problemBox.querySelectorAll(".problem-link").forEach(function (link) {
          var item = link.closest("li");
          if (link.getAttribute("data-element") !== element.id || item.classList.contains("problem-edited")) { return; }
          item.classList.add("problem-edited");
          var note = document.createElement("span");
          note.className = "problem-edited-note";
          note.textContent = "（已修改，保存时重新校验）";
          item.appendChild(note);
        });
      });
    }

    function focusElement(element) {
      var canvas = modeler.get("canvas");
      modeler.get("selection").select(element);
      if (typeof canvas.scrollToElement === "function") {
        canvas.scrollToElement(element, { top: 120, bottom: 120, left: 160, right: 160 });
      }
    }

    function showProblems(problems, title) {
      clearMarkers();
      var list = problemBox.querySelector("ul");
      list.innerHTML = "";
      problemBox.querySelector("[data-bpmn-problems-title]").textContent = title;
      var canvas = modeler.get("canvas");
      problems.forEach(function (problem) {
        var item = document.createElement("li");
        var element = shapeFor(problem.element);
        if (element) {
          canvas.addMarker(element, MARKER);
          marked.push(element);
          var link = document.createElement("button");
          link.type = "button";
          link.className = "link problem-link";
          link.setAttribute("data-element", problem.element);
          var code = document.createElement("code");
          code.className = "element-id";
          code.textContent = problem.element;
          link.appendChild(code);
          link.title = "在图中定位该元素";
          link.addEventListener("click", function () { focusElement(element); });
          item.appendChild(link);
          item.appendChild(document.createTextNode(" "));
        } else if (problem.element && window.quotaDmn && window.quotaDmn.locate(problem.element)) {
          // a problem of the decision tables: opens the 决策表 tab at that decision
          var dmnLink = document.createElement("button");
          dmnLink.type = "button";
          dmnLink.className = "link problem-link problem-dmn";
          dmnLink.setAttribute("data-dmn-element", problem.element);
          var dmnCode = document.createElement("code");
          dmnCode.className = "element-id";
          dmnCode.textContent = problem.element;
          dmnLink.appendChild(dmnCode);
          dmnLink.title = "在决策表中打开";
          dmnLink.addEventListener("click", function () { window.quotaDmn.show(problem.element); });
          item.appendChild(dmnLink);
          item.appendChild(document.createTextNode(" 决策表："));
        } else if (problem.element) {
          var plain = document.createElement("code");
          plain.className = "element-id";
          plain.textContent = problem.element;
          item.appendChild(plain);
          item.appendChild(document.createTextNode(" "));
        }
        item.appendChild(document.createTextNode(problem.message || ""));
        list.appendChild(item);
      });
      problemBox.hidden = problems.length === 0;
      if (problems.length) {
        problemBox.focus();
        var first = marked[0];
        if (first) { focusElement(first); }
      }
    }

    function save() {
      saveButton.disabled = true;
      setStatus(box, "正在校验并保存…");
      var dmn = window.quotaDmn ? window.quotaDmn.getXML() : Promise.resolve("");
      Promise.all([modeler.saveXML({ format: true }), dmn]).then(function (results) {
        return window.apiFetch(box.getAttribute("data-save-url"), {
          method: "POST",
          json: { xml: results[0].xml, dmn: results[1] || "", note: noteInput ? noteInput.value : "" }
        });
      }).then(function (res) {
        if (res.status === 201 && res.body && res.body.url) {
          setDirty(false);
          window.location.href = res.body.url;
          return;
        }
        var body = (res.body && typeof res.body === "object") ? res.body : {};
        var problems = body.problems || [{ element: "", message: "保存失败（" + res.status + "），请刷新页面后重试" }];
        showProblems(problems, body.message ? body.message + "：" : "保存失败：");
        setStatus(box, "");
        saveButton.disabled = false;
      }).catch(function (error) {
        showProblems([{ element: "", message: String(error && error.message ? error.message : error) }], "保存失败：");
        setStatus(box, "");
        saveButton.disabled = false;
      });
    }

    loadXml(box.getAttribute("data-xml-url")).then(function (xml) {
      return modeler.importXML(xml);
    }).then(function (result) {
      fit(modeler);
      // a layout shape of an element no longer in the file is dropped harmlessly; anything
      // else bpmn-js could not read would be lost on save, so the owner is told
      var skipped = (result && result.warnings || []).filter(function (warning) {
        var element = warning.element || (warning.context && warning.context.element);
        var type = element && element.$type;
        return !(type && type.indexOf("bpmndi:") === 0);
      }).length;
      setStatus(box, skipped ? "流程图已打开，但有 " + skipped + " 处无法识别的内容被略过，保存后将丢失，请核对。" : "", !!skipped);
      saveButton.disabled = false;
      modeler.on("commandStack.changed", function () { setDirty(true); });
      if (window.quotaDmn) {
        // an edit of the decision tables is unsaved too; the panel's 决策表 list follows
        window.quotaDmn.onChange(function () {
          if (dmnEdited()) { setDirty(true); }
          if (window.processPanel) { window.processPanel.render(); }
        });
      }
      modeler.on("elements.changed", function (event) { problemEdited(event.elements); });
      return catalogReady.then(function (catalog) {
        if (!panelBox) { return; }
        if (!spiff || !catalog || !window.QuotaProcessPanel) {
          panelUnavailable(panelBox, "属性面板未能加载（请刷新页面重试）；仍可绘图并保存。");
          return;
        }
        window.processPanel = window.QuotaProcessPanel.attach(modeler, panelBox, catalog);
      });
    }).catch(function (error) {
      setStatus(box, "流程图无法打开：" + (error && error.message ? error.message : error), true);
    });

    saveButton.addEventListener("click", save);
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function ready() {
    document.querySelectorAll("[data-bpmn-viewer]").forEach(initViewer);
    document.querySelectorAll("[data-bpmn-modeler]").forEach(initModeler);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
