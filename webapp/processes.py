"""流程管理 (issue 14): a province's process owner (流程管理员) keeps its diagrams.

The list shows each process the country ships, the national default in force, the
province's own version in force (or 按全国默认流程办理) and the province's versions; an
owner uploads a BPMN file as a draft, draws one in the browser (bpmn-js Modeler, saved as
a draft through a JSON endpoint that answers the checker's problems by element id),
publishes a draft, and takes the province's version out of force. Everything is scoped
to the owner's province by `casework.process_versions`, which also writes the audit log.

bpmn-js comes from npm (package.json at the repository root, `npm ci` in scripts/install)
and is served from our own origin under /vendor/bpmn-js/, so the pages keep the strict
Content-Security-Policy (script-src 'self', style-src 'self'): the UMD bundles need no
eval and no inline script, and the styles they set from script are CSSOM properties,
which style-src does not govern.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from casework import process_versions
from casework.process_versions import MAX_UPLOAD_BYTES, OWNER_ROLE, SOURCE_NAMES, STATUS_HELP
from casework.scope import Forbidden, NotFound
from domain import regions
from domain.errors import DomainError
from engine.models import SpecVersion
from engine.specs import SpecError
from webapp.auth import role_required
from webapp.extensions import client_ip, db, system

bp = Blueprint("processes", __name__)
owner_required = role_required(OWNER_ROLE)

BPMN_JS_DIR = Path(__file__).resolve().parent.parent / "node_modules" / "bpmn-js"
VENDOR_DIR = BPMN_JS_DIR / "dist"
# bpmn.io's form editor (自定义表单的设计器): its UMD bundle and stylesheets
FORM_JS_DIR = Path(__file__).resolve().parent.parent / "node_modules" / "@bpmn-io" / "form-js"
FORM_JS_FILES = frozenset({
    "form-editor.umd.js", "assets/form-js.css", "assets/form-js-editor.css", "assets/properties-panel.css",
    "assets/flatpickr/light.css",
})
# dmn-js (决策表的编辑器和查看器): the two UMD bundles, their stylesheets and the DMN font
DMN_JS_DIR = Path(__file__).resolve().parent.parent / "node_modules" / "dmn-js"
DMN_JS_FILES = frozenset({
    "dmn-modeler.production.min.js", "dmn-viewer.production.min.js",
    "assets/diagram-js.css", "assets/dmn-js-shared.css", "assets/dmn-js-drd.css",
    "assets/dmn-js-decision-table.css", "assets/dmn-js-decision-table-controls.css",
    "assets/dmn-js-literal-expression.css", "assets/dmn-js-boxed-expression.css",
    "assets/dmn-js-boxed-expression-controls.css", "assets/dmn-font/css/dmn.css",
    "assets/dmn-font/font/dmn.woff2", "assets/dmn-font/font/dmn.woff", "assets/dmn-font/font/dmn.ttf",
    "assets/dmn-font/font/dmn.eot", "assets/dmn-font/font/dmn.svg",
})
# the answer of GET .dmn for a version without decision tables: a document to start from
# (one empty UNIQUE table), flagged by this header so the editor saves nothing unless it
# is edited
DMN_STARTER_HEADER = "X-DMN-Starter"
DMN_STARTER = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" \
xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" \
id="definitions_{process_id}" name="{name}决策表" namespace="http://quotacert.cn/dmn/{process_id}">
  <decision id="decision_1" name="决策表1">
    <decisionTable id="decisionTable_1" hitPolicy="UNIQUE">
      <input id="input_1" label="输入1">
        <inputExpression id="inputExpression_1" typeRef="string">
          <text></text>
        </inputExpression>
      </input>
      <output id="output_1" label="结果" name="result" typeRef="string" />
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_decision_1" dmnElementRef="decision_1">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""
# what the pages load from the package: the two UMD bundles, their CSS and the BPMN font
VENDOR_SUFFIXES = (".js", ".css", ".woff2", ".woff", ".ttf", ".eot", ".svg")
NOTE_MAX = 500
PUBLISHED_MESSAGE = "已发布{name} V{number}，本省新建业务将按此版本办理；在办业务不受影响"


@cache
def bpmn_js_version() -> str:
    """The installed bpmn-js release (cache-busting query of the vendor URLs); "" if absent."""
    try:
        return str(json.loads((BPMN_JS_DIR / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return ""


def _problems(exc: DomainError) -> list[dict[str, str]]:
    """The checker's problems as {"element", "message"}; a bare message when it has none."""
    found = [{"element": p.element or "", "message": p.message} for p in getattr(exc, "problems", [])]
    return found or [{"element": "", "message": exc.message}]


def _province_name(province: str) -> str:
    return regions.label(province) or province


