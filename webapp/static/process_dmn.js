/* 流程管理: the decision tables (DMN 1.3) of a process version, beside its diagram (issue 14).
 *
 * Edit page ([data-dmn-modeler]):
 *   the tab bar [data-editor-tab] switches between 流程图 and 决策表 (WAI-ARIA tabs:
 *   arrow keys, Home/End); the 决策表 panel hosts a dmn-js Modeler loaded from
 *   data-dmn-url (GET /processes/versions/<id>.dmn). A version without decision tables
 *   answers a starter document with the header X-DMN-Starter: 1; it is sent back on
 *   保存为草稿 only when it was edited, so a diagram without business-rule tasks stays
 *   without a DMN document.
 *   [data-dmn-views]  a list of the document's decisions (and its 决策关系图) to open;
 *   [data-dmn-add]    新增决策表 appends a decision with an empty UNIQUE table.
 *   window.quotaDmn   what processes.js (save, problems, dirty flag) and process_panel.js
 *                     (a business-rule task's 决策表 select) use:
 *                     decisions(), outputs(id), show(id), locate(elementId), getXML(),
 *                     onChange(fn), ready (a Promise), modeler.
 * View page ([data-dmn-viewer]): the version's decision tables read-only (dmn-js Viewer).
 *
 * dmn-js is loaded before this file from /vendor/dmn-js/ (our own origin); both bundles
 * define window.DmnJS. Input expressions and entries are Python expressions evaluated by
 * SpiffWorkflow (e.g. `in ("a", "b")`, `>= 3`), not FEEL. No inline script or style.
 */
