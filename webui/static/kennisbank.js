// Progressive enhancement. Without JavaScript the copy buttons stay hidden and citations are plain, selectable
// text; the page images and links work without it.
// 1. A "copy" button next to each citation: copies rich text (HTML, the title in italics) and plain text
//    through the Clipboard API; falls back to plain text, then to selecting the text and the older copy command.
// 2. A document opened at an anchor that is not on the page (an old or changed passage link): say so.
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function legacyCopy(element) {
    selectText(element);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(element) {
    var plain = element.getAttribute("data-plain") || element.textContent.trim();
    var html = element.innerHTML.trim();
    if (navigator.clipboard && window.isSecureContext) {
      if (window.ClipboardItem && navigator.clipboard.write) {
        var item = new window.ClipboardItem({
          "text/html": new Blob([html], { type: "text/html" }),
          "text/plain": new Blob([plain], { type: "text/plain" })
        });
        return navigator.clipboard.write([item]).catch(function () {
          return navigator.clipboard.writeText(plain);
        });
      }
      return navigator.clipboard.writeText(plain);
    }
    // Plain http on a non-local address: select the text and use the older copy command.
    return legacyCopy(element);
  }

  function flash(button, message) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = message;
    window.setTimeout(function () { button.textContent = original; }, 2000);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(target).then(
        function () { flash(button, "Gekopieerd"); },
        function () { selectText(target); flash(button, "Geselecteerd: kopieer met Ctrl+C"); }
      );
    });
  });

  var notice = document.getElementById("anker-onbekend");
  var fragment = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
  if (notice && fragment && !document.getElementById(fragment)) {
    notice.hidden = false;
  }
})();
