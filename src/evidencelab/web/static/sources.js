// Sources part: when an incident is picked, its place's time zone becomes the zone of
// the time fields that follow it (data-zone-of), unless the user has changed that zone.
(function () {
  "use strict";
  document.querySelectorAll("input[data-zone-of]").forEach(function (zone) {
    var incident = document.getElementById(zone.getAttribute("data-zone-of"));
    if (!incident || !incident.list) { return; }
    var touched = false;
    zone.addEventListener("input", function () { touched = true; });
    incident.addEventListener("change", function () {
      if (touched) { return; }
      Array.prototype.forEach.call(incident.list.options, function (option) {
        if (option.value === incident.value && option.dataset.zone) { zone.value = option.dataset.zone; }
      });
    });
  });
})();
