/*
 * 设计表单: bpmn.io's form editor (form-js, served from our own origin) in a dialog of the
 * modeler page, for a user task whose form is `custom`. The schema it saves is kept in
 * the task's `form_schema` property by the properties panel, so it is stored with the
 * diagram version and checked by the server when the draft is saved (a field type or a
 * key the product cannot take is listed on the task, like any other problem).
 *
 *   QuotaFormDesigner.open(taskName, schemaText, onSave)  onSave(schemaText)
 */
(function () {
  "use strict";

  var EMPTY = { type: "default", components: [] };
  var editor = null;
  var observer = null;

  /*
   * 中文界面. form-js 1.23 has no translate service (only the generic properties-panel
   * widgets take a `translate` prop, and the form editor never passes one), so:
   *  - the palette names and the labels new fields get come from each field type's
   *    `config` (name/label, create) in the `formFields` registry, set here;
   *  - the types the product refuses are made non-enumerable in that registry: the
   *    palette lists Object.entries(...) so they are not offered, while formFields.get()
   *    still knows them (a stored schema holding one still opens; the server refuses it);
   *  - group titles of the properties panel through a last properties provider;
   *  - the rest (palette group titles, entry labels and hints, placeholders, tooltips)
   *    is hard-coded English in the library's components: a MutationObserver swaps the
   *    exact texts it finds in the palette and the properties panel (never in inputs or
   *    the FEEL editors, never in the form being designed).
   */
  var ALLOWED = {
    textfield: { name: "单行文本", label: "单行文本" },
    textarea: { name: "多行文本", label: "多行文本" },
    number: { name: "数字", label: "数字" },
    datetime: { name: "日期", label: null, dateLabel: "日期" },
    select: { name: "下拉选择", label: "下拉选择" },
    radio: { name: "单选", label: "单选" },
    checkbox: { name: "是/否", label: "是否" },
    filepicker: { name: "附件", label: "附件" },
    text: { name: "说明文字", label: null }
  };
  var TEXT = {
    // palette
    "Components": "控件", "Search components": "搜索控件", "Clear content": "清空",
    "No components found.": "没有找到控件", "Input": "填写", "Selection": "选择",
    "Presentation": "展示", "Containers": "容器", "Action": "操作",
    // properties panel: header, groups
    "Properties": "属性", "Select a form field to edit its properties.": "选中一个表单项以编辑其属性",
    "Multiple form fields are selected. Select a single form field to edit its properties.": "选中了多个表单项，请只选一个来编辑属性",
    "General": "基本", "Options": "选项", "Static options": "固定选项", "Options source": "选项来源",
    "Validation": "校验", "Constraints": "限制", "Serialization": "数据格式", "Appearance": "外观",
    "Layout": "布局", "Condition": "显示条件", "Custom properties": "自定义属性",
    "Security attributes": "安全属性", "Text": "文字", "Subtype": "类型", "Content": "内容",
    // entries
    "Field label": "标题", "Label": "标题", "Key": "键名", "Value": "值", "ID": "ID",
    "Field description": "说明", "Description": "说明", "Default value": "默认值",
    "Required": "必填", "Read only": "只读", "Disabled": "禁用", "Searchable": "可搜索",
    "Minimum length": "最短长度", "Maximum length": "最长长度", "Minimum": "最小值", "Maximum": "最大值",
    "Regular expression pattern": "正则表达式", "Custom": "自定义", "Email": "电子邮件", "Phone": "电话",
    "Validation pattern": "校验规则", "Custom error message": "出错提示",
    "Decimal digits": "小数位数", "Increment": "步长", "Output as string": "以文字输出",
    "Prefix": "前缀", "Suffix": "后缀", "Date label": "日期标题", "Time label": "时间标题",
    "Date": "日期", "Time": "时间", "Date & Time": "日期和时间", "Disallow past dates": "不许选过去的日期",
    "Checked": "勾选", "Not checked": "不勾选", "None": "无",
    "Supported file formats": "允许的文件格式", "Upload multiple files": "允许上传多个文件",
    "Columns": "列宽", "Auto": "自动", "Hide if": "隐藏条件",
    "Create new list item": "新增一项", "Create": "新增", "Delete item": "删除此项",
    "Toggle section": "展开/收起", "Toggle list item": "展开/收起", "<empty>": "<空>",
    "Section contains an error": "此组有错误", "Section contains edits": "此组已改动",
    "Must not be empty.": "不能为空", "Must be unique.": "不能重复",
    "Open documentation": "查看文档", "Open pop-up editor": "在弹窗中编辑", "Opened in editor": "已在编辑器中打开",
    // the form canvas's empty state and the field toolbar
    "Build your form": "开始设计表单", "Drag and drop components here to start designing.": "把左侧控件拖到这里",
    "Use the preview window to test your form.": "", "Remove": "删除",
    // type names in the panel header
    "Form": "表单", "Version tag": "版本标记", "Binds to a form variable": "对应表单数据中的字段名",
    "Condition under which the field is hidden": "满足此条件时隐藏该项", "<none>": "<无>", "Type": "类型",
    "Static": "固定选项", "Input data": "输入数据", "Expression": "表达式",
    "Allows arbitrary precision values": "允许任意精度的数值", "Custom regular expression": "自定义正则表达式",
    "A comma-separated list of": "以逗号分隔的", "file type specifiers": "文件类型（如 .pdf,image/*）",
    "Supports markdown and templating.": "支持 Markdown 和模板。", "Learn more": "了解更多",
    "Click to set a dynamic value with FEEL expression": "点击改用 FEEL 表达式设置动态值",
    "Click to remove dynamic value with FEEL expression": "点击取消 FEEL 表达式",
    "FEEL expression is mandatory": "此处必须是 FEEL 表达式",
    "Text field": "单行文本", "Text area": "多行文本", "Number": "数字", "Date time": "日期",
    "Select": "下拉选择", "Radio group": "单选", "Checkbox": "是/否", "File picker": "附件", "Text view": "说明文字"
  };
  var ENGLISH_DEFAULTS = ["Text field", "Text area", "Number", "Select", "Radio group", "Checkbox", "File picker"];
  var SCOPES = ".fjs-palette, .fjs-properties-panel, .fjs-empty-editor, .fjs-context-pad";
  // <option> texts of the panel's selects are translated; their values are attributes
  var SKIP = "input, textarea, [contenteditable], .cm-editor, .fjs-form-field";
  var PATTERNS = [
    [/^Create an? (.+) element$/, "添加$1"], [/^Remove (.+)$/, "删除$1"],
    [/^List contains (\d+) items?$/, "共$1项"]
  ];

  function say(text) {
    var trimmed = text.trim();
    if (!trimmed || !Object.prototype.hasOwnProperty.call(TEXT, trimmed)) { return null; }
    return text.replace(trimmed, TEXT[trimmed]);
  }

  function translateNode(node) {
    var element = node.nodeType === 3 ? node.parentElement : node;
    if (!element || !element.closest || !element.closest(SCOPES) || element.closest(SKIP)) {
      if (node.nodeType === 1 && node.querySelectorAll) {  // a container above the scopes
        node.querySelectorAll(SCOPES).forEach(translateNode);
      }
      return;
    }
    if (node.nodeType === 3) {
      var text = say(node.data);
      if (text !== null && text !== node.data) { node.data = text; }
      return;
    }
    [node].concat(Array.prototype.slice.call(node.querySelectorAll("*"))).forEach(function (el) {
      ["title", "placeholder", "aria-label"].forEach(function (name) {
        var value = el.getAttribute(name);
        if (!value) { return; }
        var text = say(value);
        PATTERNS.forEach(function (p) { if (text === null && p[0].test(value)) { text = value.replace(p[0], p[1]); } });
        if (text !== null && text !== value) { el.setAttribute(name, text); }
      });
      if (el.closest(SKIP)) { return; }
      Array.prototype.forEach.call(el.childNodes, function (child) {
        if (child.nodeType === 3) {
          var t = say(child.data);
          if (t !== null && t !== child.data) { child.data = t; }
        }
      });
    });
  }

  function watch(container) {
    translateNode(container);
    var observer = new MutationObserver(function (records) {
      records.forEach(function (record) {
        if (record.type === "characterData") { translateNode(record.target); }
        else if (record.type === "attributes") { translateNode(record.target); }
        else { Array.prototype.forEach.call(record.addedNodes, translateNode); }
      });
    });
    observer.observe(container, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ["title", "placeholder", "aria-label"]
    });
    return observer;
  }

  function QuotaLocale(formFields, propertiesPanel) {
    var fields = formFields._formFields;
    Object.keys(fields).forEach(function (type) {
      var zh = ALLOWED[type];
      if (type === "default") { return; }
      if (!zh) {  // not offered in the palette; formFields.get(type) keeps working
        Object.defineProperty(fields, type, { value: fields[type], enumerable: false, writable: true, configurable: true });
        return;
      }
      var field = fields[type];
      var config = field.config;
      if (config.quotaLocalised) { return; }
      var create = config.create;
      field.config = Object.assign({}, config, {
        quotaLocalised: true,
        name: zh.name,
        label: config.label !== undefined ? zh.name : undefined,
        create: function (options, isNewField) {
          var made = create ? create.call(this, options, isNewField) : Object.assign({}, options);
          if (isNewField === false) { return made; }  // importing a schema: leave it as it is
          if (zh.label && made.label === config.label) { made.label = zh.label; }  // the library's default
          if (zh.label && ENGLISH_DEFAULTS.indexOf(made.label) >= 0) { made.label = zh.label; }
          if (zh.dateLabel && made.dateLabel === "Date") { made.dateLabel = zh.dateLabel; }
          if (type === "text" && made.text === "# Text") { made.text = "说明文字"; }
          return made;
        }
      });
    });
    propertiesPanel.registerProvider({
      getGroups: function () {
        return function (groups) {
          return groups.map(function (group) {
            var zh = group && say(group.label || "");
            return zh ? Object.assign({}, group, { label: zh }) : group;
          });
        };
      }
    }, 1);  // lowest priority: runs after the library's own providers
  }
  QuotaLocale.$inject = ["formFields", "propertiesPanel"];
  var LocaleModule = { __init__: ["quotaLocale"], quotaLocale: ["type", QuotaLocale] };

  function dialog() { return document.querySelector("[data-form-designer]"); }

  function parsed(text) {
    if (!text) { return JSON.parse(JSON.stringify(EMPTY)); }
    try {
      var schema = JSON.parse(text);
      return schema && Array.isArray(schema.components) ? schema : JSON.parse(JSON.stringify(EMPTY));
    } catch (ignored) {
      return JSON.parse(JSON.stringify(EMPTY));
    }
  }

  function showError(box, message) {
    var error = box.querySelector("[data-form-designer-error]");
    error.textContent = message || "";
    error.hidden = !message;
  }

  function close(box) {
    if (observer) { observer.disconnect(); observer = null; }
    if (editor) {
      try { editor.destroy(); } catch (ignored) { /* already gone */ }
      editor = null;
    }
    box.querySelector("[data-form-designer-canvas]").textContent = "";
    if (box.open) { box.close(); }
  }

  function open(taskName, schemaText, onSave) {
    var box = dialog();
    if (!box || !window.FormEditor || !window.FormEditor.FormEditor) {
      window.alert("表单设计器未能加载，请刷新页面后重试");
      return;
    }
    close(box);
    box.querySelector("[data-form-designer-task]").textContent = taskName || "用户任务";
    showError(box, "");
    var canvas = box.querySelector("[data-form-designer-canvas]");
    editor = new window.FormEditor.FormEditor({ container: canvas, additionalModules: [LocaleModule] });
    observer = watch(canvas);
    box.showModal();
    editor.importSchema(parsed(schemaText)).catch(function () {
      showError(box, "原有的表单设计无法读取，已换成空白表单");
      return editor.importSchema(JSON.parse(JSON.stringify(EMPTY)));
    });
    box.querySelector("[data-form-designer-save]").onclick = function () {
      var schema = editor.saveSchema();
      var fields = (schema.components || []).filter(function (c) { return c.type !== "text"; });
      if (!fields.length) {
        showError(box, "表单至少须有一个填写项");
        return;
      }
      onSave(JSON.stringify(schema));
      close(box);
    };
    box.querySelector("[data-form-designer-cancel]").onclick = function () { close(box); };
    box.addEventListener("cancel", function () { close(box); }, { once: true });
  }

  // `editor()`: the open form editor (its importSchema/saveSchema), for the browser tests
  window.QuotaFormDesigner = { open: open, editor: function () { return editor; } };
})();
