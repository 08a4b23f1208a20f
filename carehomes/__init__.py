"""Care home directory: YAML profiles in, open data and a public site out.

Each module is one stage of the pipeline and can be used without mkdocs:
``schema`` (the field list), ``load``, ``validate``, ``publish`` (open data),
``render`` (pages), ``search``, ``importer`` (CQC register) and ``cli``.
"""
