"""The sync server: FastAPI on uvicorn, SQLite (WAL) or PostgreSQL.

docs/ARCHITECTURE.md, "Sync and the server", says how it fits.

    pip install 'dmdesk[server]'
    dmdesk server add-site HQ --name "Head office" --role owner --db /srv/dmdesk/sync.sqlite
    dmdesk server token HQ --db /srv/dmdesk/sync.sqlite      # prints the token once
    dmdesk serve --db /srv/dmdesk/sync.sqlite --host 0.0.0.0 --port 8765

Modules: storage (tables, engine, transactions), admin (sites and tokens), rules (what a
site may write and pull), index (the ownership facts the rules use), oplog (push and pull),
schemas and app (HTTP), limits (body size, clock guard), run (`dmdesk serve`).
The wire protocol is dmdesk.sync.protocol. Put TLS in front (a reverse proxy) when the
server is reachable beyond a trusted network: tokens travel in a header.
"""