def _render_index(upload_errors: dict[str, list[dict[str, str]]] | None = None,
                  notes: dict[str, str] | None = None, status: int = 200):
    from webapp.process_changes import index_extras

    province = process_versions.province_of(current_user)
    rows = process_versions.summaries(db(), current_user)
    return render_template(
        "processes/index.html",
        rows=rows,
        **index_extras(rows),
        province=province,
        province_name=_province_name(province),
        status_of=process_versions.status_of,
        status_help=STATUS_HELP,
        source_names=SOURCE_NAMES,
        upload_errors=upload_errors or {},
        notes=notes or {},
        max_mb=MAX_UPLOAD_BYTES // 1_000_000,
        note_max=NOTE_MAX,
    ), status


@bp.get("/processes/")
@owner_required
def index():
    return _render_index()


@bp.post("/processes/<process_id>/upload")
@owner_required
def upload(process_id: str):
    """上传流程图: a BPMN file from Camunda Modeler or any tool, kept as a draft when it
    passes every check; otherwise the list page again with each problem and its element."""
    storage = request.files.get("bpmn")
    note = (request.form.get("note") or "").strip()[:NOTE_MAX]
    if storage is None or (not storage.filename and not storage.content_length):
        problems = [{"element": "", "message": "请选择要上传的BPMN流程图文件（.bpmn）"}]
        return _render_index({process_id: problems}, {process_id: note}, 422)
    # one byte more than the limit is enough to know the file is too big
    data = storage.stream.read(MAX_UPLOAD_BYTES + 1)
    filename = (storage.filename or "")[:200]
    try:
        version = process_versions.save_draft(
            db(), system().registry, current_user, data, process_id=process_id, source="upload",
            note=note, filename=filename, ip=client_ip(),
        )
    except SpecError as exc:
        db().rollback()
        return _render_index({process_id: _problems(exc)}, {process_id: note}, 422)
    db().commit()
    flash(f"已保存为草稿：{version.name} V{version.number}。草稿尚未生效，核对无误后请点击“发布”", "success")
    return redirect(url_for("processes.view", version_id=version.id))


@bp.post("/processes/<process_id>/drafts")
@owner_required
def save_draft(process_id: str):
    """保存为草稿 from the modeler: JSON {"xml", "dmn", "note"} → 201 {"id", "number", "url"},
    or 422 {"message", "problems": [{"element", "message"}]} for the page to list and mark
    (a problem of the decision tables names the DMN element, such as the decision's id).
    `dmn` is the version's DMN document, "" (or absent) for none."""
    if (request.content_length or 0) > 4 * MAX_UPLOAD_BYTES + 4096:
        return _json_error(413, f"流程图过大（上限{MAX_UPLOAD_BYTES // 1_000_000} MB）")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        return _json_error(400, "请求格式不正确：须为JSON，含流程图XML（xml）")
    dmn = body.get("dmn")
    if dmn is None:
        dmn = ""
    if not isinstance(dmn, str):
        return _json_error(400, "请求格式不正确：决策表（dmn）须为DMN XML文本，没有决策表时为空")
    if len(dmn.encode("utf-8")) > MAX_UPLOAD_BYTES:
        return _json_error(413, f"决策表过大（上限{MAX_UPLOAD_BYTES // 1_000_000} MB）")
    note = body.get("note")
    note = note.strip()[:NOTE_MAX] if isinstance(note, str) else ""
    try:
        version = process_versions.save_draft(
            db(), system().registry, current_user, body["xml"].encode("utf-8"), process_id=process_id,
            source="modeler", note=note, filename=f"{process_id}.bpmn", ip=client_ip(), dmn=dmn,
        )
    except SpecError as exc:
        db().rollback()
        return make_response(jsonify({"message": "流程图未通过校验，未保存", "problems": _problems(exc)}), 422)
    except DomainError as exc:
        db().rollback()
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 400
        return _json_error(status, exc.message)
    db().commit()
    url = url_for("processes.view", version_id=version.id)
    flash(f"已保存为草稿：{version.name} V{version.number}。草稿尚未生效，核对无误后请点击“发布”", "success")
    return make_response(jsonify({"id": version.id, "number": version.number, "url": url}), 201)


def _json_error(status: int, message: str):
    return make_response(jsonify({"message": message, "problems": [{"element": "", "message": message}]}), status)


@bp.post("/processes/<process_id>/unpublish")
@owner_required
def unpublish(process_id: str):
    try:
        version = process_versions.unpublish(db(), system().registry, current_user, process_id, client_ip())
    except DomainError as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("processes.index"))
    db().commit()
    flash(f"已撤销发布{version.name} V{version.number}，本省新建业务将按全国默认流程办理；在办业务不受影响", "success")
    return redirect(url_for("processes.index"))


def _version(version_id: int) -> SpecVersion:
    return process_versions.version_for(db(), current_user, version_id)


def _facts(version: SpecVersion) -> dict:
    province = process_versions.province_of(current_user)
    return {
        "status": process_versions.status_of(version),
        "scope": "全国默认流程" if version.province == "" else _province_name(version.province),
        "own": version.province == province,
        "source": SOURCE_NAMES.get(version.source, version.source),
        "province_name": _province_name(province),
    }


