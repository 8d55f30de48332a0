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
    editor = new window.FormEditor.FormEditor({ container: canvas });
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
