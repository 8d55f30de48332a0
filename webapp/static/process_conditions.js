/* 流程管理: the properties panel's data and conditions (issue 14), added to the Panel of
 * process_panel.js (loaded before this file):
 *   - what the steps before an element write: the forms' data (a designed form's fields
 *     too), service results, script assignments and message variables of every step
 *     that may have run before it, and the case's start data; the pick list of a
 *     condition, a service parameter or a timer's start;
 *   - a gateway's default flow, and for each other flow out of it a condition built from
 *     clauses (data, comparison, value; joined by "and"), written as the Python
 *     expression the publishing check and the engine read, e.g. decision == "approve".
 *     A condition written otherwise is shown as it is and can be replaced, never edited
 *     as text.
 */
(function (api) {
  "use strict";
  if (!api) { return; }

  var Panel = api.Panel;
  var u = api.util;
  var node = u.node, option = u.option, field = u.field, section = u.section;
  var is = u.is, isAny = u.isAny, extensionValues = u.extensionValues, firstExtension = u.firstExtension;
  var propertiesOf = u.propertiesOf, keys = u.keys, designedFields = u.designedFields, flowLabel = u.flowLabel;
  var DECISION = u.DECISION, OUTCOME_ORDER = u.OUTCOME_ORDER, CONDITION_GATEWAYS = u.CONDITION_GATEWAYS, NAME = u.NAME;
  var OPERATORS = {
    "==": "等于", "!=": "不等于", ">": "大于", ">=": "大于或等于", "<": "小于", "<=": "小于或等于",
    truthy: "为“是”（有值）", falsy: "为“否”（无值）", nonempty: "不为空", empty: "为空"
  };
  var OPERATORS_BY_KIND = {
    choice: ["==", "!="],
    bool: ["truthy", "falsy"],
    list: ["nonempty", "empty"],
    number: ["==", "!=", ">", ">=", "<", "<="],
    text: ["truthy", "falsy", "==", "!="]
  };
  var SUBJECT = "(" + NAME + "|province_param\\(\\s*\"(" + NAME + ")\"\\s*\\))";
  var LITERAL = "(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|-?\\d+(?:\\.\\d+)?)";
  var ASSIGN_RE = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)/gm;

  /* ---- what the steps before an element write ---- */
  Panel.prototype.producedBy = function (bo) {
    var names = [];
    var props = propertiesOf(bo);
    if (isAny(bo, ["bpmn:UserTask", "bpmn:ManualTask"]) && this.forms[props.form]) {
      names = names.concat(this.forms[props.form].writes);
      var dynamic = this.dynamic;
      designedFields(props).forEach(function (f) {
        names.push(f.name);
        if (!dynamic[f.name]) { dynamic[f.name] = f; }
      });
    }
    // a business-rule task writes its decision table's outputs (process_dmn.js reads them)
    var called = is(bo, "bpmn:BusinessRuleTask") ? firstExtension(bo, "spiffworkflow:CalledDecisionId") : null;
    if (called && called.value && window.quotaDmn) {
      names = names.concat(window.quotaDmn.outputs(called.value.trim()));
    }
    var operator = firstExtension(bo, "spiffworkflow:ServiceTaskOperator");
    if (operator && operator.resultVariable) { names.push(operator.resultVariable); }
    var scripts = [];
    if (is(bo, "bpmn:ScriptTask") && bo.script) { scripts.push(bo.script); }
    extensionValues(bo).forEach(function (v) {
      if (is(v, "spiffworkflow:PreScript") || is(v, "spiffworkflow:PostScript")) { scripts.push(v.value || ""); }
    });
    scripts.forEach(function (text) {
      var match;
      ASSIGN_RE.lastIndex = 0;
      while ((match = ASSIGN_RE.exec(text)) !== null) { names.push(match[1]); }
    });
    (bo.eventDefinitions || []).forEach(function (definition) {
      var variable = firstExtension(definition, "spiffworkflow:MessageVariable");
      if (variable && variable.value) { names.push(variable.value.trim()); }
      var signal = definition.signalRef;
      var named = signal ? firstExtension(signal, "spiffworkflow:VariableName") : null;
      if (named && named.value) { names.push(named.value.trim()); }
    });
    return names;
  };

  /** The flow nodes that may have run before `bo`, nearest first. A diagram read from a
   * file need not list a node's incoming flows, so they are found from the flows' ends. */
  function upstream(bo, flows) {
    var into = new Map();
    flows.forEach(function (flow) {
      if (!flow.targetRef || !flow.sourceRef) { return; }
      if (!into.has(flow.targetRef)) { into.set(flow.targetRef, []); }
      into.get(flow.targetRef).push(flow.sourceRef);
    });
    var seen = [bo], order = [];
    var queue = [{ node: bo, depth: 0 }];
    if (is(bo, "bpmn:SequenceFlow")) {  // a flow: what its source and the steps before it write
      seen = [bo.sourceRef];
      order = bo.sourceRef ? [{ node: bo.sourceRef, depth: 0 }] : [];
      queue = order.slice();
    }
    function add(found, depth, whole) {
      if (!found || seen.indexOf(found) >= 0) { return; }
      seen.push(found);
      order.push({ node: found, depth: depth });
      queue.push({ node: found, depth: depth });
      if (whole && is(found, "bpmn:SubProcess")) {  // finished before us: all of its steps ran
        (found.flowElements || []).forEach(function (inner) {
          if (is(inner, "bpmn:FlowNode")) { add(inner, depth + 1, true); }
        });
      }
    }
    while (queue.length) {
      var item = queue.shift();
      var current = item.node;
      (into.get(current) || []).forEach(function (source) { add(source, item.depth + 1, true); });
      if (is(current, "bpmn:BoundaryEvent")) { add(current.attachedToRef, item.depth + 1, false); }
      if (is(current, "bpmn:StartEvent") && is(current.$parent, "bpmn:SubProcess")) { add(current.$parent, item.depth + 1, false); }
    }
    return order;
  }

  Panel.prototype.sequenceFlows = function () {
    return this.registry.filter(function (e) { return e.type === "bpmn:SequenceFlow"; })
      .map(function (e) { return e.businessObject; });
  };

  /** The flows leaving a shape (from the canvas: a file need not list them in the node). */
  Panel.prototype.outgoingFlows = function (element) {
    return (element.outgoing || []).filter(function (c) { return c.type === "bpmn:SequenceFlow"; })
      .map(function (c) { return c.businessObject; });
  };

  /** {names, groups: [{label, names}], outcomes: [{value, label}]} for an element. */
  Panel.prototype.availableVariables = function (bo) {
    var self = this;
    var before = upstream(bo, this.sequenceFlows());
    var fromSteps = [];
    var outcomes = null;
    var outcomeDepth = Infinity;
    before.forEach(function (item) {
      self.producedBy(item.node).forEach(function (name) {
        if (fromSteps.indexOf(name) < 0) { fromSteps.push(name); }
      });
      var props = propertiesOf(item.node);
      if (props.form === DECISION && item.depth <= outcomeDepth) {
        var offered = keys(props.outcomes).filter(function (k) { return OUTCOME_ORDER.indexOf(k) >= 0; });
        if (!offered.length) { offered = OUTCOME_ORDER.slice(); }
        outcomes = outcomes && item.depth === outcomeDepth ? outcomes : [];
        outcomeDepth = item.depth;
        offered.forEach(function (k) {
          if (outcomes.some(function (o) { return o.value === k; })) { return; }
          var fallback = self.forms[DECISION].outcomes.filter(function (o) { return o.key === k; })[0];
          outcomes.push({ value: k, label: props["label_" + k] || (fallback ? fallback.label : k) });
        });
      }
    });
    var start = this.catalog.start_data.slice();
    var steps = fromSteps.filter(function (n) { return start.indexOf(n) < 0; });
    return {
      names: start.concat(steps),
      groups: [
        { label: "此前步骤写入的数据", names: steps },
        { label: "立案时的数据", names: start }
      ],
      outcomes: outcomes
    };
  };

  Panel.prototype.variable = function (name) {
    return this.variables[name] || this.dynamic[name] || null;
  };

  Panel.prototype.variableLabel = function (name) {
    var v = this.variable(name);
    return (v ? v.label + "（" + name + "）" : name);
  };

  Panel.prototype.variableOptions = function (select, available, current, withParams) {
    var self = this;
    var listed = false;
    available.groups.forEach(function (group) {
      if (!group.names.length) { return; }
      var g = node("optgroup", { label: group.label });
      group.names.forEach(function (name) {
        if (name === current) { listed = true; }
        g.appendChild(option(name, self.variableLabel(name), name === current));
      });
      select.appendChild(g);
    });
    if (withParams && this.catalog.params.length) {
      var p = node("optgroup", { label: "本省参数" });
      this.catalog.params.forEach(function (param) {
        var value = "param:" + param.name;
        if (value === current) { listed = true; }
        p.appendChild(option(value, param.label + "（" + param.name + "）", value === current));
      });
      select.appendChild(p);
    }
    if (current && !listed) {
      select.appendChild(option(current, this.variableLabel(current.replace(/^param:/, "")) + "：此前步骤没有写入", true));
    }
  };

  /* ---- gateways and conditions ---- */
  Panel.prototype.renderGateway = function (element, bo) {
    var self = this;
    var outgoing = this.outgoingFlows(element);
    var select = node("select", { id: "pp-default" });
    select.appendChild(option("", "（未设置默认连线）", !bo.default));
    outgoing.forEach(function (flow) { select.appendChild(option(flow.id, flowLabel(flow), bo.default === flow)); });
    select.addEventListener("change", function () {
      var flow = outgoing.filter(function (f) { return f.id === select.value; })[0];
      self.setDefault(element, flow || null);
    });
    var list = node("ul", { className: "pp-flows" });
    outgoing.forEach(function (flow) {
      var text = bo.default === flow ? "默认连线" : flow.conditionExpression ? self.describe(flow.conditionExpression.body || "") : "尚未设置条件";
      var button = node("button", { type: "button", className: "link", text: flowLabel(flow) });
      button.addEventListener("click", function () { self.selection.select(self.registry.get(flow.id)); });
      list.appendChild(node("li", {}, [button, node("span", { className: "pp-help", text: "：" + text })]));
    });
    this.body.appendChild(section("出口连线", [
      field("pp-default", "默认连线", select, "其他连线的条件都不满足时走默认连线；有两条以上出口连线时必须设置。"),
      outgoing.length ? list : node("p", { className: "pp-help", text: "还没有出口连线。" }),
      outgoing.length ? node("p", { className: "pp-help", text: "点击连线可设置它的条件。" }) : null
    ]));
  };

  Panel.prototype.setDefault = function (gateway, flow) {
    var self = this;
    this.batch(function () {
      self.modeling.updateProperties(gateway, { "default": flow || undefined });
      var shape = flow ? self.registry.get(flow.id) : null;
      if (shape && flow.conditionExpression) { self.modeling.updateProperties(shape, { conditionExpression: undefined }); }
    });
  };

  Panel.prototype.renderFlow = function (element, bo) {
    var self = this;
    this.renderName(element, bo);
    var source = bo.sourceRef;
    if (!isAny(source, CONDITION_GATEWAYS)) {
      this.body.appendChild(node("p", { className: "pp-help", text: "这条连线不从排他网关出发，按顺序进行，不需要条件。" }));
      return;
    }
    if (source.default === bo) {
      var undo = node("button", { type: "button", className: "btn small", text: "取消默认连线" });
      undo.addEventListener("click", function () { self.setDefault(self.registry.get(source.id), null); });
      this.body.appendChild(section("条件", [
        node("p", { className: "pp-help", text: "这是网关“" + (source.name || source.id) + "”的默认连线：其他连线的条件都不满足时走这条，不需要条件。" }),
        undo
      ]));
      return;
    }
    var makeDefault = node("button", { type: "button", className: "btn small", text: "设为默认连线" });
    makeDefault.addEventListener("click", function () { self.setDefault(self.registry.get(source.id), bo); });
    this.renderCondition(element, bo, source, makeDefault);
  };

  function unquote(literal) {
    if (literal.charAt(0) === "\"") { try { return JSON.parse(literal); } catch (ignored) { return null; } }
    if (literal.charAt(0) === "'") { return literal.slice(1, -1).replace(/\\(.)/g, "$1"); }
    return literal;
  }

  function splitAnd(text) {
    var parts = [], depth = 0, quote = "", start = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (quote) {
        if (c === "\\") { i++; } else if (c === quote) { quote = ""; }
        continue;
      }
      if (c === "\"" || c === "'") { quote = c; } else if (c === "(") { depth++; } else if (c === ")") { depth--; }
      else if (depth === 0 && text.substr(i, 5) === " and ") { parts.push(text.slice(start, i)); start = i + 5; i += 4; }
    }
    parts.push(text.slice(start));
    return parts.map(function (p) { return p.trim(); });
  }

  /** A condition as clauses {variable, op, value}, or null when it is written otherwise. */
  function parseCondition(text) {
    text = (text || "").trim();
    if (!text) { return []; }
    var clauses = [];
    var ok = splitAnd(text).every(function (part) {
      var m;
      function subject(s, param) { return param ? "param:" + param : s; }
      if ((m = new RegExp("^not\\s+" + SUBJECT + "$").exec(part))) { clauses.push({ variable: subject(m[1], m[2]), op: "falsy", value: "" }); return true; }
      if ((m = new RegExp("^len\\(\\s*(" + NAME + ")\\s*\\)\\s*>\\s*0$").exec(part))) { clauses.push({ variable: m[1], op: "nonempty", value: "" }); return true; }
      if ((m = new RegExp("^len\\(\\s*(" + NAME + ")\\s*\\)\\s*==\\s*0$").exec(part))) { clauses.push({ variable: m[1], op: "empty", value: "" }); return true; }
      if ((m = new RegExp("^" + SUBJECT + "\\s*(==|!=|>=|<=|>|<)\\s*" + LITERAL + "$").exec(part))) {
        var value = unquote(m[4]);
        if (value === null) { return false; }
        clauses.push({ variable: subject(m[1], m[2]), op: m[3], value: value, quoted: /^["']/.test(m[4]) });
        return true;
      }
      if ((m = new RegExp("^" + SUBJECT + "$").exec(part)) && ["True", "False", "None", "not"].indexOf(m[1]) < 0) {
        clauses.push({ variable: subject(m[1], m[2]), op: "truthy", value: "" });
        return true;
      }
      return false;
    });
    return ok ? clauses : null;
  }

  Panel.prototype.kindOf = function (variable, outcomes) {
    if (variable.indexOf("param:") === 0) {
      var param = this.params[variable.slice(6)];
      return param ? param.kind : "text";
    }
    if (variable === "decision" && outcomes) { return "choice"; }
    var v = this.variable(variable);
    return v ? v.kind : "text";
  };

  Panel.prototype.valuesOf = function (variable, outcomes) {
    if (variable === "decision" && outcomes) { return outcomes; }
    var v = this.variable(variable);
    return v && v.values ? v.values : [];
  };

  Panel.prototype.expression = function (clause, outcomes) {
    var subject = clause.variable.indexOf("param:") === 0 ? "province_param(\"" + clause.variable.slice(6) + "\")" : clause.variable;
    var kind = this.kindOf(clause.variable, outcomes);
    switch (clause.op) {
      case "truthy": return subject;
      case "falsy": return "not " + subject;
      case "nonempty": return "len(" + subject + ") > 0";
      case "empty": return "len(" + subject + ") == 0";
      default:
        if (clause.value === "" || clause.value === undefined) { return ""; }
        if (kind === "number" || (!clause.quoted && /^-?\d+(\.\d+)?$/.test(clause.value) && kind !== "choice" && kind !== "text")) {
          return /^-?\d+(\.\d+)?$/.test(clause.value) ? subject + " " + clause.op + " " + clause.value : "";
        }
        return subject + " " + clause.op + " " + JSON.stringify(String(clause.value));
    }
  };

  Panel.prototype.describe = function (text) {
    var self = this;
    var clauses = parseCondition(text);
    if (!clauses) { return "自定义条件 " + text; }
    return clauses.map(function (c) {
      var known = self.variable(c.variable);
      var name = c.variable.indexOf("param:") === 0 ? (self.params[c.variable.slice(6)] || { label: c.variable }).label : (known ? known.label : c.variable);
      var values = self.valuesOf(c.variable, null);
      var shown = values.filter(function (v) { return v.value === c.value; })[0];
      return name + OPERATORS[c.op] + (c.value !== "" ? "“" + (shown ? shown.label : c.value) + "”" : "");
    }).join("，并且");
  };

  Panel.prototype.renderCondition = function (element, bo, gateway, makeDefault) {
    var self = this;
    var text = bo.conditionExpression ? (bo.conditionExpression.body || "").trim() : "";
    var parsed = parseCondition(text);
    var available = this.availableVariables(bo);
    var outcomes = available.outcomes;
    // rows still being filled in (no expression written for them yet) survive a render,
    // as long as what they say is what the model has (an undo shows the model again)
    var pending = this.pending && this.pending.element === element.id ? this.pending.clauses : null;
    if (pending && parsed !== null) {
      var written = pending.map(function (c) { return c.variable && c.op ? self.expression(c, outcomes) : ""; });
      if (written.filter(Boolean).join(" and ") === text) { parsed = pending; } else { this.pending = null; }
    }
    var children = [];
    if (parsed === null) {
      var rewrite = node("button", { type: "button", className: "btn small", text: "改用条件选择器重新设置" });
      rewrite.addEventListener("click", function () { self.writeCondition(element, [{ variable: "", op: "", value: "" }], outcomes, true); });
      children.push(node("p", { className: "pp-warn", role: "note" }, ["该连线的条件不是面板能拆分的写法：", node("code", { text: text })]), rewrite);
      this.body.appendChild(section("条件", children.concat([makeDefault])));
      return;
    }
    var clauses = parsed.length ? parsed : [{ variable: "", op: "", value: "" }];
    clauses.forEach(function (clause, index) {
      children.push(self.renderClause(element, clauses, index, available, outcomes));
    });
    var add = node("button", { type: "button", className: "btn small", text: "＋ 再加一个条件（并且）" });
    add.addEventListener("click", function () {
      clauses.push({ variable: "", op: "", value: "" });
      self.pending = { element: element.id, clauses: clauses };
      self.render();
    });
    children.push(node("div", { className: "pp-actions" }, [add, makeDefault]));
    children.push(node("p", { className: "pp-writes" }, ["条件表达式：", node("code", { text: text || "（尚未设置）" })]));
    if (!text) {
      children.push(node("p", { className: "pp-help", text: "非默认连线必须有条件；条件由网关之前的表单和步骤写入的数据组成。" }));
    }
    this.body.appendChild(section("条件（从“" + (gateway.name || gateway.id) + "”出发）", children));
  };

  Panel.prototype.renderClause = function (element, clauses, index, available, outcomes) {
    var self = this;
    var clause = clauses[index];
    var wrap = node("fieldset", { className: "pp-group pp-clause" }, [node("legend", { text: index ? "并且 条件" + (index + 1) : "条件" + (index + 1) })]);

    var variable = node("select", { id: "pp-cond-var-" + index });
    variable.appendChild(option("", "请选择数据", !clause.variable, true));
    this.variableOptions(variable, available, clause.variable, true);
    variable.addEventListener("change", function () {
      clause.variable = variable.value;
      var ops = OPERATORS_BY_KIND[self.kindOf(clause.variable, outcomes)] || OPERATORS_BY_KIND.text;
      if (ops.indexOf(clause.op) < 0) { clause.op = ops[0]; }
      clause.value = "";
      var values = self.valuesOf(clause.variable, outcomes);
      if (values.length && (clause.op === "==" || clause.op === "!=")) { clause.value = values[0].value; }
      self.writeCondition(element, clauses, outcomes);
    });
    wrap.appendChild(field("pp-cond-var-" + index, "数据", variable));

    if (clause.variable) {
      var kind = this.kindOf(clause.variable, outcomes);
      var ops = (OPERATORS_BY_KIND[kind] || OPERATORS_BY_KIND.text).slice();
      if (clause.op && ops.indexOf(clause.op) < 0) { ops.push(clause.op); }
      var op = node("select", { id: "pp-cond-op-" + index });
      ops.forEach(function (o) { op.appendChild(option(o, OPERATORS[o], o === clause.op)); });
      op.addEventListener("change", function () {
        clause.op = op.value;
        var values = self.valuesOf(clause.variable, outcomes);
        if ((clause.op === "==" || clause.op === "!=") && !clause.value && values.length) { clause.value = values[0].value; }
        self.writeCondition(element, clauses, outcomes);
      });
      wrap.appendChild(field("pp-cond-op-" + index, "比较", op));
      if (["==", "!=", ">", ">=", "<", "<="].indexOf(clause.op) >= 0) {
        var values = this.valuesOf(clause.variable, outcomes);
        var id = "pp-cond-value-" + index;
        var control;
        if (values.length) {
          control = node("select", { id: id });
          var listed = false;
          values.forEach(function (v) {
            if (v.value === clause.value) { listed = true; }
            control.appendChild(option(v.value, v.label + "（" + v.value + "）", v.value === clause.value));
          });
          if (clause.value && !listed) { control.appendChild(option(clause.value, clause.value + "（此前的审批没有这个结果）", true)); }
        } else {
          control = node("input", { type: kind === "number" ? "number" : "text", id: id, value: clause.value || "", autocomplete: "off", maxLength: 100 });
        }
        control.addEventListener("change", function () {
          clause.value = control.value;
          clause.quoted = kind !== "number";
          self.writeCondition(element, clauses, outcomes);
        });
        wrap.appendChild(field(id, "值", control, values.length ? null : (kind === "number" ? "填写数字。" : "填写要比较的文字。")));
      }
    }
    if (clauses.length > 1) {
      var remove = node("button", { type: "button", className: "link danger", text: "删除这个条件" });
      remove.addEventListener("click", function () {
        clauses.splice(index, 1);
        self.writeCondition(element, clauses, outcomes, true);
      });
      wrap.appendChild(remove);
    }
    return wrap;
  };

  Panel.prototype.writeCondition = function (element, clauses, outcomes, keepRows) {
    var self = this;
    var parts = clauses.map(function (c) { return c.variable && c.op ? self.expression(c, outcomes) : ""; });
    var complete = parts.filter(Boolean);
    var text = complete.join(" and ");
    var bo = element.businessObject;
    var now = bo.conditionExpression ? (bo.conditionExpression.body || "").trim() : "";
    var rows = complete.length < clauses.length || keepRows;
    this.pending = rows ? { element: element.id, clauses: clauses } : null;
    if (text === now) { this.render(); return; }
    var expression = text ? this.create("bpmn:FormalExpression", { body: text }, bo) : undefined;
    this.modeling.updateProperties(element, { conditionExpression: expression });
  };

  api.parseCondition = function (text) { return parseCondition(text); };
})(window.QuotaProcessPanel);
