"""The query page at ``/``: the SPARQL editor (vendored YASQE), the named queries, the results.

The page is static HTML; its script (``static/workbench.js``) and the editor come from
:mod:`mskg.server.static`, and everything it shows comes from the server's own routes
(``/queries``, ``/sparql``, ``/queries/NAME``, ``/graph``): nothing leaves the server. The only
data written into the page are the project's prefixes and the query groups, as JSON in a
``<script type="application/json">`` element (never executed).
"""

from __future__ import annotations

import functools
import html

from mskg.server.static import YASQE_CSS, YASQE_JS, static_url

#: No inline script at all; inline style only because CodeMirror sizes its parts by style
#: attributes. Requests go to this server only.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
}

DEFAULT_QUERY = """PREFIX mskg: <https://w3id.org/mskg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?drug ?label WHERE {
  ?drug a mskg:Drug ;
        rdfs:label ?label .
}
ORDER BY ?label
"""

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>mskg SPARQL workbench</title>
<link rel="stylesheet" href="{yasqe_css}">
<link rel="stylesheet" href="{page_css}">
</head>
<body>
<header>
<h1>mskg SPARQL workbench</h1>
<p class="about">Read-only. Endpoint <code>/sparql</code> (GET or POST);
named queries <a href="/queries">/queries</a>; the drawn graph <a href="/graph">/graph</a>.
Ctrl-Space completes prefixes, classes and properties; Ctrl-Enter runs.</p>
</header>
<main>
<section id="pick" aria-label="Named queries">
<label for="picker">Named query</label>
<select id="picker"><option value="">(write your own query)</option></select>
<div id="named" hidden>
<h2 id="named-title"></h2>
<p id="named-description"></p>
<form id="params" autocomplete="off"></form>
</div>
</section>
<section id="edit" aria-label="Query">
<div id="editor"></div>
<p class="actions"><button id="run" type="button">Run</button>
<span id="status" role="status"></span></p>
</section>
<section id="results" aria-label="Results">
<div id="warnings"></div>
<p id="tools" hidden></p>
<div id="out"></div>
</section>
</main>
<script type="application/json" id="mskg-data">{data}</script>
<script src="{yasqe_js}"></script>
<script src="{page_js}"></script>
</body>
</html>
"""


@functools.cache
def page_bytes() -> bytes:
    """The page, built once per process."""
    from mskg.prefixes import MSKG_IRI, PREFIXES, RESOURCE_IRI
    from mskg.sparql.named import QUERY_GROUPS
    from mskg.viz.page import script_json

    data = {
        "prefixes": PREFIXES,
        "resourceBase": RESOURCE_IRI,
        "ontologyBase": MSKG_IRI,
        "groups": list(QUERY_GROUPS),
        "defaultQuery": DEFAULT_QUERY,
    }
    text = _TEMPLATE.format(
        yasqe_css=html.escape(YASQE_CSS),
        yasqe_js=html.escape(YASQE_JS),
        page_css=html.escape(static_url("workbench.css")),
        page_js=html.escape(static_url("workbench.js")),
        data=script_json(data),
    )
    return text.encode("utf-8")
