"""Outputs: one module a published format, each turning records into the bytes of its files.

``tables`` (CSV tables, JSON and datapackage.json), ``geojson``, ``oruk`` (Open Referral UK),
``atom`` (the changes feed) and ``sitemap``. The stage modules (``publish``, ``releases``, the
pipeline) decide what to write where.
"""
