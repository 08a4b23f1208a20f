"""Sources: one module a source of outside data, each turning that data into records.

``cqc_files`` reads CQC's register files (HSCA care directory CSV, market CSV, API records as CSV
or JSON); ``carehomes.apply`` applies records to the profiles in ``providers/``.
"""
