"""Outside systems: one Protocol each (`protocols`), real httpx clients (`http_clients`),
the auto-verify data collection (`gather`) and a bundled simulator (`simulator`).

Imports only `domain` and libraries; the engine's worker and the web layer's 身份证号
autofill depend on this package, never the reverse.
"""
