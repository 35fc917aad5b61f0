"""The web UI and JSON API of the Kennisbank (Flask). ``webui.app.create_app`` builds the app.

Every HTML page has a JSON twin built from the same dict (``.json`` suffix, ``?format=json``, an
``Accept: application/json`` header, or the ``/api/`` path):

    GET /                         search form; with ?q=... the results            JSON: ?format=json
    GET /zoeken?q=&kind=&organisation=&year_from=&year_to=&k=&mode=    results   /zoeken.json, /api/search
    GET /documenten               the publications                                /documenten.json, /api/documents
    GET /documenten/<id>          whole text, page by page (#p-<page>), each passage anchored (#<chunk_id>)
                                                                                  /documenten/<id>.json, /api/documents/<id>

Errors (bad input 400, unknown document 404, ...) are ``{"error": {"status", "message"}}`` in JSON and a Dutch
page in HTML, from one handler (``webui.render``).
"""