(function () {
  "use strict";

  var DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/";
  var DMNDI_NS = "https://www.omg.org/spec/DMN/20191111/DMNDI/";
  var DC_NS = "http://www.omg.org/spec/DMN/20180521/DC/";

  /* dmn-js's own words, in Chinese where the owner meets them most */
  var WORDS = {
    "When": "条件", "And": "且", "Then": "结果", "Annotations": "备注", "Annotation": "备注",
    "Hit policy:": "命中策略：", "Hit policy": "命中策略", "Add rule": "添加规则", "Add input": "添加输入",
    "Add output": "添加输出", "Input": "输入", "Output": "输出", "Input label": "输入名称",
    "Input expression": "输入表达式", "Output label": "输出名称", "Output name": "输出变量名",
    "Input label: ": "输入名称：", "Input expression: ": "输入表达式：", "Output label: ": "输出名称：",
    "Output name: ": "输出变量名：", "Decision name": "决策名称", "Decision name: ": "决策名称：",
    "Remove rule": "删除规则", "Add rule above": "在上方添加规则", "Add rule below": "在下方添加规则",
    "Remove input column": "删除输入列", "Remove output column": "删除输出列",
    "Add input column left": "在左侧添加输入列", "Add input column right": "在右侧添加输入列",
    "Add output column left": "在左侧添加输出列", "Add output column right": "在右侧添加输出列",
    "Copy rule": "复制规则", "Cut rule": "剪切规则", "Paste rule above": "粘贴到上方", "Paste rule below": "粘贴到下方",
    "Type": "类型", "Expression language": "表达式语言", "Expression language:": "表达式语言：",
    "View DRD": "查看决策关系图", "Delete": "删除", "Edit": "编辑", "Value": "值", "Values": "取值",
    "Create decision": "新建决策", "Create input data": "新建输入数据", "Element name": "名称",
    "Add cell description": "添加说明", "Remove cell description": "删除说明", "Yes": "是", "No": "否"
  };

  function translate(template, replacements) {
    var text = Object.prototype.hasOwnProperty.call(WORDS, template) ? WORDS[template] : template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_, key) { return key in replacements ? replacements[key] : "{" + key + "}"; });
  }

  var translateModule = { translate: ["value", translate] };

  /* The cell editors (CodeMirror, inside dmn-js) add their base styles as a <style>
   * element in <head>, which style-src 'self' refuses; the same rules are given to the
   * page as a constructed stylesheet (document.adoptedStyleSheets, CSSOM), which CSP
   * allows, and the element itself is not inserted. */
  (function constructedStyles() {
    var head = document.head;
    if (!head || !window.CSSStyleSheet || !("adoptedStyleSheets" in document) || head.__quotacertStyles) { return; }
    head.__quotacertStyles = true;
    var sheets = new WeakMap();
    var insertBefore = head.insertBefore;
    head.insertBefore = function (node, ref) {
      if (!(node instanceof HTMLStyleElement) || node.nonce) { return insertBefore.call(this, node, ref); }
      var sheet = sheets.get(node);
      try {
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheets.set(node, sheet);
          document.adoptedStyleSheets = [sheet].concat(Array.prototype.slice.call(document.adoptedStyleSheets));
        }
        sheet.replaceSync(node.textContent || "");
      } catch (ignored) { /* the editor works unstyled */ }
      return node;
    };
  })();

  /* every view gets the Chinese words (dmn-js's `common.additionalModules` would be
   * replaced by each view's own list) */
  function options(container) {
    var view = { additionalModules: [translateModule] };
    return { container: container, drd: view, decisionTable: view, literalExpression: view, boxedExpression: view };
  }

  /* dmn-js 17 writes the bpmn.io watermark (which stays, as its licence requires) and its
   * lightbox as HTML with style attributes, which the page's CSP (style-src 'self')
   * refuses. bpmn-js 18 sets the same styles through the CSSOM, which CSP allows; this
   * does it for dmn-js: markup naming "bjs-powered-by" is parsed without its style
   * attributes, which are then set as element.style. Nothing else is touched. */
  (function styleWatermarkThroughCssom() {
    var inner = Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML");
    if (!inner || !inner.set || Element.prototype.__quotacertWatermark) { return; }
    Object.defineProperty(Element.prototype, "__quotacertWatermark", { value: true });
    Object.defineProperty(Element.prototype, "innerHTML", {
      configurable: true,
      enumerable: inner.enumerable,
      get: inner.get,
      set: function (html) {
        if (typeof html !== "string" || html.indexOf("bjs-powered-by") < 0 || html.indexOf("style=") < 0) {
          inner.set.call(this, html);
          return;
        }
        var styles = [];
        inner.set.call(this, html.replace(/\sstyle="([^"]*)"/g, function (_, css) {
          styles.push(css);
          return " data-quotacert-style=\"" + (styles.length - 1) + "\"";
        }));
        this.querySelectorAll("[data-quotacert-style]").forEach(function (el) {
          el.style.cssText = styles[Number(el.getAttribute("data-quotacert-style"))] || "";
          el.removeAttribute("data-quotacert-style");
        });
      }
    });
  })();

  function setStatus(box, text, isError) {
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
    box.classList.toggle("error", !!isError);
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/xml" } }).then(function (response) {
      if (!response.ok) { throw new Error("读取决策表失败（" + response.status + "）"); }
      return response.text().then(function (text) {
        return { xml: text, starter: response.headers.get("X-DMN-Starter") === "1" };
      });
    });
  }

  function decisionsOf(definitions) {
    return ((definitions && definitions.drgElement) || []).filter(function (e) { return e.$type === "dmn:Decision"; });
  }

  function viewLabel(view) {
    if (view.type === "drd") { return "决策关系图（全部决策）"; }
    var name = view.element.name || "未命名决策表";
    var kind = view.type === "decisionTable" ? "" : view.type === "literalExpression" ? "（文字表达式）" : "（其他）";
    return name + kind + "（" + view.element.id + "）";
  }

  /** Does `element` (a moddle object) hold an object with this id anywhere below it? */
  function contains(element, id, seen) {
    if (!element || typeof element !== "object") { return false; }
    seen = seen || [];
    if (seen.indexOf(element) >= 0) { return false; }
    seen.push(element);
    if (element.id === id) { return true; }
    return Object.keys(element).some(function (key) {
      if (key.charAt(0) === "$") { return false; }
      var value = element[key];
      if (Array.isArray(value)) { return value.some(function (v) { return contains(v, id, seen); }); }
      return value && typeof value === "object" && value.$type ? contains(value, id, seen) : false;
    });
  }

  /* ---- tabs: 流程图 | 决策表 ---- */
  function initTabs(onShow) {
    var tabs = Array.prototype.slice.call(document.querySelectorAll("[data-editor-tab]"));
    if (!tabs.length) { return function () {}; }
    function select(name, focus) {
      tabs.forEach(function (tab) {
        var on = tab.getAttribute("data-editor-tab") === name;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        tab.classList.toggle("active", on);
        var panel = document.getElementById(tab.getAttribute("aria-controls"));
        if (panel) { panel.hidden = !on; }
        if (on && focus) { tab.focus(); }
      });
      onShow(name);
    }
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { select(tab.getAttribute("data-editor-tab"), false); });
      tab.addEventListener("keydown", function (event) {
        var to = null;
        if (event.key === "ArrowRight") { to = tabs[(index + 1) % tabs.length]; }
        else if (event.key === "ArrowLeft") { to = tabs[(index - 1 + tabs.length) % tabs.length]; }
        else if (event.key === "Home") { to = tabs[0]; }
        else if (event.key === "End") { to = tabs[tabs.length - 1]; }
        if (!to) { return; }
        event.preventDefault();
        select(to.getAttribute("data-editor-tab"), true);
      });
    });
    return select;
  }

  /* ---- 在线编辑: Modeler ---- */
  function initModeler(box) {
    var statusBox = document.querySelector("[data-dmn-status]");
    var viewSelect = document.querySelector("[data-dmn-views]");
    var addButton = document.querySelector("[data-dmn-add]");
    var listeners = [];
    var state = { loaded: false, original: "", starter: false, edited: false };
    var modeler = null;

    function changed() {
      listeners.forEach(function (fn) { try { fn(); } catch (ignored) { /* a listener's own problem */ } });
    }

    function resize() {
      var viewer = modeler && modeler.getActiveViewer();
      if (viewer && modeler.getActiveView().type === "drd") {
        try { viewer.get("canvas").resized(); viewer.get("canvas").zoom("fit-viewport", "auto"); } catch (ignored) { /* not attached */ }
      }
    }

    var selectTab = initTabs(function (name) {
      if (name === "dmn") { resize(); }
      if (name === "bpmn" && window.bpmnDiagram) {
        try { window.bpmnDiagram.get("canvas").resized(); } catch (ignored) { /* not loaded yet */ }
      }
    });

    function renderViews() {
      if (!viewSelect || !modeler) { return; }
      var active = modeler.getActiveView();
      viewSelect.innerHTML = "";
      var views = modeler.getViews();
      views.filter(function (v) { return v.type !== "drd"; }).concat(views.filter(function (v) { return v.type === "drd"; }))
        .forEach(function (view) {
          var item = document.createElement("option");
          item.value = view.element.id;
          item.textContent = viewLabel(view);
          item.selected = !!active && active.element === view.element;
          viewSelect.appendChild(item);
        });
      viewSelect.disabled = !views.length;
    }

    function openId(id) {
      var view = modeler.getViews().filter(function (v) { return v.element.id === id; })[0];
      return view ? modeler.open(view) : Promise.resolve();
    }

    var api = {
      modeler: null,
      ready: null,
      decisions: function () {
        if (!modeler) { return []; }
        return decisionsOf(modeler.getDefinitions()).map(function (d) { return { id: d.id, name: d.name || "" }; });
      },
      outputs: function (id) {
        var decision = modeler ? decisionsOf(modeler.getDefinitions()).filter(function (d) { return d.id === id; })[0] : null;
        var logic = decision && decision.decisionLogic;
        if (!logic) { return []; }
        if (logic.$type === "dmn:DecisionTable") {
          return (logic.output || []).map(function (o) { return o.name || o.label || ""; }).filter(Boolean);
        }
        return decision.variable && decision.variable.name ? [decision.variable.name] : [];
      },
      /** The decision a DMN element id (a decision, rule, input, output, entry…) belongs to. */
      locate: function (id) {
        if (!modeler || !id) { return null; }
        var found = decisionsOf(modeler.getDefinitions()).filter(function (d) { return contains(d, id); })[0];
        return found ? found.id : null;
      },
      show: function (id) {
        selectTab("dmn", false);
        var decision = api.locate(id) || id;
        return openId(decision).then(function () { renderViews(); box.scrollIntoView({ block: "nearest" }); });
      },
      /** What 保存为草稿 sends as "dmn": "" when the version has none and nothing was
       * edited; the stored text as it was when dmn-js could not read it. */
      getXML: function () {
        if (!state.loaded) { return Promise.resolve(state.starter ? "" : state.original); }
        if (state.starter && !state.edited) { return Promise.resolve(""); }
        return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
      },
      onChange: function (fn) { listeners.push(fn); },
      edited: function () { return state.edited; }
    };
    window.quotaDmn = api;

    if (typeof window.DmnJS !== "function") {
      setStatus(statusBox, "决策表组件未能加载（请联系系统管理员运行 scripts/install 安装 dmn-js）。", true);
      api.ready = load(box.getAttribute("data-dmn-url")).then(function (got) {
        state.original = got.xml; state.starter = got.starter;
      }).catch(function () { /* nothing to keep */ });
      return;
    }

    modeler = new window.DmnJS(options(box));
    api.modeler = modeler;
    window.dmnDiagram = modeler; // for tests and the browser console

    modeler.on("viewer.created", function (event) {
      event.viewer.on("commandStack.changed", function (e) {
        if (e && e.trigger === "clear") { return; }
        state.edited = true;
        renderViews(); // a decision renamed in its table's header
        changed();
      });
    });
    modeler.on("views.changed", function () { renderViews(); changed(); });

    if (viewSelect) {
      viewSelect.addEventListener("change", function () { openId(viewSelect.value).then(resize); });
    }

    function importXml(xml, openDecision) {
      return modeler.importXML(xml).then(function (result) {
        state.loaded = true;
        var first = openDecision || (decisionsOf(modeler.getDefinitions())[0] || {}).id;
        return (first ? openId(first) : Promise.resolve()).then(function () { return result; });
      });
    }

    api.ready = load(box.getAttribute("data-dmn-url")).then(function (got) {
      state.original = got.xml;
      state.starter = got.starter;
      return importXml(got.xml).then(function (result) {
        var warnings = (result && result.warnings) || [];
        setStatus(statusBox, warnings.length ? "决策表已打开，但有 " + warnings.length + " 处无法识别的内容被略过，保存后将丢失，请核对。" :
          (got.starter ? "本版本还没有决策表；这是一张空白决策表，修改后随流程图一起保存。" : ""), !!warnings.length);
        if (addButton) { addButton.disabled = false; }
        renderViews();
        changed();
      });
    }).catch(function (error) {
      setStatus(statusBox, "决策表无法打开：" + (error && error.message ? error.message : error) + "（保存时按原样保留）", true);
    });

    if (addButton) {
      addButton.disabled = true;
      addButton.addEventListener("click", function () {
        addDecision(modeler).then(function (id) {
          state.edited = true;
          renderViews();
          changed();
          setStatus(statusBox, "已新增决策表 " + id + "，请填写输入、输出和规则。");
        }).catch(function (error) {
          setStatus(statusBox, "未能新增决策表：" + (error && error.message ? error.message : error), true);
        });
      });
    }

    /* a new decision with an empty UNIQUE table: added to the XML and imported again
     * (the 撤销 history of the tables starts over) */
    function addDecision() {
      return modeler.saveXML({ format: true }).then(function (result) {
        var doc = new DOMParser().parseFromString(result.xml, "application/xml");
        var root = doc.documentElement;
        var ns = root.namespaceURI || DMN_NS;
        var prefix = root.prefix ? root.prefix + ":" : "";
        var n = 1;
        function taken(id) { return !!doc.querySelector("[id='" + id + "']"); }
        while (taken("decision_" + n) || taken("decisionTable_" + n)) { n += 1; }
        var id = "decision_" + n;
        function el(name, attrs, parent, namespace, qualified) {
          var made = doc.createElementNS(namespace || ns, qualified || prefix + name);
          Object.keys(attrs || {}).forEach(function (k) { made.setAttribute(k, attrs[k]); });
          if (parent) { parent.appendChild(made); }
          return made;
        }
        var decision = el("decision", { id: id, name: "决策表" + n });
        var table = el("decisionTable", { id: "decisionTable_" + n, hitPolicy: "UNIQUE" }, decision);
        var input = el("input", { id: "input_" + n + "_1", label: "输入1" }, table);
        var expression = el("inputExpression", { id: "inputExpression_" + n + "_1", typeRef: "string" }, input);
        el("text", {}, expression);
        el("output", { id: "output_" + n + "_1", label: "结果", name: "result", typeRef: "string" }, table);
        var di = root.getElementsByTagNameNS(DMNDI_NS, "DMNDI")[0];
        root.insertBefore(decision, di || null);
        var diagram = di && di.getElementsByTagNameNS(DMNDI_NS, "DMNDiagram")[0];
        if (diagram) {
          var shape = doc.createElementNS(DMNDI_NS, "dmndi:DMNShape");
          shape.setAttribute("id", "DMNShape_" + id);
          shape.setAttribute("dmnElementRef", id);
          var bounds = doc.createElementNS(DC_NS, "dc:Bounds");
          var count = diagram.getElementsByTagNameNS(DMNDI_NS, "DMNShape").length;
          [["height", "80"], ["width", "180"], ["x", String(160 + 240 * count)], ["y", "100"]].forEach(function (p) { bounds.setAttribute(p[0], p[1]); });
          shape.appendChild(bounds);
          diagram.appendChild(shape);
        }
        return importXml(new XMLSerializer().serializeToString(doc), id).then(function () { return id; });
      });
    }
  }

  /* ---- 查看: Viewer (read-only) ---- */
  function initViewer(box) {
    var statusBox = box.parentNode.querySelector("[data-dmn-status]");
    var viewSelect = box.parentNode.querySelector("[data-dmn-views]");
    if (typeof window.DmnJS !== "function") {
      setStatus(statusBox, "决策表组件未能加载（请联系系统管理员运行 scripts/install 安装 dmn-js）。", true);
      return;
    }
    var viewer = new window.DmnJS(options(box));
    window.dmnDiagram = viewer;
    function renderViews() {
      if (!viewSelect) { return; }
      var active = viewer.getActiveView();
      viewSelect.innerHTML = "";
      viewer.getViews().forEach(function (view) {
        var item = document.createElement("option");
        item.value = view.element.id;
        item.textContent = viewLabel(view);
        item.selected = !!active && active.element === view.element;
        viewSelect.appendChild(item);
      });
    }
    if (viewSelect) {
      viewSelect.addEventListener("change", function () {
        var view = viewer.getViews().filter(function (v) { return v.element.id === viewSelect.value; })[0];
        if (view) { viewer.open(view); }
      });
    }
    viewer.on("views.changed", renderViews);
    load(box.getAttribute("data-dmn-url")).then(function (got) {
      return viewer.importXML(got.xml);
    }).then(function () {
      var first = decisionsOf(viewer.getDefinitions())[0];
      var view = first && viewer.getViews().filter(function (v) { return v.element === first; })[0];
      return view ? viewer.open(view) : null;
    }).then(function () {
      setStatus(statusBox, "");
      renderViews();
    }).catch(function (error) {
      setStatus(statusBox, "决策表无法显示：" + (error && error.message ? error.message : error), true);
    });
  }

  function ready() {
    document.querySelectorAll("[data-dmn-modeler]").forEach(initModeler);
    document.querySelectorAll("[data-dmn-viewer]").forEach(initViewer);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
