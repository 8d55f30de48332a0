"""Active content in uploaded PDFs: found, removed, and the result checked again.

A PDF can run JavaScript when opened (/OpenAction, /AA "additional actions", the
/JavaScript name tree, /JS of a Rendition), start programs (/Launch), carry files
(/EmbeddedFiles, /EF, FileAttachment annotations), post data (/SubmitForm) or hold an
XFA form with its own scripts. A reviewer opens uploads in a browser or in Acrobat; none
of this is needed in a contract or a certificate scan, so it is removed at upload.

pypdf offers no "remove all scripts" call, so the object graph is walked here: every
object reachable from the trailer is visited once, and what is found is either reported
(`findings`) or cut out (`strip`). The cuts are made in the objects pypdf has read, and
the cleaned file is a clone of what is still reachable from the catalog, so a cut-out
script does not survive as an orphan object; it is then read and walked again: a file
that still has findings is refused rather than stored.

A PDF without findings is kept byte for byte (a signed contract keeps its signature).
"""

from __future__ import annotations

import logging
from io import BytesIO
from urllib.parse import urlsplit

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

# Keys whose presence means something runs, launches or carries a file.
ACTIVE_KEYS = frozenset(
    {"/OpenAction", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA"}
)
# Action types that only move inside the document or open a web/mail link.
SAFE_ACTIONS = frozenset({"/GoTo", "/URI", "/Named", "/Thread"})
SAFE_URI_SCHEMES = frozenset({"http", "https", "mailto"})
# Annotations that embed files, media or 3D content (which bring their own scripts).
ACTIVE_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
)
MAX_OBJECTS = 2_000_000  # a walk this long means a hostile or broken file


class TooComplex(Exception):
    """The object graph is larger than any real document's."""


def _is_unsafe_action(value: PdfObject) -> bool:
    action = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(action, ArrayObject):  # /Next may be an array of actions
        return any(_is_unsafe_action(item) for item in action)
    if not isinstance(action, DictionaryObject) or "/S" not in action:
        return False
    kind = action.get("/S")
    if kind not in SAFE_ACTIONS:
        return True
    if kind == "/URI":
        scheme = urlsplit(str(action.get("/URI", ""))).scheme.lower()
        return scheme not in SAFE_URI_SCHEMES
    return "/Next" in action and _is_unsafe_action(action["/Next"])


def _is_active_annotation(value: PdfObject) -> bool:
    annotation = value.get_object() if isinstance(value, IndirectObject) else value
    return (
        isinstance(annotation, DictionaryObject)
        and annotation.get("/Subtype") in ACTIVE_ANNOTATIONS
    )


def _walk(root: PdfObject, *, remove: bool) -> list[str]:
    """Visit everything reachable from `root`; report (and if `remove`, cut) active parts."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [root]
    visits = 0
    while stack:
        obj = stack.pop()
        visits += 1
        if visits > MAX_OBJECTS:
            raise TooComplex
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams are dictionaries too
            for name in list(obj.keys()):
                value = obj[name]
                if name in ACTIVE_KEYS:
                    found.append(name)
                    if remove:
                        del obj[name]
                    continue
                if name in ("/A", "/Next") and _is_unsafe_action(value):
                    found.append(f"{name} action")
                    if remove:
                        del obj[name]
                    continue
                if name == "/Annots":
                    annots = value.get_object() if isinstance(value, IndirectObject) else value
                    if isinstance(annots, ArrayObject):
                        active = [a for a in annots if _is_active_annotation(a)]
                        found.extend("annotation" for _ in active)
                        if remove and active:
                            kept = [a for a in annots if not _is_active_annotation(a)]
                            obj[NameObject(name)] = ArrayObject(kept)
                            value = obj[name]
                stack.append(value)
            if obj.get("/Type") == "/Action" and _is_unsafe_action(obj):
                found.append("action")
                if remove:
                    obj[NameObject("/S")] = NameObject("/GoTo")
                    for name in list(obj.keys()):
                        if name not in ("/Type", "/S"):
                            del obj[name]
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def _trailer_roots(reader: PdfReader) -> list[PdfObject]:
    trailer = reader.trailer
    return [trailer[key] for key in ("/Root", "/Info") if key in trailer]


def findings(data: bytes) -> list[str]:
    """What in this PDF could run, launch or carry a file (empty for an inert file)."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(BytesIO(data), strict=False)
    found: list[str] = []
    for root in _trailer_roots(reader):
        found.extend(_walk(root, remove=False))
    return found


def strip(data: bytes) -> bytes:
    """The PDF without its active parts (the same bytes when it has none).

    Raises `ValueError` when the cleaned file still has findings (never stored then)."""
    if not findings(data):
        return data
    # Cut in the reader's objects (pypdf caches each object it has read), then clone: the
    # writer copies only what is still reachable from the catalog, so no cut-out script
    # survives as an orphan object.
    reader = PdfReader(BytesIO(data), strict=False)
    for root in _trailer_roots(reader):
        _walk(root, remove=True)
    writer = PdfWriter(clone_from=reader)
    buffer = BytesIO()
    writer.write(buffer)
    cleaned = buffer.getvalue()
    left = findings(cleaned)
    if left:
        raise ValueError(f"active content left after cleaning: {sorted(set(left))}")
    return cleaned
