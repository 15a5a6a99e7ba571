"""Geographic context in the case: map extracts, objects added by hand, queries.

Objects live in the case database (`store/tables/context.py`): imported from an
OpenStreetMap extract or GeoJSON file (`import_context`, streamed and inserted in batches in
one transaction, recorded by the file's SHA-256), or added by hand with the reason they are
recorded (`add_context_object`). Queries take candidates from the SQLite R*Tree over the
objects' lon/lat bounding boxes and then measure each candidate geodesically on WGS84 to its
nearest edge (0 inside), with `analysis.context.distance`; the search boxes come from
`analysis.context.index.search_boxes`, which never cut off a point within the radius.

`objects_near` answers the same questions straight from a file, without a case.

The records returned are typed in `records`: a *nearby* record (NEARBY) is a
`NearbyObject`: id (the analyst's id for objects added by hand, else the OSM reference or
the GeoJSON feature id), ref (``way/123`` or None), name, kinds, category, origin (osm,
geojson or manual), basis, lat and lon (a point inside the object), distance_m (metres,
geodesic, to the edge; 0 inside).

Import from the modules: the package itself imports nothing, so that a command reading
the case's objects does not load what the queries need (pyproj).
"""
