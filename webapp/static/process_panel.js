/* 流程管理: the properties panel beside the online editor's canvas (issue 14).
 *
 * A process owner picks, never types, what makes a diagram run here:
 *   lane              → the role it stands for (the lane's name, from the lane table)
 *   task / event      → the lane it sits in (who works it)
 *   user task         → a registered form; for the generic 审批 form ("decision") its
 *                       outcomes, their button labels, which need a reason, a notice
 *   service task      → a registered adapter operation and the data of each parameter
 *   timer event       → a working-day limit of the province (time_limit("...")) or a
 *                       number of working days, and from when it counts
 *   exclusive gateway → its default flow
 *   flow out of one   → a condition over the data the steps before it write
 * The pick lists come from GET data-catalog-url (webapp/process_catalog.py), built from
 * the same rules the server checks a draft against, so what is offered is accepted.
 *
 * Everything is written with the Modeler's own commands (modeling.updateProperties /
 * updateModdleProperties, or a command of ours for lane membership), so 撤销 (Ctrl+Z)
 * works and the page's "unsaved" hint follows. The SpiffWorkflow extension elements are
 * typed by static/spiffworkflow-moddle.json, given to the Modeler as moddleExtensions.
 *
 * The data a step may read and the gateways' conditions are in process_conditions.js,
 * loaded after this file. window.QuotaProcessPanel.attach(modeler, panelElement,
 * catalog) is called by processes.js once the diagram is imported. No inline script or
 * style (strict CSP).
 */
