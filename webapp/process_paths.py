"""路径检查 page: which paths a version's cases can take, walked with sample data.

Publishing runs the same walk and refuses a version whose paths break
(`casework.process_versions.publish`); this page lets the process owner look at it
before, and after: each path walked (the steps, where it ended), the elements no path
reached (a branch a province parameter closes, or a mistake), and the problems on their
elements. The walk runs in memory in well under a second for the shipped diagrams, so
the page computes it on each visit instead of storing a report that could go stale
when the parameters change.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_login import current_user

from casework import process_versions
from casework.process_versions import OWNER_ROLE
from domain import regions
from webapp.auth import role_required
from webapp.extensions import db, system

bp = Blueprint("process_paths", __name__)

OUTCOMES = {
    "completed": ("走到结束", "ok"),
    "resting": ("回到已走过的等待环节", "info"),
    "stopped": ("无法继续", "bad"),
    "limit": ("步数超限", "bad"),
}
OUTCOME_HELP = {
    "走到结束": "该路径走到了结束事件，案件办结。",
    "回到已走过的等待环节": "该路径回到此前已等待过的环节（如退回后重新申报、人员停留在“审核结果”），此后与已列出的路径相同。",
    "无法继续": "该路径在标出的环节出错或停住，案件将无法办理下去，须修改流程图。",
    "步数超限": "该路径走了很多步仍未结束，可能存在无法结束的循环。",
}


@bp.get("/processes/versions/<int:version_id>/paths")
@role_required(OWNER_ROLE)
def paths(version_id: int):
    session = db()
    version = process_versions.version_for(session, current_user, version_id)
    now = system().runtime.clock.now()
    report = process_versions.path_check(session, system().registry, version, now)
    scope = "全国默认流程（按全国参数）" if version.province == "" else regions.label(version.province) or version.province
    return render_template(
        "processes/paths.html", version=version, report=report, outcomes=OUTCOMES, outcome_help=OUTCOME_HELP,
        scope=scope, walked_at=now,
        counts={key: sum(1 for p in report.paths if p.outcome == key) for key in OUTCOMES},
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
