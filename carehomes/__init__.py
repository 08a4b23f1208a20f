"""Care home directory: YAML profiles in, open data and a public site out.

``pipeline`` is the build's table of contents (load -> check -> publish data -> releases and
feed -> pages -> search -> sitemap); each stage is its own module and can be used without
mkdocs. ``sources/`` turn outside data into records (``apply`` writes them into profiles);
``outputs/`` turn records into published formats. See docs/architecture.md.
"""
