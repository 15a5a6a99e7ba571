// The incident form's map (#pick-map): a click sets the latitude and longitude fields, which
// stay editable (typing moves the marker); the time zone at the place is looked up offline
// by the app (/maps/time-zone) and shown beside the time, and fills the zone field unless
// the person typed a zone of their own.
(function () {
  "use strict";
  var element = document.getElementById("pick-map");
  if (!element || typeof L === "undefined") { return; }
  function input(name) { return document.getElementById(element.getAttribute(name)); }
  var lat = input("data-lat-input"), lon = input("data-lon-input");
  var zone = input("data-zone-input"), status = input("data-zone-status");
  var start = document.getElementById("f-start");
  var typedZone = false;
  var map = L.map(element, { keyboard: true });
  if (window.evidencelabBasemap) { window.evidencelabBasemap(map, element); }
  L.control.scale({ imperial: false }).addTo(map);
  var marker = null;

  function point() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isNaN(a) || isNaN(b) || Math.abs(a) > 90 || Math.abs(b) > 180) { return null; }
    return [a, b];
  }

  function lookUpZone(p) {
    var query = "lat=" + p[0] + "&lon=" + p[1];
    if (start && start.value) { query += "&at=" + encodeURIComponent(start.value); }
    fetch("/maps/time-zone?" + query, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (found) {
      if (!found) { return; }
      if (!found.zone) {
        status.textContent = "No time zone at this place (open sea): give the zone or UTC.";
        return;
      }
      if (!typedZone) { zone.value = found.zone; }
      status.textContent = "Time zone at the place: " + found.zone + " (UTC" + found.utc_offset + ")" +
        (zone.value === found.zone ? "; times are read in it." : "; times are read in " + zone.value + ".");
      element.setAttribute("data-zone", found.zone);
    });
  }

  function show(p, pan) {
    if (!p) { return; }
    if (marker) { marker.setLatLng(p); } else {
      marker = L.marker(p, { title: "Incident place", alt: "Incident place", keyboard: false }).addTo(map);
    }
    if (pan) { map.setView(p, Math.max(map.getZoom(), 8)); }  // typed: close enough to check
    lookUpZone(p);
  }

  var initial = point();
  map.setView(initial || [30, 20], initial ? 9 : 2);
  if (initial) { show(initial, false); }
  map.on("click", function (event) {
    var p = [Number(event.latlng.lat.toFixed(5)), Number(L.Util.wrapNum(event.latlng.lng, [-180, 180], true).toFixed(5))];
    lat.value = p[0];
    lon.value = p[1];
    show(p, false);
  });
  [lat, lon].forEach(function (field) {
    field.addEventListener("change", function () { show(point(), true); });
  });
  zone.addEventListener("input", function () { typedZone = true; });
})();
