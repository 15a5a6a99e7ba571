// Safe viewing (docs/safety.md): media inside a .safety-cover stays greyscale and blurred
// (as the viewer's preferences say) until its reveal button is pressed, and muted until its
// unmute button is pressed; a contact sheet loads on reveal and scrubs by pointer or arrow
// keys. Works on content htmx swaps in too (listeners are delegated from the document).
(function () {
  "use strict";

  function muteAll(root) {
    root.querySelectorAll(".safety-cover").forEach(function (cover) {
      var players = cover.querySelectorAll("video, audio");
      players.forEach(function (player) {
        player.muted = true;
        player.defaultMuted = true;
      });
      var sound = cover.querySelector(".safety-sound");
      if (sound && players.length) sound.hidden = false;
    });
  }

  function reveal(cover) {
    cover.classList.add("revealed");
    cover.querySelectorAll("img[data-src]").forEach(function (img) {
      img.src = img.getAttribute("data-src");
      img.removeAttribute("data-src");
    });
    var target = cover.querySelector("video, .contact-sheet, img, a");
    if (target) {
      if (!target.hasAttribute("tabindex") && target.tagName !== "A" && target.tagName !== "VIDEO") {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }

  function toggleSound(button) {
    var cover = button.closest(".safety-cover");
    var players = cover.querySelectorAll("video, audio");
    var unmute = button.getAttribute("aria-pressed") !== "true";
    players.forEach(function (player) { player.muted = !unmute; });
    button.setAttribute("aria-pressed", unmute ? "true" : "false");
    button.textContent = unmute ? "Mute" : "Unmute";
  }

  // -- contact sheets -------------------------------------------------------------------

  function frames(sheet) {
    var img = sheet.querySelector("img");
    var width = Number(sheet.getAttribute("data-frame-width"));
    return img && img.naturalWidth && width ? Math.max(1, Math.round(img.naturalWidth / width)) : 0;
  }

  function show(sheet, index) {
    var count = frames(sheet);
    if (!count) return;
    index = Math.max(0, Math.min(count - 1, index));
    var img = sheet.querySelector("img");
    img.style.width = count * 100 + "%";
    img.style.transform = "translateX(" + (-100 * index / count) + "%)";
    sheet.setAttribute("aria-valuemax", String(count));
    sheet.setAttribute("aria-valuenow", String(index + 1));
    sheet.setAttribute("aria-valuetext", "frame " + (index + 1) + " of " + count);
    sheet.dataset.index = String(index);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("safety-reveal")) reveal(button.closest(".safety-cover"));
    if (button.classList.contains("safety-unmute")) toggleSound(button);
  });

  document.addEventListener("pointermove", function (event) {
    var sheet = event.target.closest(".safety-cover.revealed .contact-sheet");
    if (!sheet) return;
    var box = sheet.getBoundingClientRect();
    show(sheet, Math.floor(((event.clientX - box.left) / box.width) * frames(sheet)));
  });

  document.addEventListener("keydown", function (event) {
    var sheet = event.target.closest && event.target.closest(".safety-cover.revealed .contact-sheet");
    if (!sheet) return;
    var index = Number(sheet.dataset.index || 0);
    var moves = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
    if (event.key in moves) index += moves[event.key];
    else if (event.key === "Home") index = 0;
    else if (event.key === "End") index = frames(sheet) - 1;
    else return;
    event.preventDefault();
    show(sheet, index);
  });

  document.addEventListener("load", function (event) {
    var sheet = event.target.closest && event.target.closest(".contact-sheet");
    if (sheet) show(sheet, 0);
  }, true);

  document.addEventListener("DOMContentLoaded", function () { muteAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { muteAll(event.target); });
})();
