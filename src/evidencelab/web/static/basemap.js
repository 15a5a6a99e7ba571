// The offline basemap: Natural Earth land, admin-1 boundaries, borders, coastlines and
// populated places (public domain, packaged with the app), served by the app itself at
// /basemap/<layer>.geojson and drawn on a canvas pane beneath every other layer.
// evidencelabBasemap(map, element) adds it and sets data-basemap="loaded" on the element
// once every layer is drawn (or "failed").
(function () {
  "use strict";
  var LAYERS = [
    ["countries", { stroke: false, fillColor: "#f6f4ef", fillOpacity: 1 }],
    ["admin1", { color: "#b9b2a0", weight: 1, dashArray: "4 3" }],
    ["borders", { color: "#8a8473", weight: 1.5 }],
    ["coastlines", { color: "#7f9bb0", weight: 1 }]
  ];
  // Populated places are labelled from this zoom on (a country fills the map there).
  var LABEL_ZOOM = 5;

  function fetchLayer(name) {
    return fetch("/basemap/" + name + ".geojson", { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(name + ": " + r.status); }
      return r.json();
    });
  }

  window.evidencelabBasemap = function (map, element) {
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 150;  // below tiles (200) and overlays (400)
    element.classList.add("offline-basemap");
    map.createPane("basemap-places");
    map.getPane("basemap-places").style.zIndex = 160;
    var renderer = L.canvas({ pane: "basemap" });
    var placeRenderer = L.canvas({ pane: "basemap-places" });
    var places = L.layerGroup();
    function showLabels() {
      var labelled = map.getZoom() >= LABEL_ZOOM;
      element.classList.toggle("basemap-labels", labelled);
    }
    // Fetched together, drawn in order: land first, then the lines over it.
    var drawn = [Promise.all(LAYERS.map(function (entry) { return fetchLayer(entry[0]); })).then(function (layers) {
      layers.forEach(function (data, i) {
        var style = LAYERS[i][1];
        L.geoJSON(data, {
          pane: "basemap", renderer: renderer, interactive: false,
          style: function () { return style; }
        }).addTo(map);
      });
    })];
    drawn.push(fetchLayer("places").then(function (data) {
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        var dot = L.circleMarker([c[1], c[0]], {
          pane: "basemap-places", renderer: placeRenderer, radius: 3, weight: 1, color: "#5f5a4c",
          fillColor: "#ffffff", fillOpacity: 1, interactive: false
        });
        // A place name is text: a tooltip given a DOM node never reads it as HTML.
        var label = document.createElement("span");
        label.textContent = f.properties.name;
        dot.bindTooltip(label, { permanent: true, direction: "right", className: "basemap-place", offset: [4, 0] });
        places.addLayer(dot);
      });
      places.addTo(map);
    }));
    map.on("zoomend", showLabels);
    showLabels();
    Promise.all(drawn).then(function () {
      element.setAttribute("data-basemap", "loaded");
    }, function () {
      element.setAttribute("data-basemap", "failed");
    });
  };
})();