@bp.get("/processes/versions/<int:version_id>")
@owner_required
def view(version_id: int):
    from webapp.process_changes import version_extras

    version = _version(version_id)
    return render_template(
        "processes/view.html", version=version, facts=_facts(version), status_help=STATUS_HELP,
        vendor_version=bpmn_js_version(), dmn_js_version=dmn_js_version(),
        has_dmn=bool((version.dmn_xml or "").strip()), **version_extras(version),
    )


@bp.get("/processes/versions/<int:version_id>.bpmn")
@owner_required
def xml(version_id: int):
    """The diagram's XML, for the viewer and the modeler; `?download=1` saves it as a file."""
    version = _version(version_id)
    response = Response(version.bpmn_xml, mimetype="application/xml")
    scope = version.province or "national"
    name = f"{version.process_id}-{scope}-V{version.number}.bpmn"
    disposition = "attachment" if request.args.get("download") == "1" else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/processes/versions/<int:version_id>.dmn")
@owner_required
def dmn(version_id: int):
    """The version's decision tables (DMN XML), for the editor and the viewer; `?download=1`
    saves it as a file. A version without any answers, inline only, a starter document with
    one empty decision table (id decision_1) and the header X-DMN-Starter: 1, so the editor
    has something to start from and knows not to save it unless edited; its download is 404."""
    version = _version(version_id)
    stored = version.dmn_xml or ""
    download = request.args.get("download") == "1"
    if not stored.strip():
        if download:
            abort(404)
        response = Response(DMN_STARTER.format(process_id=version.process_id, name=escape(version.name or "", quote=True)),
                            mimetype="application/xml")
        response.headers[DMN_STARTER_HEADER] = "1"
    else:
        response = Response(stored, mimetype="application/xml")
    scope = version.province or "national"
    name = f"{version.process_id}-{scope}-V{version.number}.dmn"
    response.headers["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/processes/versions/<int:version_id>/edit")
@owner_required
def edit(version_id: int):
    version = _version(version_id)
    return render_template(
        "processes/edit.html", version=version, facts=_facts(version), vendor_version=bpmn_js_version(),
        note_max=NOTE_MAX, form_js_version=form_js_version(), dmn_js_version=dmn_js_version(),
    )


@bp.post("/processes/versions/<int:version_id>/publish")
@owner_required
def publish(version_id: int):
    now = system().runtime.clock.now()
    try:
        version = process_versions.publish(db(), system().registry, current_user, version_id, now, client_ip())
    except SpecError as exc:
        db().rollback()
        lines = "；".join(f"{p['element']}：{p['message']}" if p["element"] else p["message"] for p in _problems(exc))
        why = exc.message if exc.message.startswith("路径检查") else "该版本不再符合当前规则"
        flash(f"未能发布：{why}（{lines}）", "error")
        return redirect(url_for("processes.view", version_id=version_id))
    except NotFound:
        raise
    except DomainError as exc:
        db().rollback()
        flash(f"未能发布：{exc.message}", "error")
        return redirect(url_for("processes.view", version_id=version_id))
    db().commit()
    flash(PUBLISHED_MESSAGE.format(name=version.name, number=version.number), "success")
    return redirect(url_for("processes.view", version_id=version.id))


@bp.get("/vendor/bpmn-js/<path:name>")
def vendor(name: str):
    """bpmn-js's UMD bundles, CSS and font from node_modules/bpmn-js/dist (our own origin,
    no CDN). send_from_directory refuses any path that leaves that directory."""
    if not name.endswith(VENDOR_SUFFIXES) or not VENDOR_DIR.is_dir():
        abort(404)
    return send_from_directory(VENDOR_DIR, name, max_age=7 * 24 * 3600)


@bp.get("/vendor/form-js/<path:name>")
def vendor_form_js(name: str):
    """The form editor's bundle and styles from node_modules/@bpmn-io/form-js/dist; only
    the files the designer loads are served."""
    if name not in FORM_JS_FILES or not (FORM_JS_DIR / "dist").is_dir():
        abort(404)
    return send_from_directory(FORM_JS_DIR / "dist", name, max_age=7 * 24 * 3600)


@bp.get("/vendor/dmn-js/<path:name>")
def vendor_dmn_js(name: str):
    """dmn-js's bundles, styles and font from node_modules/dmn-js/dist; only the files the
    decision-table pages load are served."""
    if name not in DMN_JS_FILES or not (DMN_JS_DIR / "dist").is_dir():
        abort(404)
    return send_from_directory(DMN_JS_DIR / "dist", name, max_age=7 * 24 * 3600)


@cache
def dmn_js_version() -> str:
    try:
        return str(json.loads((DMN_JS_DIR / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return ""


@cache
def form_js_version() -> str:
    try:
        return str(json.loads((FORM_JS_DIR / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return ""


def init_app(app: Flask) -> None:
    from webapp import process_changes  # noqa: F401  迁移在办业务 and 与…比较: routes on `bp`

    app.register_blueprint(bp)
