// Draws what #map-data holds on a Leaflet map: a marker at each incident's recorded point
// with a circle of the stated precision; the footprints of the satellite scenes (one layer
// per before/during/after label) and the annotations drawn on them, the case's context
// objects around an incident (hospital, school, military…), with a layer control. With no
// tile URL configured the basemap is the offline one (basemap.js); several incidents are
// clustered (Leaflet.markercluster) where they would overlap.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var data = document.getElementById("map-data");
  if (!element || !data || typeof L === "undefined") { return; }
  var parsed = JSON.parse(data.textContent);
  var markers = parsed.markers || [];
  var footprints = (parsed.footprints || {}).features || [];
  var annotations = (parsed.annotations || {}).features || [];
  var context = parsed.context || [];
  var LABELS = ["before", "during", "after", "unknown"];
  var CATEGORY_WORDS = {
    protected: "Protected objects", military: "Possible military objectives",
    population: "Residential", other: "Other mapped objects"
  };
  // The zoom range is set here: with no tile layer Leaflet has none (clustering needs it).
  var map = L.map(element, { attributionControl: true, keyboard: true, minZoom: 1, maxZoom: 19 });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") || "" }).addTo(map);
  } else if (window.evidencelabBasemap) {
    window.evidencelabBasemap(map, element);
  }
  L.control.scale({ imperial: false }).addTo(map);

  function number(value, digits) {
    return Number(value).toLocaleString("en-GB", { maximumFractionDigits: digits });
  }

  function utc(text) {
    return text ? text.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC").replace(/Z$/, " UTC") : "unknown";
  }

  // Popups and tooltips are built as DOM text: titles, attribution, notes and names are
  // user input, and Leaflet inserts a string it is given as HTML.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function popup(lines, href, linkText) {
    var box = document.createElement("div");
    lines.forEach(function (line) {
      if (!line) { return; }
      var row = document.createElement("div");
      row.textContent = line;
      box.appendChild(row);
    });
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = linkText;
      box.appendChild(link);
    }
    return box;
  }

  function sceneLines(p) {
    var when = p.label ? p.label + " the incident" : "linked to " + (p.incidents || []).join(", ");
    return [
      "Scene " + p.id + " (" + when + ")",
      "Acquired: " + utc(p.acquired_at) + (p.acquired_at_source === "user" ? " (stated by an analyst)" : ""),
      p.resolution_m ? "Resolution: " + number(p.resolution_m, 2) + " m per pixel" : "",
      (p.sensor || p.provider) ? "Sensor: " + [p.sensor, p.provider].filter(Boolean).join(", ") : "",
      "Credit: " + (p.attribution || "attribution not recorded") + (p.licence ? " · licence: " + p.licence : ""),
      p.publishable ? "Publishable" : "NOT PUBLISHABLE"
    ];
  }

  function measureText(p) {
    var m = p.measures || {};
    if (p.diameter_m) { return "diameter " + number(p.diameter_m, 1) + " m"; }
    if (m.area_m2 !== undefined) {
      return "area " + number(m.area_m2, 0) + " m², perimeter " + number(m.perimeter_m, 0) + " m";
    }
    if (m.length_m !== undefined) { return "length " + number(m.length_m, 0) + " m"; }
    return "";
  }

  function annotationLines(p) {
    var scene = "Drawn on scene " + p.scene;
    if (p.scene_label) { scene += " (" + p.scene_label + ", acquired " + utc(p.scene_acquired_at) + ")"; }
    return [
      p.kind.replace(/_/g, " ") + " (annotation " + p.id + ")",
      measureText(p),
      p.note || "",
      "By " + p.author + ", " + utc(p.created_at),
      scene
    ];
  }

  var overlays = [];
  var drawn = L.featureGroup();

  function footprintLayer(features, label) {
    var name = label || "scene";
    return L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        return {
          className: "scene-footprint scene-" + name + (f.properties.publishable ? "" : " not-publishable"),
          weight: 2,
          dashArray: f.properties.publishable ? null : "6 4",
          fillOpacity: 0.06
        };
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popup(sceneLines(f.properties), "/evidence/" + encodeURIComponent(f.properties.id), "Open the scene's evidence page"));
      }
    });
  }

  // The layer control takes its names as HTML only: these are built from fixed words and
  // counts, never from case data.
  function swatch(cls, words) {
    return '<span class="swatch ' + cls + '"></span> ' + words;
  }

  if (footprints.some(function (f) { return f.properties.label; })) {
    LABELS.forEach(function (label) {
      var group = footprints.filter(function (f) { return f.properties.label === label; });
      if (group.length) {
        overlays.push([swatch("scene-" + label, "Scenes " + label + " the incident (" + group.length + ")"), footprintLayer(group, label)]);
      }
    });
  } else if (footprints.length) {
    overlays.push([swatch("scene-scene", "Scene footprints (" + footprints.length + ")"), footprintLayer(footprints, null)]);
  }
  var annotationLayer = null;
  if (annotations.length) {
    annotationLayer = L.geoJSON({ type: "FeatureCollection", features: annotations }, {
      style: function () { return { className: "scene-annotation", weight: 3, fillOpacity: 0.25 }; },
      pointToLayer: function (f, point) {
        var options = { className: "scene-annotation", weight: 3, fillOpacity: 0.25 };
        // A crater is drawn to scale when its diameter is known, else as a fixed ring.
        if (f.properties.diameter_m) { return L.circle(point, L.extend({ radius: f.properties.diameter_m / 2 }, options)); }
        return L.circleMarker(point, L.extend({ radius: 7 }, options));
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popup(annotationLines(f.properties), null, null));
      }
    });
    overlays.push([swatch("scene-annotation", "Annotations (" + annotations.length + ")"), annotationLayer]);
  }
  // Context objects of the case around the incident, one layer per category.
  ["protected", "military", "population", "other"].forEach(function (category) {
    var group = context.filter(function (o) { return (o.category || "other") === category; });
    if (!group.length) { return; }
    var layer = L.layerGroup();
    group.forEach(function (o) {
      var kinds = (o.kinds || []).join(", ").replace(/_/g, " ") || "kind not recorded";
      var dot = L.circleMarker([o.lat, o.lon], {
        className: "context-object context-" + category, radius: 6, weight: 2, fillOpacity: 0.8
      });
      dot.bindPopup(popup([
        CATEGORY_WORDS[category] + ": " + kinds,
        o.name || "(no name in the map data)",
        number(o.distance_m, 0) + " m from the incident's recorded point (to the object's edge)"
      ], null, null));
      dot.bindTooltip(text(kinds + (o.name ? " · " + o.name : "")), { direction: "top" });
      layer.addLayer(dot);
    });
    overlays.push([swatch("context-" + category, CATEGORY_WORDS[category] + " (" + group.length + ")"), layer]);
  });
  overlays.forEach(function (entry) { entry[1].addTo(map); drawn.addLayer(entry[1]); });
  if (overlays.length) {
    var control = {};
    overlays.forEach(function (entry) { control[entry[0]] = entry[1]; });
    L.control.layers(null, control, { collapsed: false }).addTo(map);
  }

  var points = markers.map(function (m) { return [m.lat, m.lon]; });
  // The view is set before markers are added: a marker's element exists once the map has one.
  if (points.length === 1 && annotationLayer) {
    // Close enough to read the annotations around the incident (a crater is a few metres).
    // Circles have no bounds before the map has a view: their centres are used instead.
    var near = L.latLngBounds([points[0]]);
    annotationLayer.eachLayer(function (layer) {
      near.extend(layer.getLatLng ? layer.getLatLng() : layer.getBounds());
    });
    map.fitBounds(near, { padding: [40, 40], maxZoom: 17 });
  } else if (points.length === 1) {
    // The precision circle and the context objects around the incident, at most street scale.
    var around = L.latLngBounds([points[0]]);
    if (markers[0].precision_m) { around.extend(L.latLng(points[0]).toBounds(markers[0].precision_m * 2)); }
    context.forEach(function (o) { around.extend([o.lat, o.lon]); });
    map.fitBounds(around, { padding: [30, 30], maxZoom: 13 });
  } else if (points.length > 1) {
    map.fitBounds(points, { paddingTopLeft: [40, 60], paddingBottomRight: [40, 30] });
  } else if (drawn.getLayers().length) {
    map.fitBounds(drawn.getBounds(), { padding: [20, 20] });
  } else {
    map.setView([20, 0], 2);
  }
  // Incidents close together at the current zoom are drawn as one numbered cluster.
  var clustered = markers.length > 1 && L.markerClusterGroup;
  var markerLayer = clustered ? L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false }) : map;
  markers.forEach(function (m) {
    var point = [m.lat, m.lon];
    if (m.precision_m) {
      L.circle(point, { radius: m.precision_m, color: "#0b4f8a", weight: 2, fillOpacity: 0.12 }).addTo(map);
    }
    var label = m.title || m.id;
    // Leaflet sets a string title and alt as attributes, but a string tooltip or popup as
    // HTML: those get elements holding the title as text.
    var marker = L.marker(point, { title: label, alt: label, keyboard: true });
    // A clustered marker has an element only while it is shown on its own.
    marker.on("add", function () { marker.getElement().setAttribute("data-incident", m.id); });
    marker.addTo(markerLayer);
    var link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(m.id);
    link.textContent = label;
    marker.bindPopup(link);
    if (markers.length > 1 && markers.length <= 20) {  // names, while few enough to read
      marker.bindTooltip(text(label), { permanent: true, direction: "right", offset: [12, -20] });
    }
  });
  if (clustered) { map.addLayer(markerLayer); }
  element.setAttribute("data-markers", String(markers.length));
  element.setAttribute("data-footprints", String(footprints.length));
  element.setAttribute("data-annotations", String(annotations.length));
})();
