"""The store's per-table parts: each module reads and writes one family of tables of a
study's database, and `sessions.store.Store` hangs one object per part off itself
(`store.sessions`, `store.attempts`, `store.events`, `store.frames`, `store.markers`,
`store.notes`, `store.answers`, `store.users`, `store.audit`, `store.jobs`). Parts that
belong with a subject of their own live beside it and hang off the Store the same way
(`store.invitations` in sessions/invitations.py, `store.participants` in
sessions/participants.py).

A part knows its tables and its checks; the Store knows connections, migration and leases.
Parts never import the Store: they receive it as anything with a `db` connection
(`tables.base.Connected`), so the store can import them without a cycle.
"""
