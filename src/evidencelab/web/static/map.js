// Draws the incidents in #map-data on a Leaflet map: a marker at each recorded point and a
// circle of the stated precision. With no tile URL configured the map is offline: no basemap.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var data = document.getElementById("map-data");
  if (!element || !data || typeof L === "undefined") { return; }
  var markers = JSON.parse(data.textContent).markers || [];
  var map = L.map(element, { attributionControl: true, keyboard: true });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") || "" }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  var bounds = markers.map(function (m) { return [m.lat, m.lon]; });
  // The view is set before markers are added: a marker's element exists once the map has one.
  if (bounds.length === 1) {
    map.setView(bounds[0], 13);
  } else if (bounds.length > 1) {
    map.fitBounds(bounds, { paddingTopLeft: [40, 60], paddingBottomRight: [40, 30] });
  } else {
    map.setView([20, 0], 2);
  }
  markers.forEach(function (m) {
    var point = [m.lat, m.lon];
    if (m.precision_m) {
      L.circle(point, { radius: m.precision_m, color: "#0b4f8a", weight: 2, fillOpacity: 0.12 }).addTo(map);
    }
    var marker = L.marker(point, { title: m.title, alt: m.title, keyboard: true }).addTo(map);
    var link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(m.id);
    link.textContent = m.title;
    marker.bindPopup(link);
    if (markers.length > 1 && markers.length <= 20) {  // offline there is no basemap to read
      marker.bindTooltip(m.title, { permanent: true, direction: "right", offset: [12, -20] });
    }
    marker.getElement().setAttribute("data-incident", m.id);
  });
  element.setAttribute("data-markers", String(markers.length));
})();
