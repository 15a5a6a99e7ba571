"""Geographic context: protected objects and possible military objectives near incidents.

Objects come from OpenStreetMap extracts (`osm.read_osm`) or GeoJSON
(`geojson.read_geojson`), with OSM tags as the vocabulary (`kinds.kinds_for`);
`index.ContextIndex` answers radius and nearest queries with geodesic distances on WGS84,
measured to polygon edges (`distance`).

Import from the modules: the package itself imports nothing, so that reading a kind's
category does not load pyproj, shapely and NumPy.
"""
