"""Satellite scenes as evidence: scene records, links to incidents, chips, before/after
comparison, annotations, catalogue search and windowed fetch, chips for reports, and
scenes and annotations in the case file.

A scene is an evidence item whose raster record (``metadata_raw["raster"]``, written by the
``raster`` extractor) is copied into the ``scene`` table with its terms of use. Chips and
comparisons are derived works: stored objects with a custody event naming the source
scene(s) and the parameters; the scene itself is never changed.

Modules: ``scenes`` (records, links), ``annotations``, ``chips`` (chips, comparisons, report
chips), ``catalogue`` (STAC), ``case_file``, ``views``
(the workbench's scenes), ``records`` (the records they return).

Import from the modules: the package itself imports nothing, so that reading the case's
scenes does not load what drawing and geometry need (Pillow, pyproj).
"""