(function () {
  "use strict";

  var DECISION = "decision";
  var OUTCOME_ORDER = ["approve", "return", "reject"];
  var CONDITION_GATEWAYS = ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"];
  var KIND_NAMES = [
    ["bpmn:UserTask", "用户任务"], ["bpmn:ManualTask", "人工任务"], ["bpmn:ServiceTask", "服务任务"],
    ["bpmn:ScriptTask", "脚本任务"], ["bpmn:BusinessRuleTask", "业务规则任务"], ["bpmn:SendTask", "发送任务"],
    ["bpmn:ReceiveTask", "接收任务"], ["bpmn:CallActivity", "调用活动"], ["bpmn:SubProcess", "子流程"],
    ["bpmn:Task", "任务"], ["bpmn:StartEvent", "开始事件"], ["bpmn:EndEvent", "结束事件"],
    ["bpmn:BoundaryEvent", "边界事件"], ["bpmn:IntermediateCatchEvent", "中间捕获事件"],
    ["bpmn:IntermediateThrowEvent", "中间抛出事件"], ["bpmn:ExclusiveGateway", "排他网关"],
    ["bpmn:InclusiveGateway", "包容网关"], ["bpmn:ParallelGateway", "并行网关"],
    ["bpmn:EventBasedGateway", "事件网关"], ["bpmn:SequenceFlow", "连线"], ["bpmn:Lane", "泳道"],
    ["bpmn:Participant", "流程池"], ["bpmn:TextAnnotation", "注释"], ["bpmn:Process", "流程"]
  ];
  var TASK_TYPES = [
    ["bpmn:UserTask", "用户任务（由人在待办中办理）"],
    ["bpmn:ServiceTask", "服务任务（系统调用外部接口）"],
    ["bpmn:BusinessRuleTask", "业务规则任务（按决策表判断）"],
    ["bpmn:Task", "未指定类型的任务"]
  ];
  var NAME = "[A-Za-z_][A-Za-z0-9_]*";
  var TIMER_RE = new RegExp("^add_working_days\\(\\s*(?:time_limit\\(\\s*\"(" + NAME + ")\"\\s*\\)|(\\d+))\\s*(?:,\\s*(" + NAME + ")\\s*)?\\)$");

  /* ---- small DOM helpers ---- */
  function node(tag, props, children) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === undefined || value === null || value === false) { return; }
      if (key === "text") { el.textContent = value; }
      else if (key === "className") { el.className = value; }
      else if (key === "htmlFor") { el.htmlFor = value; }
      else if (key in el && key !== "list" && key.indexOf("aria") !== 0 && key.indexOf("data") !== 0) { el[key] = value; }
      else { el.setAttribute(key, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function option(value, text, selected, disabled) {
    return node("option", { value: value, text: text, selected: !!selected, disabled: !!disabled });
  }

  function field(id, labelText, control, help) {
    var helpId = help ? id + "-help" : null;
    if (helpId) { control.setAttribute("aria-describedby", helpId); }
    return node("div", { className: "pp-field" }, [
      node("label", { htmlFor: id, text: labelText }),
      control,
      help ? node("p", { className: "pp-help", id: helpId, text: help }) : null
    ]);
  }

  function section(title, children) {
    return node("section", { className: "pp-section" }, [node("h3", { text: title })].concat(children));
  }

  /* ---- the BPMN model ---- */
  function is(bo, type) { return !!bo && typeof bo.$instanceOf === "function" && bo.$instanceOf(type); }
  function isAny(bo, types) { return types.some(function (t) { return is(bo, t); }); }

  function kindName(bo) {
    var found = KIND_NAMES.filter(function (pair) { return bo.$type === pair[0]; })[0] ||
      KIND_NAMES.filter(function (pair) { return is(bo, pair[0]); })[0];
    return found ? found[1] : bo.$type.replace("bpmn:", "");
  }

  function extensionValues(bo) {
    return bo && bo.extensionElements ? bo.extensionElements.get("values") : [];
  }

  function firstExtension(bo, type) {
    return extensionValues(bo).filter(function (v) { return is(v, type); })[0] || null;
  }

  function propertiesOf(bo) {
    var found = {};
    var props = firstExtension(bo, "spiffworkflow:Properties");
    (props ? props.get("properties") : []).forEach(function (p) {
      if (p.name) { found[p.name] = p.value || ""; }
    });
    return found;
  }

  function keys(text) {
    return String(text || "").replace(/，/g, ",").split(",").map(function (k) { return k.trim(); }).filter(Boolean);
  }

  function timerOf(bo) {
    return (bo.eventDefinitions || []).filter(function (d) { return is(d, "bpmn:TimerEventDefinition"); })[0] || null;
  }

  /** The fields of a task's own form (a form-js schema in its form_schema property):
   * what it writes, for the conditions after it. */
  function designedFields(props) {
    var schema = null;
    try { schema = props.form_schema ? JSON.parse(props.form_schema) : null; } catch (ignored) { return []; }
    if (!schema || !Array.isArray(schema.components)) { return []; }
    return schema.components.filter(function (c) {
      return c && c.type !== "text" && typeof c.key === "string" && /^[a-z][a-z0-9_]{0,39}$/.test(c.key);
    }).map(function (c) {
      var kind = { checkbox: "bool", number: "number", select: "choice", radio: "choice", filepicker: "list" }[c.type] || "text";
      var values = (Array.isArray(c.values) ? c.values : []).filter(function (v) { return v && typeof v.value === "string"; })
        .map(function (v) { return { value: v.value, label: String(v.label || v.value) }; });
      return { name: c.key, label: String(c.label || c.key), kind: values.length ? "choice" : kind, values: values };
    });
  }

  function flowLabel(flow) {
    var target = flow.targetRef;
    var to = target ? (target.name || target.id) : "？";
    return (flow.name ? flow.name + "：" : "") + "→ " + to;
  }

  /* ---- the panel ---- */
  function Panel(modeler, box, catalog) {
    this.modeler = modeler;
    this.box = box;
    this.body = box.querySelector("[data-process-panel-body]") || box;
    this.catalog = catalog;
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    this.registry = modeler.get("elementRegistry");
    this.selection = modeler.get("selection");
    this.commandStack = modeler.get("commandStack");
    this.forms = {};
    this.variables = {};
    this.params = {};
    this.dynamic = {};  // the fields of tasks' own forms, found while reading the diagram
    var self = this;
    catalog.forms.forEach(function (f) { self.forms[f.key] = f; });
    catalog.variables.forEach(function (v) { self.variables[v.name] = v; });
    catalog.params.forEach(function (p) { self.params[p.name] = p; });
    registerCommands(this.commandStack);
    var eventBus = modeler.get("eventBus");
    eventBus.on("selection.changed", function () { self.pending = null; self.render(); });
    eventBus.on("commandStack.changed", function () { self.render(); });
    eventBus.on("commandStack.lane.updateRefs.postExecute", function (event) { self.keepNestedLanes(event.context); });
    this.render();
  }

  /** Several commands as one step of the undo history. */
  Panel.prototype.batch = function (run) {
    this.commandStack.execute("quotacert.batch", { run: run });
  };

  Panel.prototype.create = function (type, attrs, parent) {
    var made = this.moddle.create(type, attrs || {});
    if (parent) { made.$parent = parent; }
    return made;
  };

  Panel.prototype.target = function () {
    var selected = this.selection.get();
    if (selected.length !== 1) { return null; }
    var element = selected[0];
    return element.labelTarget || element;
  };

  Panel.prototype.render = function () {
    var active = document.activeElement;
    var focusId = active && this.body.contains(active) ? active.id : "";
    this.body.innerHTML = "";
    this.flash("");
    var element = this.target();
    var count = this.selection.get().length;
    if (!element) {
      this.body.appendChild(node("p", { className: "pp-empty", text: count > 1 ? "已选择" + count + "个元素；请只选择一个元素查看和设置其属性。" : "请在图中点击一个泳道、任务、事件、网关或连线，在这里设置它的属性。" }));
      this.renderLegend();
      return;
    }
    var bo = element.businessObject;
    this.body.appendChild(node("p", { className: "pp-kind" }, [
      node("strong", { text: kindName(bo) }), " ", node("code", { className: "pp-id", text: bo.id || "" })
    ]));
    if (is(bo, "bpmn:Lane")) { this.renderLane(element, bo); }
    else if (is(bo, "bpmn:Participant") || is(bo, "bpmn:Process")) { this.renderName(element, bo, "流程名称"); }
    else if (is(bo, "bpmn:SequenceFlow")) { this.renderFlow(element, bo); }
    else if (is(bo, "bpmn:FlowNode")) { this.renderFlowNode(element, bo); }
    else if (is(bo, "bpmn:TextAnnotation")) {
      this.body.appendChild(node("p", { className: "pp-help", text: "注释只用于说明，双击图中的注释即可修改文字。" }));
    }
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) { again.focus(); }
    }
  };

  Panel.prototype.renderLegend = function () {
    this.body.appendChild(node("ul", { className: "pp-legend" }, [
      node("li", { text: "泳道：选择它代表的角色，任务放进哪个泳道就由哪个角色办理。" }),
      node("li", { text: "用户任务：选择办理用的表单；“审批”表单还可选择审批结果及按钮文字。" }),
      node("li", { text: "服务任务：选择系统接口操作及参数取值。" }),
      node("li", { text: "业务规则任务：选择它调用的决策表（在“决策表”标签中编辑）。" }),
      node("li", { text: "定时器：选择本省时限参数或工作日数（按工作日计算）。" }),
      node("li", { text: "排他网关：选择默认连线；其他出口连线用条件选择器设置条件。" })
    ]));
  };

  /* name (any element with a name) */
  Panel.prototype.renderName = function (element, bo, labelText) {
    var self = this;
    var input = node("input", { type: "text", id: "pp-name", value: bo.name || "", maxLength: 200, autocomplete: "off" });
    input.addEventListener("change", function () {
      var value = input.value.trim();
      if (value === (bo.name || "")) { return; }
      if (is(bo, "bpmn:Process")) { self.modeling.updateProperties(element, { name: value || undefined }); }
      else { self.modeling.updateLabel(element, value || null); }
    });
    this.body.appendChild(field("pp-name", labelText || "名称", input, "按回车或离开输入框后生效。"));
  };

  /* ---- lanes and roles ---- */
  Panel.prototype.roleHint = function (role) {
    var entry = this.catalog.roles.filter(function (r) { return r.lane === role; })[0];
    if (!entry) { return "（未登记的角色）"; }
    if (entry.role === "system") { return "（系统自动处理）"; }
    if (entry.role === "employer") { return "（用人单位办理）"; }
    return entry.staff ? "（工作人员待办）" : "";
  };

  Panel.prototype.renderLane = function (element, bo) {
    var self = this;
    var current = bo.name || "";
    var select = node("select", { id: "pp-role" });
    select.appendChild(option("", "请选择角色", !current, true));
    var known = false;
    this.catalog.roles.forEach(function (r) {
      if (r.lane === current) { known = true; }
      select.appendChild(option(r.lane, r.lane + self.roleHint(r.lane), r.lane === current));
    });
    if (current && !known) { select.appendChild(option(current, current + "（未登记的角色，不能保存）", true)); }
    select.addEventListener("change", function () {
      if (select.value && select.value !== current) { self.modeling.updateLabel(element, select.value); }
    });
    this.body.appendChild(section("泳道", [
      field("pp-role", "角色（泳道名称）", select, "泳道名称决定其中的用户任务进入哪个角色的待办；只能选择系统登记的角色。")
    ]));
    var count = (bo.flowNodeRef || []).length;
    this.body.appendChild(node("p", { className: "pp-help", text: "泳道中有" + count + "个元素。" }));
  };

  /** The lanes of the pool (or process) the element belongs to, innermost ones only. */
  Panel.prototype.lanesFor = function (element) {
    var pool = element;
    while (pool && !(pool.businessObject && (is(pool.businessObject, "bpmn:Participant") || is(pool.businessObject, "bpmn:Process")))) {
      pool = pool.parent;
    }
    if (!pool) { return []; }
    return this.registry.filter(function (e) {
      if (e.type !== "bpmn:Lane") { return false; }
      var up = e.parent;
      while (up && up.type === "bpmn:Lane") { up = up.parent; }
      return up === pool && !e.children.some(function (c) { return c.type === "bpmn:Lane"; });
    });
  };

  /** bpmn-js keeps lane membership only for elements drawn straight in the pool; an
   * element inside a sub-process loses its lane when it is drawn or moved. Here it gets
   * the lane its middle lies in, within the same command (one undo step). */
  Panel.prototype.keepNestedLanes = function (context) {
    var self = this;
    (context.flowNodeShapes || []).forEach(function (shape) {
      if (!shape.parent || !shape.businessObject || !is(shape.parent.businessObject, "bpmn:SubProcess")) { return; }
      var midX = shape.x + shape.width / 2, midY = shape.y + shape.height / 2;
      var lane = self.lanesFor(shape).filter(function (l) {
        return midX > l.x && midX < l.x + l.width && midY > l.y && midY < l.y + l.height;
      })[0];
      var now = shape.businessObject.get("lanes");
      if (lane && !(now.length === 1 && now[0] === lane.businessObject)) {
        self.commandStack.execute("quotacert.lane.assign", { element: shape, lanes: [lane.businessObject] });
      }
    });
  };

  Panel.prototype.renderLaneChoice = function (element, bo) {
    var self = this;
    var lanes = this.lanesFor(element);
    if (!lanes.length) { return; }
    var current = (bo.get("lanes") || [])[0] || null;
    var select = node("select", { id: "pp-lane" });
    select.appendChild(option("", "（不在任何泳道中）", !current));
    lanes.forEach(function (lane) {
      var name = lane.businessObject.name || lane.id;
      select.appendChild(option(lane.id, name + self.roleHint(name), current === lane.businessObject));
    });
    select.addEventListener("change", function () {
      var lane = select.value ? self.registry.get(select.value) : null;
      self.commandStack.execute("quotacert.lane.assign", { element: element, lanes: lane ? [lane.businessObject] : [] });
    });
    var human = isAny(bo, ["bpmn:UserTask", "bpmn:ManualTask"]);
    this.body.appendChild(field("pp-lane", "所在泳道（办理角色）", select,
      human ? "用户任务进入所在泳道角色的待办，必须放在某个泳道中。" : "泳道只决定图上的位置，系统环节不需要人员办理。"));
  };

  /* ---- flow nodes ---- */
  Panel.prototype.renderFlowNode = function (element, bo) {
    this.renderName(element, bo);
    this.renderLaneChoice(element, bo);
    if (is(bo, "bpmn:Task") && !isAny(bo, ["bpmn:ScriptTask", "bpmn:SendTask", "bpmn:ReceiveTask", "bpmn:ManualTask"])) {
      this.renderTaskType(element, bo);
    }
    if (is(bo, "bpmn:BusinessRuleTask")) { this.renderDecisionRef(element, bo); }
    if (isAny(bo, ["bpmn:UserTask", "bpmn:ManualTask"])) { this.renderForm(element, bo); }
    if (is(bo, "bpmn:ServiceTask")) { this.renderOperation(element, bo); }
    if (is(bo, "bpmn:ScriptTask")) { this.renderScript(bo); }
    if (timerOf(bo)) { this.renderTimer(element, bo, timerOf(bo)); }
    if (isAny(bo, CONDITION_GATEWAYS)) { this.renderGateway(element, bo); }
    if (is(bo, "bpmn:ParallelGateway")) {
      this.body.appendChild(node("p", { className: "pp-help", text: "并行网关：所有出口连线同时进行（或等待所有入口连线到齐），连线不需要条件。" }));
    }
  };

  Panel.prototype.renderTaskType = function (element, bo) {
    var self = this;
    var select = node("select", { id: "pp-task-type" });
    TASK_TYPES.forEach(function (pair) { select.appendChild(option(pair[0], pair[1], bo.$type === pair[0])); });
    select.addEventListener("change", function () {
      if (select.value === bo.$type) { return; }
      var replaced = self.modeler.get("bpmnReplace").replaceElement(element, { type: select.value });
      self.selection.select(replaced);
    });
    this.body.appendChild(field("pp-task-type", "任务类型", select, "由人办理的环节选“用户任务”，调用外部系统的环节选“服务任务”。"));
  };

  /* ---- business-rule tasks: the decision table they call ----
   * The decisions come from the 决策表 tab (process_dmn.js, window.quotaDmn); the choice is
   * written as <spiffworkflow:calledDecisionId>ID</spiffworkflow:calledDecisionId> in the
   * task's extensionElements, which SpiffWorkflow's BusinessRuleTaskParser reads. */
  Panel.prototype.renderDecisionRef = function (element, bo) {
    var self = this;
    var called = firstExtension(bo, "spiffworkflow:CalledDecisionId");
    var current = called ? String(called.value || "").trim() : "";
    var dmn = window.quotaDmn;
    var decisions = dmn && typeof dmn.decisions === "function" ? dmn.decisions() : [];
    var select = node("select", { id: "pp-decision" });
    select.appendChild(option("", decisions.length ? "请选择决策表" : "（决策表尚未加载或没有决策表）", !current, true));
    var known = false;
    decisions.forEach(function (d) {
      if (d.id === current) { known = true; }
      select.appendChild(option(d.id, (d.name || "未命名决策表") + "（" + d.id + "）", d.id === current));
    });
    if (current && !known) { select.appendChild(option(current, current + "（决策表中没有该决策，不能保存）", true)); }
    select.addEventListener("change", function () {
      if (select.value && select.value !== current) { self.writeCalledDecision(element, select.value); }
    });
    var children = [field("pp-decision", "决策表", select,
      "业务规则任务按所选决策表判断，结果写入决策表的输出名称；决策表在本页“决策表”标签中编辑，与流程图一起保存。")];
    if (current && known && dmn && typeof dmn.show === "function") {
      var open = node("button", { type: "button", className: "btn small", text: "打开该决策表" });
      open.addEventListener("click", function () { dmn.show(current); });
      children.push(node("p", {}, [open]));
    }
    var outputs = current && dmn && typeof dmn.outputs === "function" ? dmn.outputs(current) : [];
    if (outputs.length) {
      children.push(node("p", { className: "pp-writes" }, ["决策结果写入：", node("span", {}, outputs.map(function (name, i) {
        return node("span", { className: "pp-var" }, [(i ? "、" : ""), node("code", { text: name })]);
      }))]));
    }
    this.body.appendChild(section("决策", children));
  };

  Panel.prototype.writeCalledDecision = function (element, decisionId) {
    var bo = element.businessObject;
    var old = firstExtension(bo, "spiffworkflow:CalledDecisionId");
    var called = this.create("spiffworkflow:CalledDecisionId", { value: decisionId });
    var ext = bo.extensionElements;
    if (!ext) {
      ext = this.create("bpmn:ExtensionElements", { values: [called] }, bo);
      called.$parent = ext;
      this.modeling.updateProperties(element, { extensionElements: ext });
      return;
    }
    called.$parent = ext;
    var next = ext.get("values").filter(function (v) { return v !== old; }).concat([called]);
    this.modeling.updateModdleProperties(element, ext, { values: next });
  };

  Panel.prototype.renderScript = function (bo) {
    this.body.appendChild(section("脚本", [
      node("pre", { className: "pp-code", text: bo.script || "" }),
      node("p", { className: "pp-help", text: "脚本由系统提供的函数组成，不能在此修改；如需调整请联系系统管理员。" })
    ]));
  };

  /** Write spiffworkflow:property values (null removes one) as one command. */
  Panel.prototype.setProperties = function (element, changes) {
    var self = this;
    var bo = element.businessObject;
    var ext = bo.extensionElements;
    var props = firstExtension(bo, "spiffworkflow:Properties");
    var list = props ? props.get("properties").slice() : [];
    Object.keys(changes).forEach(function (name) {
      var value = changes[name];
      var index = -1;
      list.forEach(function (p, i) { if (p.name === name) { index = i; } });
      if (value === null || value === undefined) {
        if (index >= 0) { list.splice(index, 1); }
      } else if (index >= 0) {
        if (list[index].value !== value) { list[index] = self.create("spiffworkflow:Property", { name: name, value: value }); }
      } else {
        list.push(self.create("spiffworkflow:Property", { name: name, value: value }));
      }
    });
    if (props) {
      list.forEach(function (p) { p.$parent = props; });
      this.modeling.updateModdleProperties(element, props, { properties: list });
      return;
    }
    if (!list.length) { return; }
    props = this.create("spiffworkflow:Properties", { properties: list });
    list.forEach(function (p) { p.$parent = props; });
    if (ext) {
      props.$parent = ext;
      this.modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
    } else {
      ext = this.create("bpmn:ExtensionElements", { values: [props] }, bo);
      props.$parent = ext;
      this.modeling.updateProperties(element, { extensionElements: ext });
    }
  };

  Panel.prototype.laneRole = function (bo) {
    var lane = (bo.get("lanes") || [])[0];
    var name = lane ? lane.name : "";
    var entry = this.catalog.roles.filter(function (r) { return r.lane === name; })[0];
    return entry ? entry.role : "";
  };

  var CUSTOM = "custom";  // a process owner's own form (casework.custom_forms)

  Panel.prototype.renderForm = function (element, bo) {
    var self = this;
    var props = propertiesOf(bo);
    var current = props.form || "";
    var role = this.laneRole(bo);
    var select = node("select", { id: "pp-form" });
    select.appendChild(option("", "请选择表单", !current, true));
    var known = false;
    this.catalog.forms.forEach(function (form) {
      var allowed = !role || form.roles.indexOf(role) >= 0;
      if (form.key === current) { known = true; }
      var text = form.title + "（" + form.key + "）" + (allowed ? "" : "：该泳道的角色不能使用");
      select.appendChild(option(form.key, text, form.key === current, !allowed && form.key !== current));
    });
    if (current && !known) { select.appendChild(option(current, current + "（未注册的表单，不能保存）", true)); }
    select.addEventListener("change", function () {
      var chosen = self.forms[select.value];
      if (!chosen || select.value === current) { return; }
      var changes = { form: select.value };
      var old = self.forms[current];
      (old ? old.settings : []).forEach(function (name) {
        if (chosen.settings.indexOf(name) < 0) { changes[name] = null; }
      });
      if (select.value === DECISION && !props.outcomes) {
        changes.outcomes = OUTCOME_ORDER.join(",");
      }
      self.setProperties(element, changes);
    });
    var form = this.forms[current];
    var help = role ? "只列出所在泳道的角色可以使用的表单。" : "请先选择所在泳道，再选择表单。";
    var children = [field("pp-form", "办理表单", select, help)];
    if (form) {
      children.push(node("p", { className: "pp-help", text: form.help }));
      var designed = designedFields(props);
      designed.forEach(function (f) { if (!self.dynamic[f.name]) { self.dynamic[f.name] = f; } });
      var writes = form.writes.concat(designed.map(function (f) { return f.name; }));
      if (writes.length) {
        children.push(node("p", { className: "pp-writes" }, ["办理后写入的数据：", this.variableList(writes)]));
      }
      if (current === CUSTOM) {
        var design = node("button", { type: "button", className: "btn", text: designed.length ? "修改表单设计…" : "设计表单…" });
        design.setAttribute("data-design-form", "");
        design.addEventListener("click", function () {
          if (!window.QuotaFormDesigner) { return; }
          window.QuotaFormDesigner.open(bo.name || bo.id, props.form_schema || "", function (schemaText) {
            self.setProperties(element, { form_schema: schemaText });
          });
        });
        children.push(node("p", {}, [design]));
        children.push(node("p", { className: "pp-help", text: designed.length
          ? "已设计" + designed.length + "个填写项。"
          : "尚未设计表单：请点击“设计表单…”，至少放入一个填写项。" }));
      }
      var elsewhere = form.settings.filter(function (name) {
        return current !== DECISION && name !== "stage" && !(current === CUSTOM && name === "form_schema");
      });
      if (elsewhere.length) {
        children.push(node("p", { className: "pp-help", text: "该表单的设置（" + elsewhere.join("、") + "）不在此面板中编辑，保存时会一并检查。" }));
      }
    }
    this.body.appendChild(section("表单", children));
    if (current === DECISION && form) { this.renderDecision(element, props, form); }
  };

  Panel.prototype.variableList = function (names) {
    var self = this;
    return node("span", {}, names.map(function (name, i) {
      var v = self.variable(name);
      return node("span", { className: "pp-var" }, [(i ? "、" : ""), v ? v.label : name, " ", node("code", { text: name })]);
    }));
  };

  /* the 审批 form: outcomes, their labels, which need a reason, a notice to the unit */
  Panel.prototype.renderDecision = function (element, props, form) {
    var self = this;
    var offered = keys(props.outcomes).filter(function (k) { return OUTCOME_ORDER.indexOf(k) >= 0; });
    if (!offered.length) { offered = OUTCOME_ORDER.slice(); }
    var required = props.reason_required !== undefined ? keys(props.reason_required) : form.reason_required_default.slice();
    var defaults = {};
    form.outcomes.forEach(function (o) { defaults[o.key] = o.label; });

    var outcomes = node("fieldset", { className: "pp-group" }, [node("legend", { text: "审批结果（至少选一项）" })]);
    OUTCOME_ORDER.forEach(function (key) {
      var id = "pp-outcome-" + key;
      var box = node("input", { type: "checkbox", id: id, checked: offered.indexOf(key) >= 0, value: key });
      box.addEventListener("change", function () {
        var next = OUTCOME_ORDER.filter(function (k) {
          return k === key ? box.checked : offered.indexOf(k) >= 0;
        });
        if (!next.length) { box.checked = true; self.flash("至少要保留一个审批结果"); return; }
        var changes = { outcomes: next.join(",") };
        if (!box.checked) { changes["label_" + key] = null; }
        var req = required.filter(function (k) { return next.indexOf(k) >= 0; });
        if (req.join(",") !== required.join(",") || props.reason_required !== undefined) { changes.reason_required = req.join(","); }
        self.setProperties(element, changes);
      });
      outcomes.appendChild(node("div", { className: "pp-check" }, [
        box, node("label", { htmlFor: id, text: defaults[key] + "（" + key + "）" })
      ]));
    });

    var labels = node("fieldset", { className: "pp-group" }, [node("legend", { text: "按钮文字（留空用默认文字）" })]);
    var reasons = node("fieldset", { className: "pp-group" }, [node("legend", { text: "须填写理由的结果" })]);
    offered.forEach(function (key) {
      var id = "pp-label-" + key;
      var input = node("input", { type: "text", id: id, value: props["label_" + key] || "", placeholder: defaults[key], maxLength: 60, autocomplete: "off" });
      input.addEventListener("change", function () {
        var value = input.value.trim();
        self.setProperties(element, (function () { var c = {}; c["label_" + key] = value || null; return c; })());
      });
      labels.appendChild(node("div", { className: "pp-field pp-inline" }, [
        node("label", { htmlFor: id, text: "“" + defaults[key] + "”显示为" }), input
      ]));
      var rid = "pp-reason-" + key;
      var rbox = node("input", { type: "checkbox", id: rid, checked: required.indexOf(key) >= 0, value: key });
      rbox.addEventListener("change", function () {
        var next = offered.filter(function (k) { return k === key ? rbox.checked : required.indexOf(k) >= 0; });
        self.setProperties(element, { reason_required: next.join(",") });
      });
      reasons.appendChild(node("div", { className: "pp-check" }, [
        rbox, node("label", { htmlFor: rid, text: "选择“" + (props["label_" + key] || defaults[key]) + "”时须填写理由" })
      ]));
    });

    var notify = node("select", { id: "pp-notify" });
    form.notify.forEach(function (choice) {
      notify.appendChild(option(choice.value, choice.label, (props.notify || "") === choice.value));
    });
    notify.addEventListener("change", function () { self.setProperties(element, { notify: notify.value || null }); });

    this.body.appendChild(section("审批设置", [
      outcomes, labels, reasons,
      field("pp-notify", "审批后通知", notify, "选择“通知用人单位”时，单位会收到审批结果通知。"),
      node("p", { className: "pp-help", text: "审批结果写入 decision（approve 通过、return 退回补正、reject 不通过），可在其后的网关连线上按结果设置条件。" })
    ]));
  };

  Panel.prototype.flash = function (text) {
    var box = this.box.querySelector("[data-process-panel-note]");
    if (box) { box.textContent = text; }
  };

  /* ---- service tasks ---- */
  Panel.prototype.renderOperation = function (element, bo) {
    var self = this;
    var operator = firstExtension(bo, "spiffworkflow:ServiceTaskOperator");
    var current = operator ? operator.id || "" : "";
    var operation = this.catalog.operations.filter(function (o) { return o.key === current; })[0] || null;
    var given = {};
    var list = operator && operator.parameterList ? operator.parameterList.get("parameters") : [];
    list.forEach(function (p) { given[p.id] = p.value || ""; });

    var select = node("select", { id: "pp-operation" });
    select.appendChild(option("", "请选择接口操作", !current, true));
    this.catalog.operations.forEach(function (o) {
      select.appendChild(option(o.key, o.label + "（" + o.key + "）", o.key === current));
    });
    if (current && !operation) { select.appendChild(option(current, current + "（未登记的操作，不能保存）", true)); }
    var available = this.availableVariables(bo);
    select.addEventListener("change", function () {
      var chosen = self.catalog.operations.filter(function (o) { return o.key === select.value; })[0];
      if (!chosen) { return; }
      var values = {};
      chosen.params.forEach(function (p) {
        values[p.name] = given[p.name] || (available.names.indexOf(p.name) >= 0 ? p.name : "");
      });
      self.writeOperator(element, chosen, values);
    });
    var children = [field("pp-operation", "接口操作", select, "服务任务由后台工作进程调用外部系统，完成后流程继续。")];
    if (operation) {
      operation.params.forEach(function (p) {
        var id = "pp-param-" + p.name;
        var ps = node("select", { id: id });
        ps.appendChild(option("", "请选择数据", !given[p.name], true));
        self.variableOptions(ps, available, given[p.name] || "", false);
        ps.addEventListener("change", function () {
          var values = {};
          operation.params.forEach(function (q) { values[q.name] = given[q.name] || ""; });
          values[p.name] = ps.value;
          self.writeOperator(element, operation, values);
        });
        children.push(field(id, "参数“" + p.label + "”（" + p.name + "）取自", ps));
      });
      var result = operator.resultVariable || operation.result_variable;
      children.push(node("p", { className: "pp-writes" }, ["接口结果写入：", this.variableList([result])]));
    }
    this.body.appendChild(section("服务操作", children));
  };

  Panel.prototype.writeOperator = function (element, operation, values) {
    var self = this;
    var bo = element.businessObject;
    var old = firstExtension(bo, "spiffworkflow:ServiceTaskOperator");
    var operator = this.create("spiffworkflow:ServiceTaskOperator", {
      id: operation.key,
      resultVariable: (old && old.id === operation.key && old.resultVariable) || operation.result_variable
    });
    var parameters = this.create("spiffworkflow:Parameters", { parameters: [] }, operator);
    operation.params.forEach(function (p) {
      if (!values[p.name]) { return; }
      parameters.get("parameters").push(self.create("spiffworkflow:Parameter", { id: p.name, type: p.type, value: values[p.name] }, parameters));
    });
    operator.parameterList = parameters;
    if (old && old.retry) { operator.retry = old.retry; }
    var ext = bo.extensionElements;
    if (!ext) {
      ext = this.create("bpmn:ExtensionElements", { values: [operator] }, bo);
      operator.$parent = ext;
      this.modeling.updateProperties(element, { extensionElements: ext });
      return;
    }
    operator.$parent = ext;
    var next = ext.get("values").filter(function (v) { return v !== old; }).concat([operator]);
    this.modeling.updateModdleProperties(element, ext, { values: next });
  };

  /* ---- timers ---- */
  Panel.prototype.renderTimer = function (element, bo, definition) {
    var self = this;
    var date = definition.timeDate ? (definition.timeDate.body || "").trim() : "";
    var other = definition.timeDuration || definition.timeCycle;
    var parsed = TIMER_RE.exec(date);
    var state = {
      kind: parsed ? (parsed[1] ? "limit" : "days") : "limit",
      limit: parsed && parsed[1] ? parsed[1] : "",
      days: parsed && parsed[2] ? parsed[2] : "",
      start: parsed && parsed[3] ? parsed[3] : ""
    };
    var children = [];
    if (other) {
      children.push(node("p", { className: "pp-warn", role: "note", text: "该定时器按日历时长设置（" + (other.body || "") + "），不按工作日计算，不能保存；请在下面选择工作日期限。" }));
    } else if (date && !parsed) {
      children.push(node("p", { className: "pp-warn", role: "note" }, ["该定时器的表达式不是面板能识别的工作日写法：", node("code", { text: date }), "。在下面重新选择会替换它。"]));
    }

    function write() {
      var days = state.kind === "limit" ? (state.limit ? "time_limit(\"" + state.limit + "\")" : "") : state.days;
      if (!days) { return; }
      var text = "add_working_days(" + days + (state.start ? ", " + state.start : "") + ")";
      if (text === date) { return; }
      var expression = self.create("bpmn:FormalExpression", { body: text }, definition);
      self.modeling.updateModdleProperties(element, definition, { timeDate: expression, timeDuration: undefined, timeCycle: undefined });
    }

    var kinds = node("fieldset", { className: "pp-group" }, [node("legend", { text: "期限（按工作日计算）" })]);
    [["limit", "按本省时限参数"], ["days", "固定的工作日数"]].forEach(function (pair) {
      var id = "pp-timer-kind-" + pair[0];
      var radio = node("input", { type: "radio", name: "pp-timer-kind", id: id, value: pair[0], checked: state.kind === pair[0] });
      radio.addEventListener("change", function () {
        state.kind = pair[0];
        limitField.hidden = state.kind !== "limit";
        daysField.hidden = state.kind !== "days";
        write();
      });
      kinds.appendChild(node("div", { className: "pp-check" }, [radio, node("label", { htmlFor: id, text: pair[1] })]));
    });
    var limit = node("select", { id: "pp-timer-limit" });
    limit.appendChild(option("", "请选择时限", !state.limit, true));
    var knownLimit = false;
    this.catalog.time_limits.forEach(function (t) {
      if (t.name === state.limit) { knownLimit = true; }
      limit.appendChild(option(t.name, t.label + "：" + t.days + "个工作日", t.name === state.limit));
    });
    if (state.limit && !knownLimit) { limit.appendChild(option(state.limit, state.limit + "（未登记的时限，不能保存）", true)); }
    limit.addEventListener("change", function () { state.limit = limit.value; write(); });
    var limitField = field("pp-timer-limit", "时限参数", limit, "天数取本省参数（" + this.catalog.province_name + "），参数调整后按新天数计算。");
    var days = node("input", { type: "number", id: "pp-timer-days", min: 1, max: 1000, step: 1, value: state.days, inputMode: "numeric" });
    days.addEventListener("change", function () {
      var n = parseInt(days.value, 10);
      if (!(n >= 1 && n <= 1000) || String(n) !== days.value.trim()) { days.setAttribute("aria-invalid", "true"); self.flash("工作日数须为1到1000之间的整数"); return; }
      days.removeAttribute("aria-invalid");
      state.days = String(n);
      write();
    });
    var daysField = field("pp-timer-days", "工作日数", days, "1到1000之间的整数；节假日和调休按系统日历顺延。");
    limitField.hidden = state.kind !== "limit";
    daysField.hidden = state.kind !== "days";

    var start = node("select", { id: "pp-timer-start" });
    start.appendChild(option("", "流程到达此处时", !state.start));
    var available = this.availableVariables(bo);
    this.variableOptions(start, available, state.start, false);
    start.addEventListener("change", function () { state.start = start.value; write(); });

    children.push(kinds, limitField, daysField,
      field("pp-timer-start", "起算时间", start, "例如认证时间（certified_at）：从该时间起算，而不是从流程到达此处时起算。"));
    if (parsed || (!other && !date)) {
      children.push(node("p", { className: "pp-writes" }, ["表达式：", node("code", { text: date || "（尚未设置）" })]));
    }
    this.body.appendChild(section("定时器", children));
  };

  /* ---- commands of ours, so that 撤销 covers them ---- */
  function BatchHandler() {}
  BatchHandler.prototype.preExecute = function (context) { context.run(); };
  BatchHandler.prototype.execute = function () { return []; };
  BatchHandler.prototype.revert = function () { return []; };

  function LaneAssignHandler() {}
  LaneAssignHandler.prototype.execute = function (context) {
    var flowNode = context.element.businessObject;
    var lanes = flowNode.get("lanes");
    context.oldLanes = lanes.slice();
    context.oldLanes.forEach(function (lane) {
      var refs = lane.get("flowNodeRef");
      var at = refs.indexOf(flowNode);
      if (at >= 0) { refs.splice(at, 1); }
    });
    lanes.splice(0, lanes.length);
    context.lanes.forEach(function (lane) {
      lane.get("flowNodeRef").push(flowNode);
      lanes.push(lane);
    });
    return [context.element];
  };
  LaneAssignHandler.prototype.revert = function (context) {
    var flowNode = context.element.businessObject;
    var lanes = flowNode.get("lanes");
    context.lanes.forEach(function (lane) {
      var refs = lane.get("flowNodeRef");
      var at = refs.indexOf(flowNode);
      if (at >= 0) { refs.splice(at, 1); }
    });
    lanes.splice(0, lanes.length);
    context.oldLanes.forEach(function (lane) {
      lane.get("flowNodeRef").push(flowNode);
      lanes.push(lane);
    });
    return [context.element];
  };

  function registerCommands(commandStack) {
    if (commandStack.__quotacert) { return; }
    commandStack.__quotacert = true;
    commandStack.registerHandler("quotacert.batch", BatchHandler);
    commandStack.registerHandler("quotacert.lane.assign", LaneAssignHandler);
  }

  window.QuotaProcessPanel = {
    Panel: Panel,
    // for process_conditions.js, which adds the data and condition pieces to Panel
    util: {
      node: node, option: option, field: field, section: section, is: is, isAny: isAny,
      extensionValues: extensionValues, firstExtension: firstExtension, propertiesOf: propertiesOf,
      keys: keys, designedFields: designedFields, flowLabel: flowLabel,
      DECISION: DECISION, OUTCOME_ORDER: OUTCOME_ORDER, CONDITION_GATEWAYS: CONDITION_GATEWAYS, NAME: NAME
    },
    attach: function (modeler, box, catalog) {
      var panel = new Panel(modeler, box, catalog);
      box.hidden = false;
      return panel;
    }
  };
})();
