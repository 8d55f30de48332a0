"""设计表单 in Chromium (issue 14): the owner turns a step into a form of their own in the
modeler, designs it in bpmn.io's form editor (served from our origin, strict CSP kept),
and the draft saved holds the design in the task's form_schema, checked by the server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.models import SpecVersion
from tests.browser.conftest import login
from tests.browser.test_process_modeler import owner_page, violations  # noqa: F401  (fixture)
from tests.browser.test_process_panel import open_editor, select_element

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
SCHEMA = {
    "type": "default",
    "components": [
        {"type": "textfield", "key": "contact", "label": "联系人", "validate": {"required": True}},
        {"type": "radio", "key": "conclusion", "label": "核实结论",
         "values": [{"label": "属实", "value": "yes"}, {"label": "不属实", "value": "no"}]},
        {"type": "datetime", "subtype": "date", "key": "visited_on", "dateLabel": "核实日期", "label": "核实日期"},
    ],
}


def test_owner_designs_a_form_for_a_step(live_server, owner_page, shots):  # noqa: F811
    base, app = live_server
    page = owner_page
    login(page, base, "owner_nmg", staff=True)
    open_editor(page, base, "placement_review")
    select_element(page, "supervise")  # 逾期督办, a supervisor's step
    page.select_option("#pp-form", "custom")
    page.wait_for_selector("[data-design-form]")
    assert "尚未设计表单" in page.locator("[data-process-panel]").inner_text()
    page.click("[data-design-form]")
    page.wait_for_selector("[data-form-designer][open] .fjs-editor-container", timeout=15000)
    page.wait_for_selector("[data-form-designer] .fjs-palette, [data-form-designer] .fjs-palette-container", timeout=15000)
    # the editor speaks Chinese and offers only the controls the server takes
    palette = page.locator("[data-form-designer] .fjs-palette")
    palette_text = palette.inner_text()
    for word in ("控件", "填写", "选择", "单行文本", "多行文本", "数字", "日期", "下拉选择", "是/否", "附件", "说明文字"):
        assert word in palette_text, word
    assert "Text field" not in palette_text and "Components" not in palette_text
    assert palette.locator("input.fjs-palette-search").get_attribute("placeholder") == "搜索控件"
    offered = set(palette.locator("[data-field-type]").evaluate_all("els => els.map(e => e.dataset.fieldType)"))
    assert offered == {"textfield", "textarea", "number", "datetime", "select", "radio", "checkbox", "filepicker", "text"}
    for refused in ("expression", "checklist", "taglist", "table", "iframe", "html", "button", "dynamiclist"):
        assert palette.locator(f'[data-field-type="{refused}"]').count() == 0, refused
    page.evaluate("schema => window.QuotaFormDesigner.editor().importSchema(schema)", SCHEMA)
    page.wait_for_selector("[data-form-designer] .fjs-form-field-textfield")
    page.click("[data-form-designer] .fjs-form-field-radio")
    panel = page.locator("[data-form-designer] .fjs-properties-panel")
    page.locator("[data-form-designer] .fjs-properties-panel", has_text="校验").wait_for()
    panel.locator(".bio-properties-panel-group-header", has_text="基本").click()
    panel.locator(".bio-properties-panel-group-header", has_text="校验").click()
    panel.locator("label", has_text="键名").first.wait_for()
    panel_text = panel.inner_text()
    for word in ("基本", "标题", "键名", "说明", "校验", "必填", "选项来源", "固定选项", "单选"):
        assert word in panel_text, (word, panel_text)
    for english in ("General", "Field label", "Key", "Validation", "Required", "Options source", "Static options"):
        assert english not in panel_text, english
    page.screenshot(path=str(SHOTS / "49-form-designer-zh.png"))
    # a control added from the palette is labelled in Chinese
    palette.locator('[data-field-type="textarea"]').focus()
    page.keyboard.press("Enter")
    added = page.evaluate("() => window.QuotaFormDesigner.editor().saveSchema().components.slice(-1)[0]")
    assert added["type"] == "textarea" and added["label"] == "多行文本"
    page.evaluate("schema => window.QuotaFormDesigner.editor().importSchema(schema)", SCHEMA)
    page.wait_for_selector("[data-form-designer] .fjs-form-field-textfield")
    page.screenshot(path=str(SHOTS / "49-form-designer.png"))
    shots(page, "49-form-designer")
    page.click("[data-form-designer-save]")
    page.wait_for_selector("[data-form-designer]:not([open])", state="attached")
    assert "已设计3个填写项" in page.locator("[data-process-panel]").inner_text()
    saved = page.evaluate("""() => {
      const bo = window.bpmnDiagram.get('elementRegistry').get('supervise').businessObject;
      const props = bo.extensionElements.values.find(v => v.$type === 'spiffworkflow:Properties');
      return props.properties.find(p => p.name === 'form_schema').value;
    }""")
    assert [c["key"] for c in json.loads(saved)["components"]] == ["contact", "conclusion", "visited_on"]

    page.fill("[data-draft-note]", "逾期督办改为自定义表单")
    page.click("[data-bpmn-save]")
    page.wait_for_url(re.compile(r"/processes/versions/\d+$"))
    version_id = int(page.url.rsplit("/", 1)[1])
    with app.extensions["quotacert"].transaction() as s:
        xml = s.get(SpecVersion, version_id).bpmn_xml
    assert 'name="form" value="custom"' in xml and "conclusion" in xml
    found = violations(page) + page.problems
    assert found == [], "\n".join(found)
