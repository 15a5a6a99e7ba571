// The location map of the geolocation sections (#loc-map, data in #loc-data): each
// geolocation as a point with its precision circle, coloured by review state; the item's GPS
// metadata or the incident's recorded place as a reference; the place bands of shadow-places
// findings as rectangles. A form marked data-pick takes its latitude and longitude from a
// click on the map, and the circle of the point being placed follows its precision field.
// Offline: the Natural Earth basemap of basemap.js (when the page loads it), a scale bar.
(function () {
  "use strict";
  var element = document.getElementById("loc-map");
  var source = document.getElementById("loc-data");
  if (!element || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { attributionControl: false, keyboard: true, worldCopyJump: false });
  if (window.evidencelabBasemap) { window.evidencelabBasemap(map, element); }
  L.control.scale({ imperial: false }).addTo(map);
  var drawn = L.featureGroup().addTo(map);

  // Popups get DOM text, never HTML: labels hold ids and names typed by people.
  function label(text) {
    var box = document.createElement("div");
    box.textContent = text;
    return box;
  }

  function pointWithCircle(point, radius, className, text) {
    var group = L.featureGroup();
    if (radius) {
      group.addLayer(L.circle(point, { radius: radius, className: className, weight: 2, fillOpacity: 0.15 }));
    }
    group.addLayer(L.circleMarker(point, { radius: 5, className: className, weight: 2, fillOpacity: 0.9 }));
    group.bindPopup(label(text));
    return group;
  }

  (data.bands || []).forEach(function (band) {
    band.strips.forEach(function (s) {
      drawn.addLayer(L.rectangle([[s[0], s[2]], [s[1], s[3]]], { className: "loc-band", weight: 0, fillOpacity: 0.35, interactive: false }));
    });
  });
  (data.references || []).forEach(function (r) {
    drawn.addLayer(pointWithCircle([r.lat, r.lon], r.precision_m, "loc-reference", r.label));
  });
  (data.geolocations || []).forEach(function (g) {
    var layer = pointWithCircle([g.lat, g.lon], g.precision_m, "loc-geo-" + g.state, g.label);
    drawn.addLayer(layer);
  });

  // The points with their circles, and the bands: whether the item's place lies in the band
  // of its shadow is what a reader looks for.
  var near = L.latLngBounds([]);
  (data.references || []).concat(data.geolocations || []).forEach(function (p) {
    near.extend(L.latLng(p.lat, p.lon).toBounds(2 * (p.precision_m || 200)));
  });
  (data.bands || []).forEach(function (band) {
    band.strips.forEach(function (s) { near.extend([[s[0], s[2]], [s[1], s[3]]]); });
  });
  if (near.isValid()) {
    map.fitBounds(near, { padding: [30, 30], maxZoom: 16 });
  } else if (drawn.getLayers().length) {
    map.fitBounds(drawn.getBounds(), { padding: [10, 10] });
  } else {
    map.setView([20, 0], 1);
  }
  element.setAttribute("data-geolocations", String((data.geolocations || []).length));
  element.setAttribute("data-bands", String((data.bands || []).length));

  var form = document.querySelector("form[data-pick]");
  if (!form) { return; }
  var lat = form.querySelector("input[name=lat]");
  var lon = form.querySelector("input[name=lon]");
  var precision = form.querySelector("input[name=precision]");
  var picked = null;

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  function drawPick() {
    if (picked) { map.removeLayer(picked); picked = null; }
    var y = number(lat), x = number(lon);
    if (y === null || x === null || Math.abs(y) > 90 || Math.abs(x) > 180) {
      element.removeAttribute("data-picked");
      return;
    }
    var radius = number(precision);
    picked = pointWithCircle([y, x], radius && radius > 0 ? radius : null, "loc-pick", "The point being placed").addTo(map);
    element.setAttribute("data-picked", y.toFixed(6) + "," + x.toFixed(6));
  }

  map.on("click", function (event) {
    var point = event.latlng.wrap();
    lat.value = point.lat.toFixed(6);
    lon.value = point.lng.toFixed(6);
    drawPick();
    // Opening the form shows what the click filled in, ready for the rest.
    var details = form.closest("details");
    if (details) { details.open = true; }
  });
  [lat, lon, precision].forEach(function (input) {
    if (input) { input.addEventListener("input", drawPick); }
  });
  drawPick();
  if (picked && !near.isValid()) { map.setView(picked.getBounds().getCenter(), 14); }
})();
